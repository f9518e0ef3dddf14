using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Queue;
using Paddock.Server.Hosting;
using Paddock.Server.Tests.Support;
using Paddock.Testing;

namespace Paddock.Server.Tests;

/// <summary>The admin API over real HTTP, as an operator running a shared server uses it: its own key, and what it manages.</summary>
public sealed class AdminApiTests
{
    /// <summary>The admin key the tests' servers are configured with (any 32+ characters would do).</summary>
    public const string AdminKey = "pdk_admin_4f1c2b7e9a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6";

    public static readonly Dictionary<string, string> Settings = new() { ["Paddock:Admin:Key"] = AdminKey };

    private static Dictionary<string, string> With(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>(Settings);
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    private static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(HttpClient client, string path) => SendAsync(client, HttpMethod.Get, path);

    private static string Detail(JsonNode? body) => body!["error"]!["detail"]!.GetValue<string>();

    private static string Type(JsonNode? body) => body!["error"]!["type"]!.GetValue<string>();

    [Fact]
    public async Task Without_an_admin_key_configured_the_admin_api_is_off_and_says_how_to_turn_it_on()
    {
        await using var server = await PaddockHost.StartAsync(role: PaddockRole.Api);
        using var anonymous = server.CreateClient(null);

        foreach (var client in new[] { anonymous, server.Client })
        {
            var (status, body, _) = await GetAsync(client, "api/admin/namespaces");
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("forbidden", Type(body));
            Assert.Contains("Paddock:Admin:Key", Detail(body), StringComparison.Ordinal);
            Assert.Contains("paddock admin new-key", Detail(body), StringComparison.Ordinal);
        }
        // Namespace routes are as they were.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server.Client, "api/whoami")).Status);
    }

    [Fact]
    public async Task Creates_of_one_namespace_at_once_make_one_namespace_with_one_key_and_the_winners_limits()
    {
        await using var server = await PaddockHost.StartAsync(Settings, role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => SendAsync(admin, HttpMethod.Post, "api/admin/namespaces",
            "{\"namespace\":\"team-race\",\"key_name\":\"admin " + i + "\",\"limits\":{\"max_queued\":" + (i + 1) + "}}")));

        var won = Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.Status);
            Assert.Contains("namespace 'team-race' exists already", Detail(a.Body), StringComparison.Ordinal);
        });
        var keys = (await GetAsync(admin, "api/admin/keys?namespace=team-race")).Body!;
        Assert.Single(keys["keys"]!.AsArray(), k => k!["namespace"]!.GetValue<string>() == "team-race");
        // The limits are those of the create that made the namespace, not of a refused one.
        var limits = (await GetAsync(admin, "api/admin/namespaces/team-race/limits")).Body!;
        Assert.Equal(won.Body!["limits"]!["max_queued"]!.GetValue<long>(), limits["stored"]!["max_queued"]!.GetValue<long>());
    }

    [Fact]
    public async Task Admin_routes_take_only_the_admin_key_and_namespace_routes_only_a_namespace_key()
    {
        await using var server = await PaddockHost.StartAsync(Settings, role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);
        using var anonymous = server.CreateClient(null);
        using var wrong = server.CreateClient("pdk_admin_not_the_key_at_all_0000000000000000");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(admin, "api/admin/namespaces")).Status);

        var (status, body, _) = await GetAsync(anonymous, "api/admin/keys");
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), (status, Type(body)));
        Assert.Contains("admin key", Detail(body), StringComparison.Ordinal);

        (status, body, _) = await GetAsync(wrong, "api/admin/keys");
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), (status, Type(body)));

        (status, body, _) = await GetAsync(server.Client, "api/admin/queue");
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (status, Type(body)));
        Assert.Contains("may not use the admin API", Detail(body), StringComparison.Ordinal);

        // The admin key is no namespace's: a namespace route refuses it, saying which key it takes.
        foreach (var path in new[] { "api/whoami", "api/ai/generations", "v1/models" })
        {
            (status, body, _) = await GetAsync(admin, path);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains("admin key acts only on /api/admin", path.StartsWith("v1", StringComparison.Ordinal) ? body!.ToJsonString() : Detail(body), StringComparison.Ordinal);
        }

        // An admin route that does not exist is a 404 with the envelope, not a 500 or an empty answer.
        (status, body, _) = await GetAsync(admin, "api/admin/nothing-here");
        Assert.Equal((HttpStatusCode.NotFound, "resource_not_found"), (status, Type(body)));
    }

    [Fact]
    public async Task Only_the_admin_keys_hash_in_the_settings_is_enough()
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(AdminKey)));
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Admin:KeyHash"] = hash.ToUpperInvariant() }, role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);
        using var hashAsKey = server.CreateClient(hash);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(admin, "api/admin/queue")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(hashAsKey, "api/admin/queue")).Status);
    }

    [Fact]
    public async Task A_key_created_through_the_admin_api_works_on_namespace_routes_and_stops_working_once_revoked()
    {
        await using var server = await PaddockHost.StartAsync(Settings, role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);

        var (status, created, _) = await SendAsync(admin, HttpMethod.Post, "api/admin/keys", """{"namespace":"team-x","name":"ci"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var key = created!["key"]!.GetValue<string>();
        var id = created["id"]!.GetValue<string>();
        Assert.StartsWith("pdk_", key, StringComparison.Ordinal);
        Assert.Equal(("team-x", "ci", false), (created["namespace"]!.GetValue<string>(), created["name"]!.GetValue<string>(), created["revoked"]!.GetValue<bool>()));

        using var teamX = server.CreateClient(key);
        var (whoStatus, who, _) = await GetAsync(teamX, "api/whoami");
        Assert.Equal(HttpStatusCode.OK, whoStatus);
        Assert.Equal("team-x", who!["namespace"]!.GetValue<string>());

        // Listed by id with its last use, never with the key itself.
        var (_, listed, _) = await GetAsync(admin, "api/admin/keys?namespace=team-x");
        var entry = listed!["keys"]!.AsArray().Single()!;
        Assert.Equal(id, entry["id"]!.GetValue<string>());
        Assert.Null(entry["key"]);
        Assert.DoesNotContain(key, listed.ToJsonString(), StringComparison.Ordinal);
        Assert.NotNull(entry["last_used_at"]?.GetValue<long>());

        var (revokeStatus, revoked, _) = await SendAsync(admin, HttpMethod.Delete, $"api/admin/keys/{id}");
        Assert.Equal(HttpStatusCode.OK, revokeStatus);
        Assert.True(revoked!["revoked"]!.GetValue<bool>());

        var (refusedStatus, refused, _) = await GetAsync(teamX, "api/whoami");
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), (refusedStatus, Type(refused)));
        Assert.Contains("revoked", Detail(refused), StringComparison.Ordinal);
        // Still listed, marked; a second revoke changes nothing; an unknown key is a 404.
        (_, listed, _) = await GetAsync(admin, "api/admin/keys");
        Assert.True(listed!["keys"]!.AsArray().Single(k => k!["id"]!.GetValue<string>() == id)!["revoked"]!.GetValue<bool>());
        Assert.Equal(revoked["revoked_at"]!.GetValue<long>(), (await SendAsync(admin, HttpMethod.Delete, $"api/admin/keys/{id}")).Body!["revoked_at"]!.GetValue<long>());
        var (missing, missingBody, _) = await SendAsync(admin, HttpMethod.Delete, "api/admin/keys/key_nothing");
        Assert.Equal((HttpStatusCode.NotFound, "resource_not_found"), (missing, Type(missingBody)));
    }

    [Fact]
    public async Task Limits_set_through_the_admin_api_are_enforced_on_the_next_request_and_dropped_when_deleted()
    {
        await using var server = await PaddockHost.StartAsync(Settings, role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);
        var (_, created, _) = await SendAsync(admin, HttpMethod.Post, "api/admin/namespaces", """{"namespace":"metered","key_name":"first"}""");
        var firstKey = created!["key"]!["key"]!.GetValue<string>();
        var keyId = created["key"]!["id"]!.GetValue<string>();
        using var first = server.CreateClient(firstKey);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(first, "api/whoami")).Status);

        // Per key: two requests a minute, from the very next request on.
        var (status, limits, _) = await SendAsync(admin, HttpMethod.Put, $"api/admin/keys/{keyId}/limits", """{"requests_per_minute":2}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, limits!["stored"]!["requests_per_minute"]!.GetValue<int>());
        Assert.Equal(2, limits["effective"]!["requests_per_minute"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(first, "api/whoami")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(first, "api/whoami")).Status);
        var (over, overBody, response) = await GetAsync(first, "api/whoami");
        Assert.Equal(HttpStatusCode.TooManyRequests, over);
        Assert.Equal(("rate_limited", "requests_per_minute", $"key:{keyId}"),
            (Type(overBody), overBody!["error"]!["limit"]!.GetValue<string>(), overBody["error"]!["scope"]!.GetValue<string>()));
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Deleting them: the key is unlimited again at once.
        (status, limits, _) = await SendAsync(admin, HttpMethod.Delete, $"api/admin/keys/{keyId}/limits");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(limits!["stored"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(first, "api/whoami")).Status);

        // Per namespace: one queued generation; the second submission is refused, naming the limit.
        (status, limits, _) = await SendAsync(admin, HttpMethod.Put, "api/admin/namespaces/metered/limits", """{"max_queued":1,"budgets":[{"resolution":"720p","period":"day","seconds":100}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("720P", limits!["stored"]!["budgets"]![0]!["resolution"]!.GetValue<string>());
        Assert.Equal((await GetAsync(admin, "api/admin/namespaces/metered/limits")).Body!.ToJsonString(), limits.ToJsonString());
        const string Job = """{"model":"happyhorse-1.0-t2v","prompt":"a kite","resolution":"720P","duration":3}""";
        Assert.Equal(200, (await Api.PostJsonAsync(first, "api/ai/queue", Job)).Status);
        var (queueStatus, refused) = await Api.PostJsonAsync(first, "api/ai/queue", Job);
        Assert.Equal(429, queueStatus);
        Assert.Equal(("max_queued", "namespace:metered"), (refused!["error"]!["limit"]!.GetValue<string>(), refused["error"]!["scope"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_input_on_every_admin_route_gets_the_envelope_with_what_to_fix()
    {
        await using var server = await PaddockHost.StartAsync(Settings, role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);
        var (_, created, _) = await SendAsync(admin, HttpMethod.Post, "api/admin/keys", """{"namespace":"team-b"}""");
        var keyId = created!["id"]!.GetValue<string>();

        var cases = new (HttpMethod Method, string Path, string? Body, HttpStatusCode Status, string[] Says)[]
        {
            (HttpMethod.Post, "api/admin/keys", "{}", HttpStatusCode.BadRequest, ["namespace: is required"]),
            (HttpMethod.Post, "api/admin/keys", "not json", HttpStatusCode.BadRequest, []),
            (HttpMethod.Post, "api/admin/keys", "[1]", HttpStatusCode.BadRequest, ["JSON object"]),
            (HttpMethod.Post, "api/admin/keys", """{"namespace":"../etc","colour":"red"}""", HttpStatusCode.BadRequest, ["namespace: '../etc' must be", "colour: is not a field of a key"]),
            (HttpMethod.Post, "api/admin/keys", """{"namespace":"ok","limits":{"max_running":0,"requests_per_minute":0}}""", HttpStatusCode.BadRequest,
                ["limits.max_running is 0", "limits.requests_per_minute is 0"]),
            (HttpMethod.Put, $"api/admin/keys/{keyId}/limits", """{"priority":"high","budgets":[{"resolution":"1080P","period":"week","seconds":-1}],"speed":1}""", HttpStatusCode.BadRequest,
                ["priority: must be a whole number", "budgets[0].period: must be \"day\" or \"month\"", "speed: is not a limit"]),
            (HttpMethod.Put, $"api/admin/keys/{keyId}/limits", """{"budgets":[{"resolution":"1080P","seconds":-5}]}""", HttpStatusCode.BadRequest, ["budgets[0].seconds is -5"]),
            (HttpMethod.Put, "api/admin/keys/key_nothing/limits", "{}", HttpStatusCode.NotFound, ["no key with id key_nothing"]),
            (HttpMethod.Get, "api/admin/keys/key_nothing", null, HttpStatusCode.NotFound, ["no key with id key_nothing"]),
            (HttpMethod.Get, "api/admin/keys?namespace=bad/name", null, HttpStatusCode.BadRequest, ["namespace: 'bad/name'"]),
            (HttpMethod.Put, "api/admin/namespaces/nobody/limits", "{}", HttpStatusCode.NotFound, ["no namespace 'nobody'", "POST /api/admin/namespaces"]),
            (HttpMethod.Get, "api/admin/namespaces/.hidden/limits", null, HttpStatusCode.BadRequest, ["namespace: '.hidden'"]),
            (HttpMethod.Put, "api/admin/namespaces/team-b/limits", """{"max_queued":0}""", HttpStatusCode.BadRequest, ["max_queued is 0"]),
            (HttpMethod.Post, "api/admin/namespaces", """{"namespace":"team-b"}""", HttpStatusCode.Conflict, ["namespace 'team-b' exists already"]),
            (HttpMethod.Post, "api/admin/namespaces", """{"key_name":5}""", HttpStatusCode.BadRequest, ["namespace: is required", "key_name: must be a string"]),
            (HttpMethod.Get, "api/admin/namespaces/nobody/webhooks", null, HttpStatusCode.NotFound, ["no namespace 'nobody'"]),
            (HttpMethod.Post, "api/admin/namespaces/team-b/webhooks", """{"url":"ftp://example.com/x"}""", HttpStatusCode.BadRequest, ["url: 'ftp://example.com/x' is not an absolute http(s) URL"]),
            (HttpMethod.Delete, "api/admin/namespaces/team-b/webhooks/wh_nothing", null, HttpStatusCode.NotFound, ["no webhook wh_nothing"]),
            (HttpMethod.Get, "api/admin/usage?from=2025-13-01", null, HttpStatusCode.BadRequest, ["from: '2025-13-01' is not a day"]),
            (HttpMethod.Get, "api/admin/usage?from=2025-02-01&to=2025-01-01", null, HttpStatusCode.BadRequest, ["from: 2025-02-01 is after to"]),
            (HttpMethod.Get, "api/admin/usage?namespace=a%20b", null, HttpStatusCode.BadRequest, ["namespace: 'a b'"]),
        };
        foreach (var (method, path, body, expected, says) in cases)
        {
            var (status, answer, _) = await SendAsync(admin, method, path, body);
            Assert.True(expected == status, $"{method} {path}: {status} {answer?.ToJsonString()}");
            Assert.Equal("error", answer!["status"]!.GetValue<string>());
            foreach (var words in says) Assert.Contains(words, Detail(answer), StringComparison.Ordinal);
        }
        // Nothing of a refused request was stored.
        var (_, keys, _) = await GetAsync(admin, "api/admin/keys");
        Assert.Equal(["default", "team-b"], keys!["keys"]!.AsArray().Select(k => k!["namespace"]!.GetValue<string>()));
        Assert.Null((await GetAsync(admin, $"api/admin/keys/{keyId}/limits")).Body!["stored"]);
    }

    [Fact]
    public async Task Namespaces_are_created_with_their_first_key_and_listed_with_keys_queue_and_use()
    {
        await using var server = await PaddockHost.StartAsync(With(("Paddock:Workers:Concurrency", "1")));
        using var admin = server.CreateClient(AdminKey);
        var (status, created, _) = await SendAsync(admin, HttpMethod.Post, "api/admin/namespaces", """{"namespace":"studio","key_name":"render-farm","limits":{"max_queued":50}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(50, created!["limits"]!["max_queued"]!.GetValue<int>());
        using var studio = server.CreateClient(created["key"]!["key"]!.GetValue<string>());
        await SendAsync(admin, HttpMethod.Post, "api/admin/keys", """{"namespace":"studio","name":"spare"}""");

        var id = (await Api.EnqueueAsync(studio, JsonNode.Parse("""{"model":"happyhorse-1.0-t2v","prompt":"a kite","resolution":"720P","aspect_ratio":"1:1","duration":3}""")!)).Single();
        Assert.Equal("succeeded", (await Api.WaitTerminalAsync(studio, id))["status"]!.GetValue<string>());

        var (_, list, _) = await GetAsync(admin, "api/admin/namespaces");
        var row = list!["namespaces"]!.AsArray().Single(n => n!["namespace"]!.GetValue<string>() == "studio")!;
        Assert.Equal((2, 0, 0, 0, 1, 3), (row["keys"]!.GetValue<int>(), row["revoked_keys"]!.GetValue<int>(), row["queued"]!.GetValue<int>(),
            row["running"]!.GetValue<int>(), row["succeeded"]!.GetValue<int>(), row["video_seconds_charged"]!.GetValue<int>()));
        // The server's own first namespace is listed too.
        Assert.Contains(list["namespaces"]!.AsArray(), n => n!["namespace"]!.GetValue<string>() == "default");
    }

    [Fact]
    public async Task Webhooks_of_any_namespace_are_listed_created_and_deleted_by_the_admin()
    {
        await using var server = await PaddockHost.StartAsync(With(("Paddock:Webhooks:AllowedHosts:0", "127.0.0.1")), role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);
        var (_, created, _) = await SendAsync(admin, HttpMethod.Post, "api/admin/namespaces", """{"namespace":"hooked"}""");
        using var hooked = server.CreateClient(created!["key"]!["key"]!.GetValue<string>());

        var (status, hook, _) = await SendAsync(admin, HttpMethod.Post, "api/admin/namespaces/hooked/webhooks", """{"url":"http://127.0.0.1:9/hook","events":["media_generation_succeeded"]}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var hookId = hook!["id"]!.GetValue<string>();
        Assert.NotEmpty(hook["secret"]!.GetValue<string>());

        // The namespace's own key sees the endpoint the admin made; another namespace's admin listing does not.
        Assert.Equal(hookId, JsonNode.Parse(await hooked.GetStringAsync("api/webhooks"))!["webhooks"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(hookId, (await GetAsync(admin, "api/admin/namespaces/hooked/webhooks")).Body!["webhooks"]![0]!["id"]!.GetValue<string>());
        Assert.Empty((await GetAsync(admin, "api/admin/namespaces/default/webhooks")).Body!["webhooks"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(admin, HttpMethod.Delete, $"api/admin/namespaces/default/webhooks/{hookId}")).Status);

        var (deleted, _, _) = await SendAsync(admin, HttpMethod.Delete, $"api/admin/namespaces/hooked/webhooks/{hookId}");
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Empty(JsonNode.Parse(await hooked.GetStringAsync("api/webhooks"))!["webhooks"]!.AsArray());
    }

    [Fact]
    public async Task The_queue_overview_counts_per_model_namespace_and_worker_with_the_oldest_waiting()
    {
        await using var server = await PaddockHost.StartAsync(Settings, role: PaddockRole.Api);
        using var admin = server.CreateClient(AdminKey);
        using var a = server.CreateClient(await server.CreateKeyAsync("queue-a"));
        using var b = server.CreateClient(await server.CreateKeyAsync("queue-b"));
        await Api.EnqueueAsync(a, JsonNode.Parse("""{"model":"happyhorse-1.0-t2v","prompt":"a kite","resolution":"720P","duration":3,"num_generations":3}""")!);
        await Api.EnqueueAsync(b, JsonNode.Parse("""{"model":"happyhorse-1.0-t2v","prompt":"a boat","resolution":"720P","duration":3}""")!);
        await Task.Delay(1100);
        // A worker in another process holds one row.
        var claimed = await server.Services.GetRequiredService<IGenerationStore>().ClaimNextAsync("worker-elsewhere", TimeSpan.FromMinutes(5));
        Assert.NotNull(claimed);

        var (status, queue, _) = await GetAsync(admin, "api/admin/queue");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((3, 1), (queue!["queued"]!.GetValue<int>(), queue["processing"]!.GetValue<int>()));
        var model = queue["models"]!.AsArray().Single()!;
        Assert.Equal(("happyhorse-1.0-t2v", 3, 1), (model["model"]!.GetValue<string>(), model["queued"]!.GetValue<int>(), model["processing"]!.GetValue<int>()));
        Assert.True(model["oldest_queued_age_seconds"]!.GetValue<long>() >= 1);
        var namespaces = queue["namespaces"]!.AsArray().ToDictionary(n => n!["namespace"]!.GetValue<string>(), n => n!);
        Assert.Equal(3, namespaces["queue-a"]["queued"]!.GetValue<int>() + namespaces["queue-a"]["processing"]!.GetValue<int>());
        Assert.Equal(1, namespaces["queue-b"]["queued"]!.GetValue<int>() + namespaces["queue-b"]["processing"]!.GetValue<int>());
        Assert.Equal([("worker-elsewhere", 1)], queue["workers"]!.AsArray().Select(w => (w!["worker"]!.GetValue<string>(), w["processing"]!.GetValue<int>())));
    }

    [Fact]
    public async Task Usage_across_namespaces_is_grouped_by_namespace_with_totals()
    {
        await using var server = await PaddockHost.StartAsync(With(("Paddock:Workers:Concurrency", "1")));
        using var admin = server.CreateClient(AdminKey);
        using var a = server.CreateClient(await server.CreateKeyAsync("usage-a"));
        using var b = server.CreateClient(await server.CreateKeyAsync("usage-b"));
        foreach (var client in new[] { a, b })
        {
            var id = (await Api.EnqueueAsync(client, JsonNode.Parse("""{"model":"happyhorse-1.0-t2v","prompt":"a kite","resolution":"720P","aspect_ratio":"1:1","duration":3}""")!)).Single();
            await Api.WaitTerminalAsync(client, id);
        }

        var (status, usage, _) = await GetAsync(admin, "api/admin/usage");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["usage-a", "usage-b"], usage!["usage"]!.AsArray().Select(u => u!["namespace"]!.GetValue<string>()));
        Assert.Equal(["usage-a", "usage-b"], usage["namespaces"]!.AsArray().Select(u => u!["namespace"]!.GetValue<string>()));
        Assert.Equal((2, 6), (usage["totals"]!["succeeded"]!.GetValue<int>(), usage["totals"]!["video_seconds"]!.GetValue<int>()));
        Assert.Equal(6, usage["totals"]!["video_seconds_by_resolution"]!["720P"]!.GetValue<int>());

        var (_, only, _) = await GetAsync(admin, "api/admin/usage?namespace=usage-b");
        Assert.Equal(["usage-b"], only!["usage"]!.AsArray().Select(u => u!["namespace"]!.GetValue<string>()));
    }
}
