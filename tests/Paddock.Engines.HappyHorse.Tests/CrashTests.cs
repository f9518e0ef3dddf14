using System.Text.Json.Nodes;
using Paddock.Engines.HappyHorse.Tests.Support;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>
/// `paddock serve` killed or stopped while the provider works on a generation's task: the next start waits for that
/// same task and finishes the generation — and the provider (the fake, in this test process, outliving the server)
/// saw exactly one task created.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const string CreatePath = "/api/v1/services/aigc/video-generation/video-synthesis";
    // Short leases so the killed server's row comes back quickly.
    private static readonly Dictionary<string, string> FastRecovery = new()
    {
        ["Paddock:Workers:LeaseDuration"] = "00:00:03",
        ["Paddock:Workers:RecoveryInterval"] = "00:00:00.500",
    };

    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-hh-crash-" + Guid.NewGuid().ToString("N"));
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(o => o.TaskTime = TimeSpan.FromSeconds(6));

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_server_killed_while_the_task_runs_finishes_it_after_a_restart_without_a_second_task()
    {
        string id;
        await using (var server = await ServerProcess.StartAsync(_data, _rig.Arguments(FastRecovery)))
        {
            id = await StartAndWaitUntilRunningAsync(server);
            server.Kill();
        }
        await using (var restarted = await ServerProcess.StartAsync(_data, _rig.Arguments(FastRecovery)))
        {
            var row = await Wire.WaitForAsync(restarted.Client, id, r => Wire.Status(r) is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(90));
            await AssertFinishedOnceAsync(row);
            Assert.True(row["attempt"]!.GetValue<int>() >= 2, "the killed attempt's lease ran out and another attempt took the row");
        }
    }

    [Fact]
    public async Task A_server_stopped_while_the_task_runs_hands_it_back_and_the_next_start_finishes_it_without_a_second_task()
    {
        string id;
        await using (var server = await ServerProcess.StartAsync(_data, _rig.Arguments()))
        {
            id = await StartAndWaitUntilRunningAsync(server);
            var stopping = server.Terminate(TimeSpan.FromSeconds(20));
            Assert.True(stopping < TimeSpan.FromSeconds(10), $"stopping took {stopping.TotalSeconds:F1} s");
        }
        await using (var restarted = await ServerProcess.StartAsync(_data, _rig.Arguments()))
        {
            var row = await Wire.WaitForAsync(restarted.Client, id, r => Wire.Status(r) is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(90));
            await AssertFinishedOnceAsync(row);
        }
    }

    /// <summary>Enqueues a two-reference generation and returns once its row names the task and the provider is running it.</summary>
    private async Task<string> StartAndWaitUntilRunningAsync(ServerProcess server)
    {
        var id = await Wire.EnqueueAsync(server.Client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 chases Image 2 across the lawn",
            reference_images = new[] { _rig.Reference("fox", SKColors.OrangeRed), _rig.Reference("ball", SKColors.RoyalBlue) },
            aspect_ratio = "16:9",
            resolution = "720P",
            duration = 3,
        });
        var row = await Wire.WaitForAsync(server.Client, id, r => r["remote"]?["id"] is not null || Wire.Status(r) is "failed", TimeSpan.FromSeconds(60));
        Assert.True(row["remote"]?["id"] is not null, row.ToJsonString());
        var taskId = row["remote"]!["id"]!.GetValue<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_rig.Fake.FindTask(taskId)?.Status != "RUNNING")
        {
            Assert.True(DateTime.UtcNow < deadline, "the provider never started the task");
            await Task.Delay(50);
        }
        return id;
    }

    private async Task AssertFinishedOnceAsync(JsonNode row)
    {
        Assert.True(Wire.Status(row) == "succeeded", row.ToJsonString());
        Assert.Single(_rig.Fake.Requests.Where("POST", CreatePath));
        var task = Assert.Single(_rig.Fake.Tasks);
        Assert.Equal(task.TaskId, row["remote"]!["id"]!.GetValue<string>());
        var (video, hasAudio) = await Wire.DownloadAndProbeAsync(row);
        Assert.Equal((1280, 720, 72), (video.Width, video.Height, video.Frames));
        Assert.True(hasAudio);
    }
}
