using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Auth;
using Paddock.Core.Queue;
using Paddock.Core.Quotas;
using Paddock.Server.Hosting;
using Paddock.Server.Tests.Support;
using Paddock.Testing;

namespace Paddock.Server.Tests;

/// <summary>Fair scheduling, limits and usage through the HTTP API, as a team sharing one server sees them.</summary>
public sealed class QuotaTests
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(HttpClient client, string path, string body)
    {
        var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    private static async Task<long> TotalRowsAsync(HttpClient client) =>
        JsonNode.Parse(await client.GetStringAsync("api/ai/generations?page_size=1"))!["total_entries"]!.GetValue<long>();

    private static string Type(JsonNode? body) => body!["error"]!["type"]!.GetValue<string>();

    private static string Limit(JsonNode? body) => body!["error"]!["limit"]!.GetValue<string>();

    private static string Message(JsonNode? body) => body!["error"]!["message"]!.GetValue<string>();

    [Fact]
    public async Task A_namespace_with_one_generation_starts_before_the_rest_of_another_namespaces_hundred()
    {
        const int Workers = 2;
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Workers:Concurrency"] = Workers.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var a = server.CreateClient(await server.CreateKeyAsync("team-a"));
        using var b = server.CreateClient(await server.CreateKeyAsync("team-b"));
        // The shortest render there is, the same for every row: a fixed-duration job.
        const string Body = "{\"model\":\"happyhorse-1.0-t2v\",\"prompt\":\"a ball rolls\",\"resolution\":\"720P\",\"aspect_ratio\":\"1:1\",\"duration\":3,\"num_generations\":4}";
        var many = new List<string>();
        for (var i = 0; i < 25; i++)
            many.AddRange(await Api.EnqueueAsync(a, System.Text.Json.JsonSerializer.Deserialize<JsonObject>(Body)!));
        Assert.Equal(100, many.Count);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while ((await Api.GetRowAsync(a, many[0]))["status"]!.GetValue<string>() == "queued")
        {
            Assert.True(DateTime.UtcNow < deadline, "team A's first generation never started");
            await Task.Delay(50);
        }

        var one = (await Api.EnqueueAsync(b, System.Text.Json.JsonSerializer.Deserialize<JsonObject>(Body.Replace("\"num_generations\":4", "\"num_generations\":1", StringComparison.Ordinal))!)).Single();
        // B's generation is next in line the moment it is queued, ahead of A's 98 or so still waiting.
        var queued = await Api.GetRowAsync(b, one);
        if (queued["status"]!.GetValue<string>() == "queued")
            Assert.Equal(1, queued["progress"]!["queue_position"]!.GetValue<int>());
        var row = await Api.WaitTerminalAsync(b, one);
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        // Start times to the millisecond, as the server stored them (the API shows whole seconds).
        var store = server.Services.GetRequiredService<IGenerationStore>();
        var bStarted = (await store.GetAsync("team-b", Guid.Parse(one)))!.StartedAt!.Value;

        // Start order: of A's rows, only those already running when B enqueued (at most one per worker, and the one a
        // worker freed meanwhile) started before B's; FIFO would have started all 100 first.
        var startedBefore = 0;
        foreach (var id in many)
        {
            if ((await store.GetAsync("team-a", Guid.Parse(id)))!.StartedAt is { } at && at < bStarted)
                startedBefore++;
        }
        Assert.InRange(startedBefore, 1, 2 * Workers);
        Assert.True(startedBefore < 100 - 2 * Workers, $"{startedBefore} of A's started first: B did not start before A's second-to-last batch");
        foreach (var id in many)
            await a.DeleteAsync($"api/ai/queue/{id}");
    }

    [Fact]
    public async Task A_key_at_its_running_limit_renders_one_at_a_time_while_another_key_of_its_namespace_uses_the_free_worker()
    {
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Workers:Concurrency"] = "2" });
        var keys = server.Services.GetRequiredService<ApiKeyService>();
        var (limited, limitedKey) = await keys.CreateAsync("studio", "one at a time");
        var (_, otherKey) = await keys.CreateAsync("studio", "another");
        // Stored as the admin API stores it; a claim reads it in its own transaction, so it applies from the next claim.
        await server.Services.GetRequiredService<IQuotaStore>().SetLimitsAsync(QuotaScope.Key(limited.Id), new QuotaLimits(MaxRunning: 1));
        using var a = server.CreateClient(limitedKey);
        using var b = server.CreateClient(otherKey);
        const string Clip = "{\"model\":\"happyhorse-1.0-t2v\",\"prompt\":\"a ball rolls\",\"resolution\":\"720P\",\"aspect_ratio\":\"1:1\",\"duration\":3}";

        var mine = new List<string>();
        for (var i = 0; i < 3; i++)
            mine.AddRange(await Api.EnqueueAsync(a, System.Text.Json.JsonSerializer.Deserialize<JsonObject>(Clip)!));
        var theirs = (await Api.EnqueueAsync(b, System.Text.Json.JsonSerializer.Deserialize<JsonObject>(Clip)!)).Single();
        foreach (var id in mine.Append(theirs))
            Assert.Equal("succeeded", (await Api.WaitTerminalAsync(a, id, TimeSpan.FromMinutes(2)))["status"]!.GetValue<string>());

        // From the stored times (to the millisecond): the limited key's renders never overlapped, one after another in
        // order, and the other key's started while the limited key still had rows waiting.
        var store = server.Services.GetRequiredService<IGenerationStore>();
        var rows = new List<Paddock.Core.Generations.Generation>();
        foreach (var id in mine) rows.Add((await store.GetAsync("studio", Guid.Parse(id)))!);
        for (var i = 1; i < rows.Count; i++)
            Assert.True(rows[i].StartedAt >= rows[i - 1].CompletedAt,
                $"the key's render {i + 1} started at {rows[i].StartedAt:O}, before its render {i} ended at {rows[i - 1].CompletedAt:O}");
        var other = (await store.GetAsync("studio", Guid.Parse(theirs)))!;
        Assert.True(other.StartedAt < rows[^1].StartedAt, $"the other key's render started at {other.StartedAt:O}, after the limited key's last at {rows[^1].StartedAt:O}");
    }

    [Fact]
    public async Task Requests_over_the_per_minute_limit_get_429_with_Retry_After_and_pass_again_once_it_refills()
    {
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Quotas:Key:RequestsPerMinute"] = "30" }, role: PaddockRole.Api);
        using var client = server.CreateClient(await server.CreateKeyAsync("chatty"));
        using var other = server.CreateClient(await server.CreateKeyAsync("quiet"));
        for (var i = 0; i < 30; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/ai/models")).StatusCode);

        using var refused = await client.GetAsync("api/ai/models");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(("rate_limited", "requests_per_minute"), (Type(body), Limit(body)));
        Assert.Equal("rate_limited", body!["status_message"]!.GetValue<string>());
        Assert.StartsWith("key:", body["error"]!["scope"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("30 requests a minute", Message(body), StringComparison.Ordinal);
        var wait = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(wait, 1, 2);
        // Another key is not held back by this one.
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("api/ai/models")).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(wait) + TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/ai/models")).StatusCode);
    }

    [Fact]
    public async Task A_submission_over_the_queued_limit_is_refused_whole_and_accepted_once_the_queue_has_room()
    {
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Quotas:Namespaces:busy:MaxQueued"] = "3" }, role: PaddockRole.Api);
        using var client = server.CreateClient(await server.CreateKeyAsync("busy"));
        using var unlimited = server.CreateClient(await server.CreateKeyAsync("calm"));
        const string Two = "{\"model\":\"happyhorse-1.0-t2v\",\"prompt\":\"waits\",\"num_generations\":2}";
        var first = await PostAsync(client, "api/ai/queue", Two);
        Assert.Equal(HttpStatusCode.OK, first.Status);

        var over = await PostAsync(client, "api/ai/queue", Two);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.Status);
        Assert.Equal(("rate_limited", "max_queued", "namespace:busy"), (Type(over.Body), Limit(over.Body), over.Body!["error"]!["scope"]!.GetValue<string>()));
        Assert.Contains("namespace 'busy' may have 3 generations queued and has 2", Message(over.Body), StringComparison.Ordinal);
        Assert.True(over.Response.Headers.Contains("Retry-After"));
        Assert.Equal(2, await TotalRowsAsync(client));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(unlimited, "api/ai/queue", Two)).Status);

        // One more fits; then a cancel makes room again.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "api/ai/queue", Two.Replace("2}", "1}", StringComparison.Ordinal))).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(client, "api/ai/queue", Two.Replace("2}", "1}", StringComparison.Ordinal))).Status);
        var id = first.Body!["generations"]![0]!["generation_id"]!.GetValue<string>();
        await client.DeleteAsync($"api/ai/queue/{id}");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "api/ai/queue", Two.Replace("2}", "1}", StringComparison.Ordinal))).Status);
        Assert.Equal(4, await TotalRowsAsync(client));
    }

    [Fact]
    public async Task A_key_budget_counts_seconds_of_video_by_resolution_exactly_and_refuses_the_request_that_crosses_it()
    {
        await using var server = await PaddockHost.StartAsync(role: PaddockRole.Api);
        var (record, key) = await server.Services.GetRequiredService<ApiKeyService>().CreateAsync("studio", "budgeted");
        await server.Services.GetRequiredService<IQuotaStore>().SetLimitsAsync(QuotaScope.Key(record.Id),
            new QuotaLimits(Budgets: [new VideoBudget("720P", BudgetPeriod.Day, 20)]));
        using var client = server.CreateClient(key);
        string Request(string resolution, int duration, int count = 1) =>
            $"{{\"model\":\"happyhorse-1.0-t2v\",\"prompt\":\"counted\",\"resolution\":\"{resolution}\",\"duration\":{duration},\"num_generations\":{count}}}";

        var kept = await PostAsync(client, "api/ai/queue", Request("720P", 5, 2));          // 10 s
        Assert.Equal(HttpStatusCode.OK, kept.Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "api/ai/queue", Request("720P", 7))).Status);   // 17 s
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "api/ai/queue", Request("1080P", 15, 4))).Status); // another resolution

        var over = await PostAsync(client, "api/ai/queue", Request("720P", 4));              // 21 s > 20
        Assert.Equal(HttpStatusCode.Forbidden, over.Status);
        Assert.Equal(("quota_exceeded", "video_budget"), (Type(over.Body), Limit(over.Body)));
        var tomorrow = DateTime.UtcNow.Date.AddDays(1).ToString("yyyy-MM-dd'T'00:00:00'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"video_budget: key {record.Id} may generate 20 s of 720P video a day (UTC) and has used 17 s, so 4 s more would go over; it resets at {tomorrow}",
            Message(over.Body));
        Assert.True(over.Response.Headers.Contains("Retry-After"));
        Assert.Equal(7, await TotalRowsAsync(client));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "api/ai/queue", Request("720P", 3))).Status);   // exactly 20
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(client, "api/ai/queue", Request("720P", 3))).Status);
        // A cancelled generation gives its seconds back.
        await client.DeleteAsync($"api/ai/queue/{kept.Body!["generations"]![0]!["generation_id"]}");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "api/ai/queue", Request("720P", 5))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(client, "api/ai/queue", Request("720P", 3))).Status);
    }

    [Fact]
    public async Task Usage_sums_what_was_generated_by_day_and_model()
    {
        await using var server = await PaddockHost.StartAsync();
        using var client = server.CreateClient(await server.CreateKeyAsync("metered"));
        var made = await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-t2v", prompt = "one", resolution = "720P", aspect_ratio = "1:1", duration = 3, num_generations = 2 });
        made.AddRange(await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-r2v", prompt = "two", resolution = "720P", aspect_ratio = "1:1", duration = 4 }));
        var cancelled = (await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-r2v", prompt = "never", resolution = "1080P", duration = 15 })).Single();
        await client.DeleteAsync($"api/ai/queue/{cancelled}");
        var wall = 0.0;
        foreach (var id in made)
        {
            var row = await Api.WaitTerminalAsync(client, id);
            Assert.Equal("succeeded", row["status"]!.GetValue<string>());
            var stored = (await server.Services.GetRequiredService<IGenerationStore>().GetAsync("metered", Guid.Parse(id)))!;
            wall += (stored.CompletedAt!.Value - stored.StartedAt!.Value).TotalSeconds;
        }

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var usage = (await client.GetFromJsonAsync<JsonNode>($"api/usage?from={today}&to={today}"))!;
        Assert.Equal("metered", usage["namespace"]!.GetValue<string>());
        var rows = usage["usage"]!.AsArray();
        Assert.Equal([today, today], rows.Select(r => r!["day"]!.GetValue<string>()));
        Assert.Equal(["happyhorse-1.0-r2v", "happyhorse-1.0-t2v"], rows.Select(r => r!["model"]!.GetValue<string>()));
        Assert.Equal([(2L, 1L, 1L, 4L), (2, 2, 0, 6)], rows.Select(r => (r!["generations"]!.GetValue<long>(), r["succeeded"]!.GetValue<long>(), r["cancelled"]!.GetValue<long>(), r["video_seconds"]!.GetValue<long>())));
        Assert.Equal("builtin", rows[1]!["engine"]!.GetValue<string>());
        var totals = usage["totals"]!;
        Assert.Equal(10, totals["video_seconds"]!.GetValue<long>());
        Assert.Equal(10, totals["video_seconds_by_resolution"]!["720P"]!.GetValue<long>());
        Assert.Equal(0, totals["video_seconds_by_resolution"]!["1080P"]!.GetValue<long>());
        Assert.Equal(3, totals["attempts"]!.GetValue<long>());
        Assert.Equal(wall, totals["wall_seconds"]!.GetValue<double>(), 0.002);

        // Another namespace sees none of it; a bad range is told what to fix.
        using var stranger = server.CreateClient(await server.CreateKeyAsync("stranger"));
        Assert.Empty((await stranger.GetFromJsonAsync<JsonNode>("api/usage"))!["usage"]!.AsArray());
        using var bad = await client.GetAsync("api/usage?from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from: 'yesterday' is not a day; give it as YYYY-MM-DD", Message(JsonNode.Parse(await bad.Content.ReadAsStringAsync())), StringComparison.Ordinal);
    }
}
