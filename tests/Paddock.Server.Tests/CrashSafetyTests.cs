using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>SIGKILL the server while generations are queued and rendering: after a restart every acknowledged one ends exactly once.</summary>
public sealed class CrashSafetyTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-crash-" + Guid.NewGuid().ToString("N"));
    // Short leases so a crashed worker's rows come back quickly.
    private static readonly string[] FastRecovery = ["--Paddock:Workers:LeaseDuration=00:00:03", "--Paddock:Workers:RecoveryInterval=00:00:00.500", "--Paddock:Workers:HeartbeatInterval=00:00:00.500"];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_acknowledged_generation_ends_exactly_once_after_a_kill()
    {
        var acknowledged = new List<string>();
        await using (var server = await ServerProcess.StartAsync(_data, FastRecovery))
        {
            // A long one that will be mid-render, then a burst of enqueues acknowledged right before the kill.
            acknowledged.AddRange(await Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a long render", resolution = "1080P", duration = 10 }));
            while (true)
            {
                var row = await Api.GetRowAsync(server.Client, acknowledged[0]);
                if (row["progress"]!["percent"]!.GetValue<int>() >= 10) break;
                await Task.Delay(50);
            }
            var burst = Enumerable.Range(0, 12).Select(i => Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-r2v", prompt = $"clip {i}", resolution = "720P", duration = 3 }));
            foreach (var ids in await Task.WhenAll(burst)) acknowledged.AddRange(ids);
            server.Kill();
        }

        await using (var restarted = await ServerProcess.StartAsync(_data, FastRecovery))
        {
            foreach (var id in acknowledged)
            {
                var row = await Api.WaitTerminalAsync(restarted.Client, id, TimeSpan.FromMinutes(4));
                Assert.Equal("succeeded", row["status"]!.GetValue<string>());
            }
            Assert.True((await Api.GetRowAsync(restarted.Client, acknowledged[0]))["attempt"]!.GetValue<int>() >= 2, "the interrupted render was taken up again");

            // Exactly one completion event per generation in the durable log (replayed from the start).
            var completions = await ReadCompletionsAsync(restarted, acknowledged.Count);
            foreach (var id in acknowledged) Assert.Equal(1, completions.Count(c => c == id));
        }
    }

    [Fact]
    public async Task A_server_stopped_mid_render_hands_the_generation_back_and_the_next_start_finishes_it()
    {
        string id;
        // Default leases (minutes): after a graceful stop the row must not wait for one to run out. One worker, so that
        // the sync request below waits in line behind the render.
        await using (var server = await ServerProcess.StartAsync(_data, "--Paddock:Workers:Concurrency=1"))
        {
            id = (await Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a long render", resolution = "1080P", duration = 10 }))[0];
            while ((await Api.GetRowAsync(server.Client, id))["progress"]?["percent"]?.GetValue<int>() is not >= 10) await Task.Delay(50);
            // Open connections must not hold the stop: an event stream, and a sync request waiting behind the render.
            await using var stream = await SseReader.OpenAsync(server.Client);
            var sync = server.Client.PostAsJsonAsync("api/ai/videos/generate", new { model = "happyhorse-1.0-r2v", prompt = "waiting in line", resolution = "720P", duration = 3 });
            await Task.Delay(500);

            var stopping = server.Terminate(TimeSpan.FromSeconds(20));
            Assert.True(stopping < TimeSpan.FromSeconds(10), $"stopping took {stopping.TotalSeconds:F1} s");
            using var answer = await sync;
            var error = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            Assert.Equal(503, (int)answer.StatusCode);
            Assert.Equal("server_stopping", error["error"]!["type"]!.GetValue<string>());
            Assert.Contains("stays queued", error["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        await using (var restarted = await ServerProcess.StartAsync(_data))
        {
            var row = await Api.WaitTerminalAsync(restarted.Client, id, TimeSpan.FromMinutes(2));
            Assert.Equal("succeeded", row["status"]!.GetValue<string>());
            // The attempt handed back on the graceful stop does not count (README: "The queue never loses a job").
            Assert.Equal(1, row["attempt"]!.GetValue<int>());

            // Its stream tells the story: started, handed back with the reason, started again, completed once.
            await using var stream = await SseReader.OpenAsync(restarted.Client, lastEventId: 0);
            var story = new List<string>();
            while (await stream.NextAsync(TimeSpan.FromSeconds(3)) is { } e)
            {
                if (e.Type != "media_generation_progress" && e.Data.Contains(id, StringComparison.Ordinal)) story.Add(e.Type);
                if (e.Type == "media_generation_requeued") Assert.Contains("shut down", e.Data, StringComparison.Ordinal);
                if (e.Type == "media_generation_started" && e.Data.Contains(id, StringComparison.Ordinal)) Assert.Contains("\"attempt\":1", e.Data, StringComparison.Ordinal);
            }
            Assert.Equal(["media_generation_started", "media_generation_requeued", "media_generation_started", "media_generation_completed"], story);
        }
    }

    [Fact]
    public async Task A_live_event_stream_sees_the_requeued_event_of_a_graceful_stop_before_it_closes()
    {
        await using var server = await ServerProcess.StartAsync(_data);
        var id = (await Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a long render", resolution = "1080P", duration = 10 }))[0];
        await using var stream = await SseReader.OpenAsync(server.Client);
        await stream.ReadUntilAsync(e => e.Type == "media_generation_progress" && e.Data.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        server.Terminate(TimeSpan.FromSeconds(20));
        // Whatever arrived before the server closed the stream: the hand-back must be among it, not only in a later replay.
        var seen = new List<SseEvent>();
        while (await stream.NextAsync(TimeSpan.FromSeconds(5)) is { } e) seen.Add(e);
        var requeued = seen.SingleOrDefault(e => e.Type == "media_generation_requeued");
        Assert.True(requeued is not null, $"the stream closed after: {string.Join(", ", seen.Select(e => e.Type))}");
        Assert.Contains(id, requeued.Data, StringComparison.Ordinal);
        Assert.Contains("shut down", requeued.Data, StringComparison.Ordinal);
    }

    private static async Task<List<string>> ReadCompletionsAsync(ServerProcess server, int expected)
    {
        await using var stream = await SseReader.OpenAsync(server.Client, lastEventId: 0);
        var ids = new List<string>();
        while (await stream.NextAsync(TimeSpan.FromSeconds(3)) is { } e)
        {
            if (e.Type == "media_generation_completed") ids.Add(JsonNode.Parse(e.Data)!["generation_id"]!.GetValue<string>());
        }
        Assert.True(ids.Count >= expected, $"only {ids.Count} completions replayed");
        return ids;
    }
}
