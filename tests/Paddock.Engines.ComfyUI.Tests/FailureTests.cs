using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Tests.Support;
using Paddock.Fakes.ComfyUI;
using Paddock.Fakes.ComfyUI.Logging;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>What a user sees when a ComfyUI server fails a prompt, drops its socket, lacks a node, or a request asks too much.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task A_node_that_raises_fails_the_generation_with_the_nodes_message_and_no_retry()
    {
        await using var rig = await ComfyRig.StartAsync(configure: o => o.FailExecution = new ExecutionFailure
        {
            NodeClass = "KSampler", AfterStep = 1, ExceptionType = "torch.OutOfMemoryError", Message = "Allocation on device ",
        });
        var id = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 waves", reference_images = rig.References(1), duration = 3 });
        var row = await rig.WaitTerminalAsync(id);

        Assert.Equal("failed", row["status"]!.GetValue<string>());
        Assert.Equal("engine_error", row["error_type"]!.GetValue<string>());
        var message = row["error_message"]!.GetValue<string>();
        Assert.Contains("KSampler", message, StringComparison.Ordinal);
        Assert.Contains("torch.OutOfMemoryError: Allocation on device", message, StringComparison.Ordinal);
        Assert.Contains("ran out of memory on your GPU", message, StringComparison.Ordinal);  // the server's own tip, kept
        Assert.Equal(1, row["attempt"]!.GetValue<int>());
        Assert.Single(rig.Fake.Log.QueuedPrompts);
    }

    [Fact]
    public async Task A_dropped_websocket_falls_back_to_history_and_the_generation_completes()
    {
        await using var rig = await ComfyRig.StartAsync(configure: o => o.DropWebSocketAfterProgress = 1);
        var id = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 spins", reference_images = rig.References(1), duration = 3 });
        var row = await rig.WaitTerminalAsync(id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
        var video = await ComfyRig.ProbeOutputAsync(row);
        Assert.Equal((1280, 720, "24/1", 72), (video.Width, video.Height, video.FrameRate, video.Frames));

        var log = rig.Fake.Log;
        var prompt = Assert.Single(log.QueuedPrompts);
        var dropped = log.Entries.OfType<WebSocketClosed>().Single(c => c.DroppedByServer);
        var finished = log.Finished.Single();
        // After the drop the engine read /history for its prompt; the one that found it finished came after the end.
        Assert.Contains(log.Requests, r => r.Path == $"/history/{prompt.PromptId}" && r.Sequence > dropped.Sequence && r.Sequence > finished.Sequence);
    }

    [Fact]
    public async Task A_missing_node_makes_its_model_unavailable_naming_the_node_while_the_other_model_runs()
    {
        await using var rig = await ComfyRig.StartAsync(configure: o => o.MissingNodeClasses = ["WanVaceToVideo"]);
        var server = rig.Fake.BaseUri.ToString();

        var vace = await rig.GetJsonAsync($"api/ai/models/{ComfyRig.Vace}");
        Assert.False(vace["engine"]!["available"]!.GetValue<bool>());
        var problem = vace["engine"]!["problem"]!.GetValue<string>();
        Assert.Contains("WanVaceToVideo", problem, StringComparison.Ordinal);
        Assert.Contains(server, problem, StringComparison.Ordinal);
        Assert.True((await rig.GetJsonAsync($"api/ai/models/{ComfyRig.Phantom}"))["engine"]!["available"]!.GetValue<bool>());

        var health = await rig.GetJsonAsync("api/health");
        var backend = health["backends"]!.AsArray().Single(b => b!["name"]!.GetValue<string>() == "comfyui")!;
        Assert.Equal("available", backend["state"]!.GetValue<string>());
        Assert.Contains("WanVaceToVideo", backend["unavailable_models"]![ComfyRig.Vace]!.GetValue<string>(), StringComparison.Ordinal);

        var references = rig.References(1);
        var (status, body) = await rig.PostAsync("api/ai/videos/generate", new { model = ComfyRig.Vace, prompt = "Image 1 walks", reference_images = references, duration = 3 });
        Assert.Equal(503, status);
        Assert.Contains("WanVaceToVideo", body!["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // A queued one waits, saying why; the other model's generation runs meanwhile.
        var waiting = await rig.EnqueueAsync(new { model = ComfyRig.Vace, prompt = "Image 1 walks", reference_images = references, duration = 3 });
        var phantom = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 walks", reference_images = references, duration = 3 });
        Assert.Equal("succeeded", (await rig.WaitTerminalAsync(phantom))["status"]!.GetValue<string>());
        var row = await rig.RowAsync(waiting);
        Assert.Equal("queued", row["status"]!.GetValue<string>());
        Assert.Contains("WanVaceToVideo", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Fake.Log.PromptSubmissions, p => p.Graph?["30"]?["class_type"]?.GetValue<string>() == "WanVaceToVideo");

        // The node installed (and the server checked again): the waiting generation runs.
        rig.Fake.Options.MissingNodeClasses = [];
        Assert.Equal("succeeded", (await rig.WaitTerminalAsync(waiting))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_model_file_is_named_with_its_folder()
    {
        await using var rig = await ComfyRig.StartAsync(configure: o => o.RemoveModelFile("Phantom-Wan-14B_fp16.safetensors"));
        var phantom = await rig.GetJsonAsync($"api/ai/models/{ComfyRig.Phantom}");
        Assert.False(phantom["engine"]!["available"]!.GetValue<bool>());
        Assert.Contains("Phantom-Wan-14B_fp16.safetensors in models/diffusion_models", phantom["engine"]!["problem"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True((await rig.GetJsonAsync($"api/ai/models/{ComfyRig.Vace}"))["engine"]!["available"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Requests_beyond_a_models_limits_are_refused_at_submission_naming_the_field()
    {
        await using var rig = await ComfyRig.StartAsync();
        var five = rig.References(5);

        foreach (var route in new[] { "api/ai/queue", "api/ai/videos/generate" })
        {
            var (status, body) = await rig.PostAsync(route, new { model = ComfyRig.Phantom, prompt = "Image 1 meets Image 5", reference_images = five });
            Assert.Equal(400, status);
            Assert.StartsWith("reference_images", body!["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var (longStatus, longBody) = await rig.PostAsync("api/ai/queue", new { model = ComfyRig.Phantom, prompt = "a cat", duration = 8 });
        Assert.Equal(400, longStatus);
        Assert.StartsWith("duration", longBody!["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var (sizeStatus, sizeBody) = await rig.PostAsync("api/ai/queue", new { model = ComfyRig.Vace, prompt = "a cat", resolution = "1080P" });
        Assert.Equal(400, sizeStatus);
        Assert.StartsWith("resolution", sizeBody!["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(rig.Fake.Log.PromptSubmissions);
    }
}
