using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Tests.Support;
using Paddock.Fakes.ComfyUI;
using SkiaSharp;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>
/// The Paddock server dies or is stopped while ComfyUI works on its prompt: the next start finds the prompt on the
/// server (it was checkpointed before it was queued) and follows it, never queueing a pass twice.
/// </summary>
public sealed class ResumeTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-comfy-resume-" + Guid.NewGuid().ToString("N"));
    private FakeComfyUI _fake = null!;
    private ImageHost _images = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromSeconds(4), Steps = 4 });
        _images = await ImageHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        await _images.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private Dictionary<string, string> Settings => ComfyRig.Settings([_fake.BaseUri], new Dictionary<string, string>
    {
        // Short leases, so the killed server's generation is queued again soon.
        ["Paddock:Workers:LeaseDuration"] = "00:00:03",
        ["Paddock:Workers:RecoveryInterval"] = "00:00:00.500",
    });

    [Fact]
    public async Task After_a_kill_mid_prompt_the_restarted_server_follows_the_same_prompts_one_per_pass()
    {
        string id;
        await using (var server = await PaddockProcess.StartAsync(_data, Settings))
        {
            // Ten seconds: two passes; killed while the second runs on the GPU, so the first one's video lives only there.
            id = await EnqueueAsync(server.Client, new
            {
                model = ComfyRig.Vace, prompt = "Image 1 walks through the snow", reference_images = new[] { Reference() }, duration = 10, seed = 3,
            });
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (_fake.Log.QueuedPrompts.Count < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the second pass was never queued");
                await Task.Delay(50);
            }
            server.Kill();
        }
        var firstPassOutput = _fake.Log.Requests.Single(r => r.Path == "/view").Query;

        await using (var restarted = await PaddockProcess.StartAsync(_data, Settings))
        {
            var row = await Rows.WaitTerminalAsync(restarted.Client, id, TimeSpan.FromMinutes(3));
            Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
            Assert.True(row["attempt"]!.GetValue<int>() >= 2, "the killed attempt was taken up again");
            var video = await ComfyRig.ProbeOutputAsync(row);
            Assert.Equal((1280, 720, "24/1", 240), (video.Width, video.Height, video.FrameRate, video.Frames));
        }
        var prompts = _fake.Log.QueuedPrompts;
        Assert.Equal(2, prompts.Count);  // exactly one per pass: the second was followed, not queued again
        Assert.Equal(2, prompts.Select(p => p.PromptId).Distinct().Count());
        Assert.True(prompts[1].Graph!.AsObject().ContainsKey("20"), "the second pass continues from the first");
        // The first pass was not made again: its video was fetched again from the server by the name the checkpoint kept.
        Assert.Equal(2, _fake.Log.Requests.Count(r => r.Path == "/view" && r.Query == firstPassOutput));
    }

    [Fact]
    public async Task After_a_graceful_stop_mid_prompt_the_next_start_follows_the_same_prompt()
    {
        string id;
        await using (var server = await PaddockProcess.StartAsync(_data, Settings))
        {
            id = await EnqueueAsync(server.Client, new { model = ComfyRig.Phantom, prompt = "Image 1 turns around", reference_images = new[] { Reference() }, duration = 3 });
            await Rows.WaitForAsync(server.Client, id, r => r["progress"]?["phase"]?.GetValue<string>() == "generating", "generating");
            server.Terminate();
        }
        Assert.Empty(_fake.Log.Entries.OfType<Paddock.Fakes.ComfyUI.Logging.InterruptRequested>());  // a stop is not a cancel

        await using (var restarted = await PaddockProcess.StartAsync(_data, Settings))
        {
            var row = await Rows.WaitTerminalAsync(restarted.Client, id, TimeSpan.FromMinutes(2));
            Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
            Assert.Equal(1, row["attempt"]!.GetValue<int>());  // a graceful stop hands the job back: it is not a second attempt
            Assert.Equal(_fake.Log.QueuedPrompts.Single().PromptId, row["remote"]!["id"]!.GetValue<string>());
        }
    }

    private string Reference() => _images.Add("/ref.png", TestImages.Png(640, 480, SKColors.OrangeRed, SKColors.White));

    private static async Task<string> EnqueueAsync(HttpClient client, object body)
    {
        using var answer = await client.PostAsJsonAsync("api/ai/queue", body);
        var json = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        Assert.True(answer.IsSuccessStatusCode, json.ToJsonString());
        return json["generations"]![0]!["generation_id"]!.GetValue<string>();
    }
}
