using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Tests.Support;
using Paddock.Fakes.ComfyUI.Logging;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>The same request a HappyHorse user sends, served by Wan 2.1 VACE on a (fake) ComfyUI server.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task Two_named_references_become_an_exact_24_fps_video_from_the_graph_the_manifest_describes()
    {
        await using var rig = await ComfyRig.StartAsync();
        var references = rig.References(2);
        const string prompt = "Image 1 walks through a garden with Image 2, cinematic lighting";
        var id = await rig.EnqueueAsync(new
        {
            model = ComfyRig.Vace, prompt, reference_images = references, aspect_ratio = "16:9", resolution = "720P", duration = 5, seed = 42,
        });
        var row = await rig.WaitTerminalAsync(id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());

        // The promise of the API, whatever the model made natively (16 fps, 81 frames).
        var video = await ComfyRig.ProbeOutputAsync(row);
        Assert.Equal(("h264", "yuv420p", 1280, 720, "24/1", 120), (video.Codec, video.PixelFormat, video.Width, video.Height, video.FrameRate, video.Frames));

        // One prompt, with our own id and client id, after the socket was opened for that client.
        var log = rig.Fake.Log;
        var queued = Assert.Single(log.QueuedPrompts);
        Assert.Equal(row["remote"]!["id"]!.GetValue<string>(), queued.PromptId);
        Assert.Equal("comfyui", row["remote"]!["backend"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", queued.PromptId!);
        var socket = log.Entries.OfType<WebSocketOpened>().First(s => s.ClientId == queued.ClientId);
        Assert.True(socket.Sequence < queued.Sequence, "the socket is opened before the prompt is queued");

        // The graph carries the request where the manifest says: prompt, seed, native size and length, fps, references.
        var graph = queued.Graph!.AsObject();
        Assert.Equal(prompt, graph["5"]!["inputs"]!["text"]!.GetValue<string>());
        Assert.Equal(42, graph["31"]!["inputs"]!["seed"]!.GetValue<long>());
        Assert.Equal((1280, 720, 81), (graph["30"]!["inputs"]!["width"]!.GetValue<int>(), graph["30"]!["inputs"]!["height"]!.GetValue<int>(), graph["30"]!["inputs"]!["length"]!.GetValue<int>()));
        Assert.Equal((1280, 720), (graph["15"]!["inputs"]!["target_width"]!.GetValue<int>(), graph["15"]!["inputs"]!["target_height"]!.GetValue<int>()));
        Assert.Equal(16.0, graph["34"]!["inputs"]!["fps"]!.GetValue<double>());
        var uploads = log.Uploads.Select(u => u.StoredName).ToList();
        Assert.Equal(2, uploads.Count);
        Assert.Equal(uploads[0], graph["10"]!["inputs"]!["image"]!.GetValue<string>());
        Assert.Equal(uploads[1], graph["11"]!["inputs"]!["image"]!.GetValue<string>());
        Assert.Equal("""["13",0]""", graph["15"]!["inputs"]!["image"]!.ToJsonString());  // two references: stitched 1+2
        Assert.False(graph.ContainsKey("12"), "the third reference slot is pruned");
        Assert.False(graph.ContainsKey("20"), "no continuation video in a first pass");
        Assert.False(graph["30"]!["inputs"]!.AsObject().ContainsKey("control_video"));

        // Progress flowed in order: started, then phases forward only, the sampler's percent never going back, then done.
        var events = await rig.EventsOfAsync(id);
        var story = Events.Describe(events);
        Assert.Equal("media_generation_started", events[0].Type);
        Assert.Equal("media_generation_completed", events[^1].Type);
        string[] order = ["fetching_references", "rendering", "uploading", "queued", "generating", "downloading", "conforming", "storing"];
        var progress = events.Where(e => e.Type == "media_generation_progress").Select(e => (Phase: e.Data["phase"]!.GetValue<string>(), Percent: e.Data["percent"]!.GetValue<int>())).ToList();
        Assert.Contains(progress, p => p.Phase == "generating" && p.Percent > 0);
        Assert.All(progress, p => Assert.Contains(p.Phase, order));
        for (var i = 1; i < progress.Count; i++)
        {
            Assert.True(Array.IndexOf(order, progress[i].Phase) >= Array.IndexOf(order, progress[i - 1].Phase), $"phases went back: {story}");
            if (progress[i].Phase == progress[i - 1].Phase) Assert.True(progress[i].Percent >= progress[i - 1].Percent, $"percent went back: {story}");
        }
    }

    [Fact]
    public async Task A_ten_second_video_is_two_passes_the_second_continuing_from_the_last_frames_of_the_first()
    {
        await using var rig = await ComfyRig.StartAsync();
        var id = await rig.EnqueueAsync(new
        {
            model = ComfyRig.Vace, prompt = "Image 1 dances on a beach at sunset", reference_images = rig.References(1), duration = 10, seed = 7,
        });
        var row = await rig.WaitTerminalAsync(id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
        var video = await ComfyRig.ProbeOutputAsync(row);
        Assert.Equal((1280, 720, "24/1", 240), (video.Width, video.Height, video.FrameRate, video.Frames));

        var log = rig.Fake.Log;
        Assert.Equal(2, log.QueuedPrompts.Count);
        var (first, second) = (log.QueuedPrompts[0].Graph!.AsObject(), log.QueuedPrompts[1].Graph!.AsObject());
        Assert.False(first.ContainsKey("20"), "the first pass starts from nothing");

        // The second pass starts from the first one's last frames, uploaded as a clip, with keep-masks for each.
        var tail = log.Uploads.Single(u => u.FileName.StartsWith("paddock-tail-", StringComparison.Ordinal) && u.FileName.EndsWith(".mp4", StringComparison.Ordinal));
        Assert.Equal(tail.StoredName, second["20"]!["inputs"]!["file"]!.GetValue<string>());
        var carried = second["24"]!["inputs"]!["amount"]!.GetValue<int>();
        Assert.InRange(carried, 1, 9);
        Assert.Equal("""["21",0]""", second["30"]!["inputs"]!["control_video"]!.ToJsonString());
        Assert.Equal("""["25",0]""", second["30"]!["inputs"]!["control_masks"]!.ToJsonString());
        // 10 s at 16 fps is 160 frames: 81 + (81 - carried) covers it; each pass has its own seed.
        Assert.Equal(81, first["30"]!["inputs"]!["length"]!.GetValue<int>());
        Assert.True(81 + second["30"]!["inputs"]!["length"]!.GetValue<int>() - carried >= 160);
        Assert.Equal((7L, 8L), (first["31"]!["inputs"]!["seed"]!.GetValue<long>(), second["31"]!["inputs"]!["seed"]!.GetValue<long>()));
        Assert.Equal(row["remote"]!["id"]!.GetValue<string>(), log.QueuedPrompts[1].PromptId);
        Assert.Equal(2, log.Finished.Count(f => f.Outcome == PromptOutcome.Success));
    }
}
