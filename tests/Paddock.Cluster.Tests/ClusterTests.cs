using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Paddock.Storage.Postgres.Tests.Server;
using Paddock.Testing;
using SkiaSharp;
using Xunit.Abstractions;

namespace Paddock.Cluster.Tests;

/// <summary>
/// Two API processes and three worker processes on one PostgreSQL and one S3-compatible server, as a user runs them
/// (README "Running on several machines"): work and events pass through the database and the bucket only.
/// </summary>
public sealed class ClusterTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private const string TextModel = "happyhorse-1.0-t2v";

    /// <summary>The deployment's own one-second models (Catalog/*.json): the same request shapes, a third of the frames.</summary>
    private const string CheckTextModel = "cluster-check-t2v";
    private const string CheckReferenceModel = "cluster-check-r2v";

    /// <summary>
    /// How many generations the big test runs: the issue's 200 by default (PADDOCK_CLUSTER_GENERATIONS sets another
    /// count). Each is the cheapest clip the cluster's catalog offers (one second, 720×720, ultrafast): the test is about
    /// the processes between the renders, and 200 such clips take the cluster about as long as 100 three-second 720P ones.
    /// </summary>
    private static int GenerationCount =>
        int.TryParse(Environment.GetEnvironmentVariable("PADDOCK_CLUSTER_GENERATIONS"), out var n) && n > 0 ? n : 200;

    private static object Clip(int i, string? reference) => reference is null
        ? new { model = CheckTextModel, prompt = $"clip {i}: a red ball bounces across the floor", aspect_ratio = "1:1", resolution = "720P", duration = 1, seed = i }
        : new { model = CheckReferenceModel, prompt = $"clip {i}: Image 1 walks through a garden", reference_images = new[] { reference }, aspect_ratio = "1:1", resolution = "720P", duration = 1, seed = i };

    [Fact]
    public async Task Generations_enqueued_through_both_apis_complete_once_each_and_both_apis_stream_and_replay_the_same_events()
    {
        var count = GenerationCount;
        using var a = cluster.Client(cluster.ApiA);
        using var b = cluster.Client(cluster.ApiB);
        await using var streamA = await EventStream.OpenAsync(a);
        await using var streamB = await EventStream.OpenAsync(b);

        // One reference uploaded through each API; every fifth generation uses the one uploaded through the other API.
        var refOnA = await UploadAsync(a, cluster.ApiA, "hero-a.png", SKColors.OrangeRed);
        var refOnB = await UploadAsync(b, cluster.ApiB, "hero-b.png", SKColors.SteelBlue);

        // A stream opened without Last-Event-ID begins with the recent window's terminal events (earlier tests' here):
        // they are set aside; everything after them is this test's.
        await Task.Delay(500);
        var before = streamA.Drain().Concat(streamB.Drain()).Select(e => e.Id).DefaultIfEmpty(0).Max();

        var clock = Stopwatch.StartNew();
        var ids = new ConcurrentBag<string>();
        using var gate = new SemaphoreSlim(12);
        var submissions = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var client = i % 2 == 0 ? a : b;
                string? reference = i % 5 == 0 ? (client == a ? refOnB : refOnA) : null;
                if (i % 4 == 1)
                {
                    // Sync: blocks until the video exists, through whichever worker took it.
                    using var response = await client.PostAsJsonAsync("api/ai/videos/generate", Clip(i, reference));
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.IsSuccessStatusCode, $"sync generation {i} answered {(int)response.StatusCode}: {text}");
                    ids.Add(JsonNode.Parse(text)!["generation_id"]!.GetValue<string>());
                }
                else
                {
                    ids.Add(await Wire.EnqueueAsync(client, Clip(i, reference)));
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(submissions);
        var all = ids.ToHashSet();
        Assert.Equal(count, all.Count);

        var liveA = (await CompletionsAsync(streamA, all)).Where(e => e.Id > before).ToList();
        var liveB = (await CompletionsAsync(streamB, all)).Where(e => e.Id > before).ToList();
        output.WriteLine($"{count} generations through 2 APIs and 3 workers: all completions seen on both APIs after {clock.Elapsed.TotalSeconds:F1} s");

        // Exactly once: one completion per generation, on each API's stream, and nothing else completed.
        foreach (var live in new[] { liveA, liveB })
        {
            var perGeneration = live.GroupBy(e => GenerationOf(e)).ToDictionary(g => g.Key, g => g.Count());
            var others = live.Where(e => !all.Contains(GenerationOf(e))).ToList();
            Assert.True(others.Count == 0, "completions of generations this test did not make: " + string.Join("; ", others.Select(e => $"{e.Id} {e.Data}")));
            Assert.Equal(all.OrderBy(x => x), perGeneration.Keys.OrderBy(x => x));
            Assert.All(perGeneration, kv => Assert.True(kv.Value == 1, $"generation {kv.Key} completed {kv.Value} times"));
        }
        // Both streams carry the same events in the same order, ids rising (each API signs the output URL for its own address).
        Assert.Equal(liveA.Select(e => (e.Id, GenerationOf(e))), liveB.Select(e => (e.Id, GenerationOf(e))));
        Assert.All(liveB, e => Assert.StartsWith(cluster.ApiB.BaseUrl, JsonNode.Parse(e.Data)!["url"]!.GetValue<string>()));
        Assert.True(liveA.Zip(liveA.Skip(1)).All(p => p.First.Id < p.Second.Id), "event ids rise along the stream");

        foreach (var id in all.Take(20))
            Assert.Equal("succeeded", (await Wire.RowAsync(id.GetHashCode() % 2 == 0 ? a : b, id))["status"]!.GetValue<string>());

        // Last-Event-ID replay from the shared log: the same sequence on either API, holding each completion once.
        var last = liveA[^1].Id;
        var replayA = await ReplayAsync(a, last);
        var replayB = await ReplayAsync(b, last);
        Assert.Equal(replayA.Select(e => (e.Id, e.Type, GenerationOf(e))), replayB.Select(e => (e.Id, e.Type, GenerationOf(e))));
        var replayedCompletions = replayA.Where(e => e.Type == "media_generation_completed" && all.Contains(GenerationOf(e))).ToList();
        Assert.Equal(liveA.Select(e => (e.Id, GenerationOf(e))), replayedCompletions.Select(e => (e.Id, GenerationOf(e))));

        // An output URL from either API plays from the other (one bucket, one signing key).
        using var plain = new HttpClient();
        foreach (var completed in liveA.Take(3))
        {
            var url = JsonNode.Parse(completed.Data)!["url"]!.GetValue<string>();
            var other = url.StartsWith(cluster.ApiA.BaseUrl, StringComparison.Ordinal) ? url.Replace(cluster.ApiA.BaseUrl, cluster.ApiB.BaseUrl, StringComparison.Ordinal) : url.Replace(cluster.ApiB.BaseUrl, cluster.ApiA.BaseUrl, StringComparison.Ordinal);
            var video = await plain.GetByteArrayAsync(other);
            Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
        }
    }

    [Fact]
    public async Task A_worker_killed_mid_render_leaves_its_generation_to_another_worker_which_completes_it_once()
    {
        using var a = cluster.Client(cluster.ApiA);
        await using var stream = await EventStream.OpenAsync(a);
        var id = await Wire.EnqueueAsync(a, new { model = TextModel, prompt = "a slow pan over the hills at dusk", resolution = "720P", duration = 8 });
        await stream.NextAsync(e => e.Type == "media_generation_progress" && e.Data.Contains(id, StringComparison.Ordinal));
        var rendering = await RendererOfAsync();
        output.WriteLine($"{rendering.Name} (pid {rendering.Id}) renders {id}; SIGKILL");
        rendering.KillHard();

        var seen = new List<WireEvent>();
        await stream.NextAsync(e => e.Type == "media_generation_completed" && e.Data.Contains(id, StringComparison.Ordinal), seen);
        Assert.Equal("succeeded", (await Wire.WaitTerminalAsync(a, id))["status"]!.GetValue<string>());

        // Let the other workers settle, then count: one completion on the live stream and in the log, never two.
        await Task.Delay(TimeSpan.FromSeconds(2));
        seen.AddRange(stream.Drain());
        Assert.Single(seen, e => e.Type == "media_generation_completed" && e.Data.Contains(id, StringComparison.Ordinal));
        var replay = await ReplayAsync(a, seen.Max(e => e.Id));
        Assert.Single(replay, e => e.Type == "media_generation_completed" && e.Data.Contains(id, StringComparison.Ordinal));
        await cluster.StartWorkerAsync(rendering.Name + "-again");
    }

    [Fact]
    public async Task A_cancel_sent_to_api_a_stops_the_render_on_a_worker_within_a_second()
    {
        using var a = cluster.Client(cluster.ApiA);
        using var b = cluster.Client(cluster.ApiB);
        await using var stream = await EventStream.OpenAsync(a);
        // Enqueued through B, cancelled through A: neither API renders; the worker learns of it from the database.
        var id = await Wire.EnqueueAsync(b, new { model = TextModel, prompt = "a long slow pan over the mountains", resolution = "1080P", duration = 15 });
        await stream.NextAsync(e => e.Type == "media_generation_progress" && e.Data.Contains(id, StringComparison.Ordinal));
        var rendering = await RendererOfAsync();
        Assert.NotEmpty(rendering.FfmpegChildren());

        var clock = Stopwatch.StartNew();
        using (var cancel = await a.DeleteAsync($"api/ai/queue/{id}"))
            Assert.True(cancel.IsSuccessStatusCode, await cancel.Content.ReadAsStringAsync());
        while (rendering.FfmpegChildren().Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        var stopped = clock.Elapsed;
        output.WriteLine($"cancel on API A -> the render's ffmpeg on {rendering.Name} gone after {stopped.TotalMilliseconds:F0} ms");
        Assert.Empty(rendering.FfmpegChildren());
        Assert.True(stopped <= TimeSpan.FromSeconds(1), $"the render ran on for {stopped.TotalMilliseconds:F0} ms after the cancel (the promise is a second)");
        Assert.Equal("cancelled", (await Wire.WaitTerminalAsync(a, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Postgres_stopped_and_started_under_load_every_process_recovers_by_itself_and_no_acknowledged_generation_is_lost_or_doubled()
    {
        using var a = cluster.Client(cluster.ApiA);
        using var b = cluster.Client(cluster.ApiB);
        var processes = cluster.Running.Select(p => (Process: p, Pid: p.Id)).ToList();
        await using var streamA = await EventStream.OpenAsync(a);
        await using var streamB = await EventStream.OpenAsync(b);
        await Task.Delay(500);
        var before = streamA.Drain().Concat(streamB.Drain()).Select(e => e.Id).DefaultIfEmpty(0).Max();

        // Clients enqueue through both APIs in a loop, each request with its own Idempotency-Key, and read back the row
        // they were given; a 503 is sent again with the same key, as its message asks. Anything else is a problem.
        var tag = "restart-" + Guid.NewGuid().ToString("N")[..8];
        await UploadAsync(a, cluster.ApiA, "before-outage.png", SKColors.Gold);
        using var load = SubmissionLoad.Start([a, b, a, b, a, b], tag, retryUnavailable: true);
        await load.WaitAcknowledgedAsync(12);

        // The database goes away for two seconds under the load (sessions ended, as a crash or a failover would), then
        // comes back on the same address. No process is told or restarted.
        var outage = Stopwatch.StartNew();
        await cluster.Postgres.StopAsync();
        var acknowledgedBefore = load.AcknowledgedCount;
        var probed = await ProbeWhileDownAsync(a, b, acknowledgedBefore > 0 ? load.First.Id : "0");
        var rest = TimeSpan.FromSeconds(2) - outage.Elapsed;
        if (rest > TimeSpan.Zero) await Task.Delay(rest);
        var unavailableDuring = load.Unavailable;
        await cluster.Postgres.StartAsync();
        output.WriteLine($"PostgreSQL down for {outage.Elapsed.TotalSeconds:F1} s; {unavailableDuring} answers 503 service_unavailable meanwhile");
        await load.WaitAcknowledgedAsync(acknowledgedBefore + 12);
        var acknowledged = await load.StopAsync();

        Assert.True(load.Problems.IsEmpty, "answers other than 2xx or a 503 envelope: " + string.Join(" | ", load.Problems));
        Assert.True(unavailableDuring > 0, "no request was answered 503 while the database was down");
        Assert.All(probed, p => Assert.True(p.Unavailable, $"while the database was down, {p.Request} answered {p.Answer}"));
        // Both APIs acknowledge again after the outage, without a restart.
        Assert.Contains(acknowledged.Skip(acknowledgedBefore), x => x.Api == a);
        Assert.Contains(acknowledged.Skip(acknowledgedBefore), x => x.Api == b);
        var ids = acknowledged.Select(x => x.Id).ToHashSet();
        Assert.Equal(acknowledged.Count, ids.Count);
        output.WriteLine($"{acknowledged.Count} enqueues acknowledged through both APIs, {load.Unavailable} answers 503 in all");

        // Every acknowledged generation completes, once, on both APIs' streams (open across the outage), in one order.
        var liveA = (await CompletionsAsync(streamA, ids)).Where(e => e.Id > before).ToList();
        var liveB = (await CompletionsAsync(streamB, ids)).Where(e => e.Id > before).ToList();
        foreach (var live in new[] { liveA, liveB })
        {
            Assert.Equal(ids.Order(), live.Select(GenerationOf).Order());
        }
        Assert.Equal(liveA.Select(e => (e.Id, GenerationOf(e))), liveB.Select(e => (e.Id, GenerationOf(e))));

        // Nothing doubled: the generations with this test's prompts are exactly the acknowledged ones (a request whose
        // answer was lost in the outage and that was sent again made no second one).
        var made = (await AllGenerationsAsync(a)).Where(g => g.Prompt.StartsWith(tag, StringComparison.Ordinal)).ToList();
        Assert.Equal(ids.Order(), made.Select(g => g.Id).Order());
        Assert.All(made, g => Assert.Equal("succeeded", g.Status));

        // Every process recovered by itself: the same processes, and each worker renders again.
        Assert.All(processes, p => Assert.False(p.Process.HasExited, $"{p.Process.Name} exited"));
        Assert.Equal(processes.Select(p => p.Pid), cluster.Running.Take(processes.Count).Select(p => p.Id));
        await EachWorkerRendersAsync(a, tag + "-after");
        await EachProcessListensAgainAsync();
        await WaitQuietAsync(a);
    }

    [Fact]
    public async Task An_api_process_killed_while_acknowledging_submissions_loses_none_it_acknowledged()
    {
        await using var doomed = await cluster.StartApiAsync("api-c-" + Guid.NewGuid().ToString("N")[..6]);
        using var a = cluster.Client(cluster.ApiA);
        using var c = cluster.Client(doomed);
        var processes = cluster.Running.Select(p => (Process: p, Pid: p.Id)).ToList();
        await using var stream = await EventStream.OpenAsync(a);
        await Task.Delay(500);
        var before = stream.Drain().Select(e => e.Id).DefaultIfEmpty(0).Max();

        // Eight clients enqueue through API C as fast as it answers; C is SIGKILLed in the middle of that.
        var tag = "api-kill-" + Guid.NewGuid().ToString("N")[..8];
        using var load = SubmissionLoad.Start(Enumerable.Repeat(c, 8).ToList(), tag, retryUnavailable: false);
        await load.WaitAcknowledgedAsync(24);
        doomed.KillHard();
        var acknowledged = await load.StopAsync();
        output.WriteLine($"API C SIGKILLed after acknowledging {acknowledged.Count} generations; {load.Unanswered} requests in flight got no answer");

        Assert.True(load.Problems.IsEmpty, "answers other than 2xx: " + string.Join(" | ", load.Problems));
        Assert.True(load.Unanswered > 0, "no request was in flight when API C was killed");

        // Each generation C acknowledged exists, seen through API A, and completes exactly once.
        var ids = acknowledged.Select(x => x.Id).ToHashSet();
        foreach (var id in ids)
            Assert.NotEqual("failed", (await Wire.RowAsync(a, id))["status"]!.GetValue<string>());
        var live = (await CompletionsAsync(stream, ids)).Where(e => e.Id > before).ToList();
        var acknowledgedCompletions = live.Where(e => ids.Contains(GenerationOf(e))).ToList();
        Assert.Equal(ids.Order(), acknowledgedCompletions.Select(GenerationOf).Order());

        // What C committed but could not answer completes too (nothing is left half made), and the rest of the cluster
        // never noticed: the same processes go on.
        await WaitQuietAsync(a);
        var made = (await AllGenerationsAsync(a)).Where(g => g.Prompt.StartsWith(tag, StringComparison.Ordinal)).ToList();
        Assert.Subset(made.Select(g => g.Id).ToHashSet(), ids);
        Assert.All(made, g => Assert.Equal("succeeded", g.Status));
        output.WriteLine($"{made.Count - ids.Count} generations committed by C without an answer completed as well");
        var replay = await ReplayAsync(a, live.Max(e => e.Id));
        Assert.All(ids, id => Assert.Single(replay, e => e.Type == "media_generation_completed" && GenerationOf(e) == id));
        Assert.All(processes, p => Assert.False(p.Process.HasExited, $"{p.Process.Name} exited"));
    }

    private sealed record Probe(string Request, bool Unavailable, string Answer);

    /// <summary>
    /// Each kind of request a user makes, sent to both APIs while the database is down: each must answer 503 with the
    /// service_unavailable envelope and Retry-After (never a 500, never a dropped connection, never a hang).
    /// </summary>
    private static async Task<List<Probe>> ProbeWhileDownAsync(HttpClient a, HttpClient b, string knownId)
    {
        var probes = new List<Probe>();
        foreach (var (api, name) in new[] { (a, "A"), (b, "B") })
        {
            var requests = new List<(string, Func<HttpRequestMessage>)>
            {
                ("GET queue row", () => new HttpRequestMessage(HttpMethod.Get, $"api/ai/queue/{knownId}")),
                ("GET queue list", () => new HttpRequestMessage(HttpMethod.Get, "api/ai/queue")),
                ("GET generations page", () => new HttpRequestMessage(HttpMethod.Get, "api/ai/generations?page_size=5")),
                ("POST queue", () => new HttpRequestMessage(HttpMethod.Post, "api/ai/queue") { Content = JsonContent.Create(new { model = CheckTextModel, prompt = "during the outage", duration = 1 }) }),
                ("POST sync generate", () => new HttpRequestMessage(HttpMethod.Post, "api/ai/videos/generate") { Content = JsonContent.Create(new { model = CheckTextModel, prompt = "during the outage", duration = 1 }) }),
                ("DELETE queue row", () => new HttpRequestMessage(HttpMethod.Delete, $"api/ai/queue/{knownId}")),
                ("PUT file", () => new HttpRequestMessage(HttpMethod.Put, "api/repos/default/cast/file/main/outage.png")
                {
                    Content = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(64, 64, SKColors.Gold, SKColors.White)), "file", "outage.png" } },
                }),
                ("GET file", () => new HttpRequestMessage(HttpMethod.Get, "api/repos/default/cast/file/main/before-outage.png")),
                ("GET events after Last-Event-ID 1", () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
                    request.Headers.Add("Last-Event-ID", "1");
                    return request;
                }),
            };
            foreach (var (label, make) in requests)
            {
                using var request = make();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                    var text = response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable ? await response.Content.ReadAsStringAsync(timeout.Token) : "";
                    var envelope = text.Length > 0 ? JsonNode.Parse(text) : null;
                    var ok = response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null
                        && envelope?["status"]?.GetValue<string>() == "error" && envelope["error"]?["type"]?.GetValue<string>() == "service_unavailable";
                    probes.Add(new Probe($"{label} on API {name}", ok, $"{(int)response.StatusCode} {text}"));
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
                {
                    probes.Add(new Probe($"{label} on API {name}", false, $"{e.GetType().Name}: {e.Message}"));
                }
            }
        }
        return probes;
    }

    /// <summary>Long clips queued at once, one per worker: each worker is seen rendering (ffmpeg running under it).</summary>
    private async Task EachWorkerRendersAsync(HttpClient client, string tag)
    {
        var workers = cluster.Workers.Where(w => !w.HasExited).ToList();
        var ids = new List<string>();
        foreach (var _ in workers)
            ids.Add(await Wire.EnqueueAsync(client, new { model = CheckTextModel, prompt = $"{tag}: a long slow pan over the hills", aspect_ratio = "1:1", resolution = "720P", duration = 10 }));
        var seen = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        while (seen.Count < workers.Count && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var w in workers.Where(w => w.FfmpegChildren().Count > 0)) seen.Add(w.Name);
            await Task.Delay(20);
        }
        Assert.Equal(workers.Select(w => w.Name).Order(), seen.Order());
        // Seen is enough: the long clips are cancelled rather than waited for.
        foreach (var id in ids)
        {
            using var cancel = await client.DeleteAsync($"api/ai/queue/{id}");
            Assert.True(cancel.IsSuccessStatusCode, await cancel.Content.ReadAsStringAsync());
        }
    }

    /// <summary>
    /// Each process has its notification listener back on the database (one <c>paddock listener</c> session each), so
    /// its workers are woken and its streams fed at once again rather than by polling.
    /// </summary>
    private async Task EachProcessListensAgainAsync()
    {
        var expected = cluster.Running.Count;
        var listeners = 0L;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await using var connection = new Npgsql.NpgsqlConnection(cluster.Environment["PADDOCK__STORAGE__POSTGRES__CONNECTIONSTRING"]);
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'paddock listener'", connection);
            listeners = (long)(await count.ExecuteScalarAsync())!;
            if (listeners == expected) return;
            await Task.Delay(200);
        }
        Assert.Fail($"{listeners} processes listen to the database's notifications again, of {expected}");
    }

    /// <summary>Until the namespace has no queued or processing generation (so the next test starts on a quiet cluster).</summary>
    private static async Task WaitQuietAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var active = JsonNode.Parse(await client.GetStringAsync("api/ai/queue?page_size=1"))!["total_entries"]!.GetValue<long>();
            if (active == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"{active} generations are still queued or processing");
            await Task.Delay(100);
        }
    }

    private sealed record Listed(string Id, string Prompt, string Status);

    /// <summary>Every generation of the namespace, page by page.</summary>
    private static async Task<List<Listed>> AllGenerationsAsync(HttpClient client)
    {
        var all = new List<Listed>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await client.GetStringAsync($"api/ai/generations?page_size=1000{(cursor is null ? "" : "&after=" + cursor)}"))!;
            foreach (var item in page["generations"]!.AsArray())
                all.Add(new Listed(item!["generation_id"]!.GetValue<string>(), item["prompt"]!.GetValue<string>(), item["status"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null);
        return all;
    }

    private async Task<string> UploadAsync(HttpClient client, PaddockProcess api, string name, SKColor colour)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(640, 640, colour, SKColors.White)), "file", name } };
        using var response = await client.PutAsync($"api/repos/default/cast/file/main/{name}", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return $"{api.BaseUrl}/api/repos/default/cast/file/main/{name}";
    }

    /// <summary>The worker whose ffmpeg is running now (only one render is in progress in these tests).</summary>
    private async Task<PaddockProcess> RendererOfAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            var found = cluster.Workers.Where(w => !w.HasExited && w.FfmpegChildren().Count > 0).ToList();
            if (found.Count == 1) return found[0];
            await Task.Delay(50);
        }
        throw new InvalidOperationException("no single worker is rendering");
    }

    private static string GenerationOf(WireEvent e) => JsonNode.Parse(e.Data)?["generation_id"]?.GetValue<string>() ?? "";

    /// <summary>The completion events of <paramref name="ids"/>, in stream order, once each has completed (and any extra).</summary>
    private static async Task<List<WireEvent>> CompletionsAsync(EventStream stream, HashSet<string> ids)
    {
        var completions = new List<WireEvent>();
        var pending = new HashSet<string>(ids);
        while (pending.Count > 0)
        {
            var e = await stream.NextAsync(x => x.Type is "media_generation_completed" or "media_generation_failed");
            Assert.True(e.Type == "media_generation_completed", $"a generation failed: {e.Data}");
            completions.Add(e);
            pending.Remove(GenerationOf(e));
        }
        // Any duplicate already sent would be in the stream now; take what arrived without waiting.
        await Task.Delay(500);
        completions.AddRange(stream.Drain().Where(x => x.Type == "media_generation_completed"));
        return completions;
    }

    /// <summary>Every event from the start of the log up to <paramref name="last"/>, by Last-Event-ID 0.</summary>
    private static async Task<List<WireEvent>> ReplayAsync(HttpClient client, long last)
    {
        await using var replay = await EventStream.OpenAsync(client, lastEventId: 0);
        var events = new List<WireEvent>();
        await replay.NextAsync(e => e.Id >= last, events);
        return events.Where(e => e.Id <= last).ToList();
    }
}
