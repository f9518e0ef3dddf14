using Paddock.Engines.Upstream.Tests.Support;
using Paddock.Server.Tests.Support;

namespace Paddock.Engines.Upstream.Tests;

/// <summary>
/// A runs as a real <c>paddock serve</c> process and dies (SIGKILL) or is stopped (SIGTERM) while B renders its
/// generation; after a restart A finishes it, and B has rendered it exactly once.
/// </summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-upstream-restart-" + Guid.NewGuid().ToString("N"));

    // Short leases so a killed worker's row comes back quickly.
    private static readonly string[] FastRecovery =
        ["--Paddock:Workers:LeaseDuration=00:00:03", "--Paddock:Workers:RecoveryInterval=00:00:00.500", "--Paddock:Workers:HeartbeatInterval=00:00:00.500"];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public Task A_killed_while_B_renders_finishes_after_a_restart_and_B_renders_it_once() =>
        InterruptAndRestartAsync(a => a.Kill(), "Image 1 and Image 2 cross a snowy bridge, then cut to a campfire.");

    [Fact]
    public Task A_stopped_while_B_renders_finishes_after_a_restart_and_B_renders_it_once() =>
        InterruptAndRestartAsync(a => a.Terminate(TimeSpan.FromSeconds(20)), "Image 1 and Image 2 sail across a lake at sunset.");

    private async Task InterruptAndRestartAsync(Action<ServerProcess> interrupt, string prompt)
    {
        await using var chain = await Chain.StartAsync();
        var arguments = chain.DownstreamArguments(FastRecovery);
        string id, upstreamId;
        await using (var a = await ServerProcess.StartAsync(_data, arguments))
        {
            id = await Wire.EnqueueAsync(a.Client, new
            {
                model = Chain.Model, prompt, reference_images = new[] { Chain.DataUrl(Chain.FoxPng()), Chain.DataUrl(Chain.OwlPng()) },
                resolution = "720P", duration = 6,
            });
            var recorded = await Wire.WaitForAsync(a.Client, id, r => r["remote"]?["id"] is not null, TimeSpan.FromMinutes(1), "recorded its upstream generation");
            upstreamId = recorded["remote"]!["id"]!.GetValue<string>();
            await Wire.WaitForAsync(chain.B.Client, upstreamId, r => Wire.Status(r) == "processing", TimeSpan.FromMinutes(1), "started on B");
            interrupt(a);
        }

        await using (var restarted = await ServerProcess.StartAsync(_data, arguments))
        {
            var row = await Wire.WaitTerminalAsync(restarted.Client, id);
            Assert.True(Wire.Status(row) == "succeeded", row.ToJsonString());
            Assert.Equal(upstreamId, row["remote"]!["id"]!.GetValue<string>()); // the restarted A followed the same upstream generation

            var video = Path.Combine(_data, "downloaded.mp4");
            await File.WriteAllBytesAsync(video, await Wire.DownloadAsync(row["result_url"]!.GetValue<string>()));
            var facts = await Ffprobe.InspectAsync(video);
            Assert.Equal((1280, 720, "24/1", 144), (facts.Width, facts.Height, facts.FrameRate, facts.Frames));
        }

        var onB = (await Wire.AllRowsAsync(chain.B.Client)).Where(r => r["prompt"]?.GetValue<string>() == prompt).ToList();
        var upstream = Assert.Single(onB);
        Assert.Equal(upstreamId, upstream["generation_id"]!.GetValue<string>());
        Assert.Equal("succeeded", Wire.Status(upstream));
    }
}
