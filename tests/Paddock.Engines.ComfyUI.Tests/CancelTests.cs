using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Templates;
using Paddock.Engines.ComfyUI.Tests.Support;
using Paddock.Fakes.ComfyUI;
using Paddock.Fakes.ComfyUI.Logging;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>A cancel in Paddock reaches the ComfyUI server: the prompt leaves its queue, or is interrupted if it is the one running.</summary>
public sealed class CancelTests
{
    [Fact]
    public async Task On_an_older_server_a_queued_prompt_is_deleted_from_its_queue_and_a_running_one_interrupted()
    {
        await using var rig = await ComfyRig.StartAsync(configure: o =>
        {
            o.Flavor = ComfyUIFlavor.Legacy;  // no /api/jobs/{id}/cancel: the queue and /interrupt it is
            o.TaskTime = TimeSpan.FromSeconds(4);
        });
        var log = rig.Fake.Log;
        var references = rig.References(1);

        // Someone else's prompt runs on the server, so ours waits in its queue.
        await QueueForeignPromptAsync(rig.Fake.BaseUri);
        var queued = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 waits", reference_images = references, duration = 3 });
        var ours = await WaitForOurPromptAsync(log, 1);
        using (var cancel = await rig.Client.DeleteAsync($"api/ai/queue/{queued}")) Assert.Equal(200, (int)cancel.StatusCode);
        var row = await rig.WaitForAsync(queued, r => r["remote"]?["cancel"]?.GetValue<string>() == "cancelled", "its remote prompt cancelled");
        Assert.Equal("cancelled", row["status"]!.GetValue<string>());
        Assert.Contains("removed from the queue", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        var delete = log.Entries.OfType<QueueDeleteRequested>().Single();
        Assert.Equal([ours], delete.Removed);
        Assert.DoesNotContain(log.Entries.OfType<InterruptRequested>(), i => i.PromptId is null);  // never "whatever runs"

        // Ours runs now; a cancel interrupts it, by its id.
        var running = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 runs", reference_images = references, duration = 3 });
        var second = await WaitForOurPromptAsync(log, 2);
        await rig.WaitForAsync(running, r => r["progress"]?["phase"]?.GetValue<string>() == "generating", "generating");
        await rig.Client.DeleteAsync($"api/ai/queue/{running}");
        row = await rig.WaitForAsync(running, r => r["remote"]?["cancel"]?.GetValue<string>() == "cancelled", "its remote prompt cancelled");
        Assert.Contains("interrupted", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        var interrupt = log.Entries.OfType<InterruptRequested>().Single();
        Assert.Equal((second, true), (interrupt.PromptId, interrupt.Interrupted));
        await WaitUntilAsync(() => log.Finished.Any(f => f.PromptId == second));
        Assert.Equal(PromptOutcome.Interrupted, log.Finished.Single(f => f.PromptId == second).Outcome);
        Assert.DoesNotContain(log.Finished, f => f.PromptId == ours);
    }

    [Fact]
    public async Task On_a_current_server_the_running_prompt_is_cancelled_with_the_jobs_route()
    {
        await using var rig = await ComfyRig.StartAsync(configure: o => o.TaskTime = TimeSpan.FromSeconds(4));
        var log = rig.Fake.Log;
        var id = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 runs", reference_images = rig.References(1), duration = 3 });
        var ours = await WaitForOurPromptAsync(log, 1);
        await rig.WaitForAsync(id, r => r["progress"]?["phase"]?.GetValue<string>() == "generating", "generating");
        await rig.Client.DeleteAsync($"api/ai/queue/{id}");

        var row = await rig.WaitForAsync(id, r => r["remote"]?["cancel"]?.GetValue<string>() == "cancelled", "its remote prompt cancelled");
        Assert.Equal("cancelled", row["status"]!.GetValue<string>());
        Assert.Contains(log.Requests, r => r.Method == "POST" && r.Path == $"/api/jobs/{ours}/cancel" && r.Status == 200);
        Assert.Equal((ours, true), log.Entries.OfType<InterruptRequested>().Select(i => (i.PromptId, i.Interrupted)).Single());
        await WaitUntilAsync(() => log.Finished.Any(f => f.PromptId == ours));
        Assert.Equal(PromptOutcome.Interrupted, log.Finished.Single().Outcome);
    }

    /// <summary>Another user's prompt, queued straight on the server (a small Phantom graph without references).</summary>
    private static async Task QueueForeignPromptAsync(Uri server)
    {
        var template = TemplateLibrary.Shipped().Single(t => t.Model == ComfyRig.Phantom);
        var graph = template.Fill(new PassRequest("someone else's video", 99, 64, 48, 5, []));
        using var http = new HttpClient { BaseAddress = server };
        using var answer = await http.PostAsJsonAsync("prompt", new JsonObject { ["prompt"] = graph, ["client_id"] = "someone-else" });
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }

    private static async Task<string> WaitForOurPromptAsync(FakeComfyUILog log, int count)
    {
        await WaitUntilAsync(() => log.QueuedPrompts.Count(p => p.ClientId?.StartsWith("paddock-", StringComparison.Ordinal) == true) >= count);
        return log.QueuedPrompts.Where(p => p.ClientId?.StartsWith("paddock-", StringComparison.Ordinal) == true).ElementAt(count - 1).PromptId!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the fake never saw it");
            await Task.Delay(50);
        }
    }
}
