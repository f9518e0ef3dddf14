using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Queue;
using Paddock.Core.Storage;
using Paddock.Testing;
using Xunit.Abstractions;

namespace Paddock.Storage.Postgres.Tests.Server;

/// <summary>The real server with <c>Paddock:Storage:Provider=postgres</c>: the API as a user sees it, one process or several on one database.</summary>
public sealed class ServerOnPostgresTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ShortClip = "happyhorse-1.0-t2v";
    private readonly PostgresTestDatabase _database = new();
    private readonly List<PaddockHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<PaddockHost> StartAsync(int workers, string? dataDirectory = null, string? connectionString = null)
    {
        var host = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Storage:Provider"] = "postgres",
            ["Paddock:Storage:Postgres:ConnectionString"] = connectionString ?? await _database.ConnectionStringAsync(),
            ["Paddock:Workers:Concurrency"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, dataDirectory);
        _hosts.Add(host);
        return host;
    }

    [Fact]
    public async Task Enqueue_render_events_replay_and_keys_work_on_postgres()
    {
        var server = await StartAsync(workers: 1);
        Assert.IsType<PostgresStore>(server.Services.GetRequiredService<IStorage>());
        await using var stream = await EventStream.OpenAsync(server.Client);

        var id = await Wire.EnqueueAsync(server.Client, new { model = ShortClip, prompt = "a horse gallops along the beach at dawn", resolution = "720P", duration = 3 });
        var completed = await stream.NextAsync(e => e.Type == "media_generation_completed" && e.Data.Contains(id, StringComparison.Ordinal));

        var row = await Wire.WaitTerminalAsync(server.Client, id);
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        using var plain = new HttpClient();
        var video = await plain.GetByteArrayAsync(JsonNode.Parse(completed.Data)!["url"]!.GetValue<string>());
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);

        // Replay from the shared log: after Last-Event-ID 0 the whole history, started before completed, in order.
        await using var replay = await EventStream.OpenAsync(server.Client, lastEventId: 0);
        var replayed = new List<WireEvent>();
        await replay.NextAsync(e => e.Id == completed.Id, replayed);
        Assert.Equal(replayed.Select(e => e.Id).Order(), replayed.Select(e => e.Id));
        Assert.Contains(replayed, e => e.Type == "media_generation_started" && e.Data.Contains(id, StringComparison.Ordinal));

        // Keys live in PostgreSQL too: a new namespace's key works at once and sees nothing of 'default'.
        var other = server.CreateClient(await server.CreateKeyAsync("acme"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"api/ai/queue/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient("pdk_" + new string('0', 64)).GetAsync("api/ai/queue")).StatusCode);
        var page = JsonNode.Parse(await server.Client.GetStringAsync("api/ai/generations?page_size=10"))!;
        Assert.Equal(1, page["total_entries"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_worker_process_takes_work_queued_on_an_api_process_and_a_cancel_there_stops_its_render()
    {
        // Two processes on one database and one data folder (the blobs and the signing key): an API without workers, and
        // a worker. Everything between them passes through PostgreSQL.
        var api = await StartAsync(workers: 0);
        var worker = await StartAsync(workers: 1, dataDirectory: api.DataDirectory);
        await using var stream = await EventStream.OpenAsync(api.Client);

        var enqueued = Stopwatch.StartNew();
        var longId = await Wire.EnqueueAsync(api.Client, new { model = ShortClip, prompt = "a long slow pan over the mountains", resolution = "1080P", duration = 15 });
        var started = await stream.NextAsync(e => e.Type == "media_generation_started" && e.Data.Contains(longId, StringComparison.Ordinal));
        output.WriteLine($"enqueue on the API process -> started event from the worker process, seen on the API's stream: {enqueued.Elapsed.TotalMilliseconds:F0} ms");
        await stream.NextAsync(e => e.Type == "media_generation_progress" && e.Data.Contains(longId, StringComparison.Ordinal));

        var nextId = await Wire.EnqueueAsync(api.Client, new { model = ShortClip, prompt = "a short clip", resolution = "720P", duration = 3 });
        var cancelled = Stopwatch.StartNew();
        using (var cancel = await api.Client.DeleteAsync($"api/ai/queue/{longId}"))
            Assert.True(cancel.IsSuccessStatusCode);
        // The worker learns of the cancel at its next heartbeat, stops the render, and takes the next row.
        var nextStarted = await stream.NextAsync(e => e.Type == "media_generation_started" && e.Data.Contains(nextId, StringComparison.Ordinal));
        output.WriteLine($"cancel on the API process -> the worker process started its next generation: {cancelled.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(5), $"the cancelled render held the worker for {cancelled.Elapsed}");

        Assert.Equal("succeeded", (await Wire.WaitTerminalAsync(api.Client, nextId))["status"]!.GetValue<string>());
        Assert.Equal("cancelled", (await Wire.RowAsync(api.Client, longId))["status"]!.GetValue<string>());
        var events = await worker.Services.GetRequiredService<Paddock.Core.Events.IEventLog>().ReadAfterAsync("default", 0, 1000);
        Assert.DoesNotContain(events, e => e.Type == "media_generation_completed" && e.Data.Contains(longId, StringComparison.Ordinal));
        Assert.Single(events, e => e.Type == "media_generation_completed" && e.Data.Contains(nextId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_postgres_restart_under_load_loses_and_doubles_nothing_and_the_server_recovers_by_itself()
    {
        await using var cluster = await PostgresCluster.StartOwnAsync();
        var server = await StartAsync(workers: 1, connectionString: await cluster.CreateDatabaseAsync());

        // Clients enqueue in a loop, each request with its own Idempotency-Key; a 503 is retried with the same key (as
        // the 503's message asks), so a commit whose answer was lost is not made twice. Anything else is a failure.
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var unavailable = 0;
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            using var client = server.CreateClient(server.ApiKey);
            client.Timeout = TimeSpan.FromSeconds(60);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"load-{c}-{i}";
                for (var attempt = 0; ; attempt++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "api/ai/queue")
                    {
                        Content = new StringContent(JsonSerializer.Serialize(new { model = ShortClip, prompt = $"clip {c}.{i}", resolution = "720P", duration = 3 }), Encoding.UTF8, "application/json"),
                    };
                    request.Headers.Add("Idempotency-Key", key);
                    using var response = await client.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        acknowledged[key] = JsonNode.Parse(body)!["generations"]![0]!["generation_id"]!.GetValue<string>();
                        break;
                    }
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null && body.Contains("\"service_unavailable\"", StringComparison.Ordinal) && attempt < 100)
                    {
                        Interlocked.Increment(ref unavailable);
                        await Task.Delay(200);
                        continue;
                    }
                    problems.Enqueue($"{(int)response.StatusCode}: {body}");
                    return;
                }
            }
        })).ToList();

        await Task.Delay(1500);
        var before = acknowledged.Count;
        await cluster.RestartAsync();
        await Task.Delay(2500);
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        output.WriteLine($"{acknowledged.Count} enqueues acknowledged ({before} before the restart), {unavailable} answers 503 service_unavailable during it");

        Assert.Empty(problems);
        Assert.True(acknowledged.Count > before, "nothing was acknowledged after the restart");
        // Every acknowledged generation is there once: none lost, none made twice by a retried request.
        var ids = acknowledged.Values.ToHashSet();
        Assert.Equal(acknowledged.Count, ids.Count);
        var listed = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await server.Client.GetStringAsync($"api/ai/generations?page_size=1000{(cursor is null ? "" : "&after=" + cursor)}"))!;
            foreach (var item in page["generations"]!.AsArray())
                Assert.True(listed.Add(item!["generation_id"]!.GetValue<string>()), "a generation is listed twice");
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(ids.OrderBy(x => x), listed.OrderBy(x => x));

        // The same server, never restarted, works on: its worker renders the oldest row, and its event stream serves it.
        await using var stream = await EventStream.OpenAsync(server.Client, lastEventId: 0);
        await stream.NextAsync(e => e.Type == "media_generation_completed");
    }

    [Fact]
    public async Task While_postgres_is_down_requests_get_a_503_with_retry_after_and_then_work_again_without_a_server_restart()
    {
        await using var cluster = await PostgresCluster.StartOwnAsync();
        var server = await StartAsync(workers: 0, connectionString: await cluster.CreateDatabaseAsync());
        var id = await Wire.EnqueueAsync(server.Client, new { model = ShortClip, prompt = "before the outage", resolution = "720P", duration = 3 });

        await cluster.StopAsync();
        foreach (var request in new Func<Task<HttpResponseMessage>>[]
        {
            () => server.Client.GetAsync($"api/ai/queue/{id}"),
            () => server.Client.PostAsync("api/ai/queue", new StringContent("""{"model":"happyhorse-1.0-t2v","prompt":"during the outage"}""", Encoding.UTF8, "application/json")),
            () => server.Client.GetAsync("api/ai/generations"),
        })
        {
            using var response = await request();
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter!.Delta);
            Assert.Equal(("error", "service_unavailable"), (body["status"]!.GetValue<string>(), body["error"]!["type"]!.GetValue<string>()));
            Assert.Contains("Send the request again", body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", body.ToJsonString(), StringComparison.Ordinal);
        }

        await cluster.StartAsync();
        Assert.Equal("queued", (await Wire.RowAsync(server.Client, id))["status"]!.GetValue<string>());
        var after = await Wire.EnqueueAsync(server.Client, new { model = ShortClip, prompt = "after the outage", resolution = "720P", duration = 3 });
        Assert.Equal(2, (await Wire.RowAsync(server.Client, after))["progress"]!["queue_position"]!.GetValue<int>());
    }
}
