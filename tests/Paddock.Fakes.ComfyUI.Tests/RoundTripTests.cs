using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Tests.Support;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Fakes.ComfyUI.Tests;

/// <summary>The whole way an engine uses a ComfyUI server: upload, queue, follow the socket, read history, fetch the video.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public async Task A_filled_VACE_template_runs_in_the_real_message_order_and_leaves_a_real_video()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromMilliseconds(600), Steps = 4 });
        using var http = new ComfyHttp(fake.BaseUri);
        var clientId = Guid.NewGuid().ToString("N");
        await using var socket = await ComfySocket.ConnectAsync(fake.BaseUri, clientId);
        var hello = (await socket.UntilAsync(m => m.Type == "status"))[^1];
        Assert.Equal(clientId, hello.Data!["sid"]!.GetValue<string>());
        Assert.Equal(0, hello.Data["status"]!["exec_info"]!["queue_remaining"]!.GetValue<int>());

        var references = await TestKit.UploadReferencesAsync(http, 2);
        var vace = ShippedWorkflow.Load("wan2.1-vace-r2v");
        var graph = vace.Fill(new PassRequest("Image 1 chases Image 2 through a garden", 42, 320, 192, 17, references));
        var promptId = TestKit.NewPromptId();
        var (status, body) = await http.QueueAsync(graph, clientId, promptId);

        Assert.Equal(200, status);
        Assert.Equal(promptId, body!["prompt_id"]!.GetValue<string>());
        Assert.Equal(0, body["number"]!.GetValue<int>());
        Assert.Empty(body["node_errors"]!.AsObject());

        var messages = await socket.UntilPromptEndsAsync(promptId);
        var types = messages.Types().ToList();
        Assert.DoesNotContain(messages, m => m.Binary is not null);  // no previews unless asked
        // Queued, then taken: two status messages before anything runs; status again after success; executing null last.
        Assert.Equal(["status", "status", "execution_start", "execution_cached"], types.Take(4));
        Assert.Equal(["execution_success", "status", "executing"], types.TakeLast(3));
        Assert.Equal(1, messages[0].Data!["status"]!["exec_info"]!["queue_remaining"]!.GetValue<int>());
        Assert.Equal(0, messages[^2].Data!["status"]!["exec_info"]!["queue_remaining"]!.GetValue<int>());
        Assert.Empty(messages[3].Data!["nodes"]!.AsArray());

        // Every node runs once, each announced by progress_state (running) then executing with display_node.
        var executing = messages.Where(m => m.Type == "executing" && m.Data!["node"] is not null).ToList();
        Assert.Equal(graph.Select(p => p.Key).Order(), executing.Select(m => m.Data!["node"]!.GetValue<string>()).Order());
        foreach (var e in executing)
        {
            var before = messages[messages.IndexOf(e) - 1];
            var node = e.Data!["node"]!.GetValue<string>();
            Assert.Equal("progress_state", before.Type);
            Assert.Equal("running", before.Data!["nodes"]![node]!["state"]!.GetValue<string>());
            Assert.Equal(node, e.Data["display_node"]!.GetValue<string>());
            Assert.Equal(promptId, e.PromptId);
        }
        var progress = messages.Where(m => m.Type == "progress").ToList();
        Assert.Equal([1, 2, 3, 4], progress.Select(p => p.Data!["value"]!.GetValue<int>()));
        Assert.All(progress, p => Assert.Equal(4, p.Data!["max"]!.GetValue<int>()));
        Assert.All(progress, p => Assert.Equal("31", p.Data!["node"]!.GetValue<string>()));
        Assert.All(progress, p => Assert.Equal("progress_state", messages[messages.IndexOf(p) - 1].Type));

        var executed = Assert.Single(messages, m => m.Type == "executed");
        Assert.Equal("35", executed.Data!["node"]!.GetValue<string>());
        var saved = executed.Data["output"]!["images"]![0]!;
        Assert.Equal("wan2.1-vace-r2v_00001_.mp4", saved["filename"]!.GetValue<string>());
        Assert.Equal("paddock", saved["subfolder"]!.GetValue<string>());
        Assert.Equal("output", saved["type"]!.GetValue<string>());
        Assert.True(executed.Data["output"]!["animated"]![0]!.GetValue<bool>());

        var history = (await http.GetJsonAsync($"/history/{promptId}"))[promptId]!.AsObject();
        Assert.Equal("success", history["status"]!["status_str"]!.GetValue<string>());
        Assert.True(history["status"]!["completed"]!.GetValue<bool>());
        Assert.Equal(["execution_start", "execution_cached", "execution_success"], history.Messages().Select(m => m![0]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(executed.Data["output"], history["outputs"]!["35"]));
        var queued = history["prompt"]!.AsArray();
        Assert.Equal(promptId, queued[1]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(graph, queued[2]));
        Assert.Equal(clientId, queued[3]!["client_id"]!.GetValue<string>());
        Assert.Equal(["35"], queued[4]!.AsArray().Select(o => o!.GetValue<string>()));

        using var view = await http.Http.GetAsync($"/view?filename={saved["filename"]}&subfolder=paddock&type=output");
        Assert.Equal("video/mp4", view.Content.Headers.ContentType!.MediaType);
        Assert.Equal("filename=\"wan2.1-vace-r2v_00001_.mp4\"", string.Join("", view.Content.Headers.GetValues("Content-Disposition")));
        var video = await TestMedia.ProbeAsync(await view.Content.ReadAsByteArrayAsync());
        Assert.Equal(new ProbedVideo("h264", "mov,mp4,m4a,3gp,3g2,mj2", 320, 192, "16/1", 17), video);

        // What the engine author asserts: one prompt queued for the generation, carrying what the manifest says.
        var sent = Assert.Single(fake.Log.QueuedPrompts);
        Assert.Equal(promptId, sent.PromptId);
        Assert.Equal(clientId, sent.ClientId);
        Assert.Equal("Image 1 chases Image 2 through a garden", sent.Graph!["5"]!["inputs"]!["text"]!.GetValue<string>());
        Assert.Equal(42, sent.Graph["31"]!["inputs"]!["seed"]!.GetValue<int>());
        Assert.Equal(references, [sent.Graph["10"]!["inputs"]!["image"]!.GetValue<string>(), sent.Graph["11"]!["inputs"]!["image"]!.GetValue<string>()]);
        Assert.Equal(2, fake.Log.Uploads.Count);
    }

    [Fact]
    public async Task Phantom_takes_four_references_and_a_length_that_is_not_4n_plus_1_gives_fewer_frames()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromMilliseconds(300), Steps = 2 });
        using var http = new ComfyHttp(fake.BaseUri);
        var references = await TestKit.UploadReferencesAsync(http, 4);
        var phantom = ShippedWorkflow.Load("phantom-wan-r2v");
        // 420 is no multiple of 8 and 27 is no 4n+1: Wan's latent rounds both down (416, 25 frames).
        var graph = phantom.Fill(new PassRequest("Image 1, Image 2, Image 3 and Image 4 share a table", 7, 420, 240, 27, references));
        Assert.Equal(4, graph.Count(n => n.Value!["class_type"]!.GetValue<string>() == "LoadImage"));
        var promptId = TestKit.NewPromptId();
        var (status, _) = await http.QueueAsync(graph, clientId: null, promptId);
        Assert.Equal(200, status);

        var history = await http.WaitForHistoryAsync(promptId);
        var saved = history["outputs"]!["35"]!["images"]![0]!;
        var bytes = await http.Http.GetByteArrayAsync($"/view?filename={saved["filename"]}&subfolder={saved["subfolder"]}&type=output");
        Assert.Equal(new ProbedVideo("h264", "mov,mp4,m4a,3gp,3g2,mj2", 416, 240, "24/1", 25), await TestMedia.ProbeAsync(bytes));
    }

    [Fact]
    public async Task An_identical_graph_is_served_from_cache_and_a_new_seed_reruns_only_the_sampler_and_what_follows()
    {
        await using var fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromMilliseconds(300), Steps = 2 });
        using var http = new ComfyHttp(fake.BaseUri);
        var clientId = Guid.NewGuid().ToString("N");
        await using var socket = await ComfySocket.ConnectAsync(fake.BaseUri, clientId);
        var references = await TestKit.UploadReferencesAsync(http, 1);
        var vace = ShippedWorkflow.Load("wan2.1-vace-r2v");
        var graph = vace.Fill(new PassRequest("Image 1 waves", 1, 128, 96, 9, references));

        var first = TestKit.NewPromptId();
        await http.QueueAsync(graph, clientId, first);
        var firstRun = await socket.UntilPromptEndsAsync(first);
        var firstFile = firstRun.Single(m => m.Type == "executed").Data!["output"]!["images"]![0]!["filename"]!.GetValue<string>();

        var second = TestKit.NewPromptId();
        await http.QueueAsync(graph, clientId, second);
        var secondRun = await socket.UntilPromptEndsAsync(second);
        var cached = secondRun.Single(m => m.Type == "execution_cached").Data!["nodes"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(graph.Select(p => p.Key).Order(), cached.Order());
        Assert.DoesNotContain(secondRun, m => m.Type == "progress" || (m.Type == "executing" && m.Data!["node"] is not null));
        var shown = secondRun.Single(m => m.Type == "executed");
        Assert.Equal(firstFile, shown.Data!["output"]!["images"]![0]!["filename"]!.GetValue<string>());
        Assert.Equal(firstFile, (await http.WaitForHistoryAsync(second))["outputs"]!["35"]!["images"]![0]!["filename"]!.GetValue<string>());
        Assert.Empty(fake.Log.Finished.Single(f => f.PromptId == second).ExecutedNodes);
        Assert.Single(Directory.GetFiles(Path.Combine(fake.OutputDirectory, "paddock")));

        var reseeded = TestKit.NewPromptId();
        graph["31"]!["inputs"]!["seed"] = 2;
        await http.QueueAsync(graph, clientId, reseeded);
        var thirdRun = await socket.UntilPromptEndsAsync(reseeded);
        var reused = thirdRun.Single(m => m.Type == "execution_cached").Data!["nodes"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(["1", "10", "15", "2", "3", "30", "4", "5", "6"], reused.Order(StringComparer.Ordinal));
        Assert.Equal(["31", "32", "33", "34", "35"], fake.Log.Finished.Single(f => f.PromptId == reseeded).ExecutedNodes);
        Assert.Equal("wan2.1-vace-r2v_00002_.mp4", thirdRun.Single(m => m.Type == "executed").Data!["output"]!["images"]![0]!["filename"]!.GetValue<string>());
    }
}
