using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock admin …</c> against the shared server (configured with an admin key), and <c>paddock keys limits</c> offline.</summary>
[Collection(CliServerCollection.Name)]
public sealed class AdminCommandTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    private async Task<HttpStatusCode> WhoAmIAsync(string key)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.Url + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (await http.GetAsync("api/whoami")).StatusCode;
    }

    [Fact]
    public async Task New_key_prints_an_admin_key_and_its_sha256_for_the_settings()
    {
        var result = await _cli.RunAsync("admin", "new-key", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var key = result.Json().GetProperty("key").GetString()!;
        Assert.StartsWith("pdk_admin_", key, StringComparison.Ordinal);
        Assert.True(key.Length >= 32);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), result.Json().GetProperty("key_hash").GetString());
        Assert.NotEqual(key, (await _cli.RunAsync("admin", "new-key", "--json")).Json().GetProperty("key").GetString());
    }

    [Fact]
    public async Task An_admin_creates_a_namespace_and_keys_sets_limits_manages_webhooks_reads_usage_and_the_queue_and_revokes_a_key()
    {
        _cli.Environment["PADDOCK_ADMIN_KEY"] = CliServer.AdminKey;

        var created = await _cli.RunAsync("admin", "namespaces", "create", "cli-team", "--key-name", "first", "--max-queued", "5", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(5, created.Json().GetProperty("limits").GetProperty("max_queued").GetInt32());
        var again = await _cli.RunAsync("admin", "namespaces", "create", "cli-team");
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("exists already", again.Stderr, StringComparison.Ordinal);

        var key = await _cli.RunAsync("admin", "keys", "create", "--namespace", "cli-team", "--name", "ci", "--requests-per-minute", "100");
        Assert.True(key.ExitCode == 0, key.ToString());
        var secret = key.Stdout.Trim();
        Assert.StartsWith("pdk_", secret, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(secret));

        var listed = await _cli.RunAsync("admin", "keys", "list", "--namespace", "cli-team", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var keys = listed.Json().GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(["first", "ci"], keys.Select(k => k.GetProperty("name").GetString()));
        Assert.DoesNotContain(secret, listed.Stdout, StringComparison.Ordinal);
        var id = keys[1].GetProperty("id").GetString()!;

        var limits = await _cli.RunAsync("admin", "keys", "limits", id);
        Assert.True(limits.ExitCode == 0, limits.ToString());
        Assert.Contains("requests_per_minute=100", limits.Stdout, StringComparison.Ordinal);
        var perKeyRunning = await _cli.RunAsync("admin", "keys", "limits", id, "--max-running", "0");
        Assert.True(perKeyRunning.ExitCode == 2, perKeyRunning.ToString());
        Assert.Contains("--max-running is 0", perKeyRunning.Stderr, StringComparison.Ordinal);
        var keyRunning = await _cli.RunAsync("admin", "keys", "limits", id, "--max-running", "2");
        Assert.True(keyRunning.ExitCode == 0, keyRunning.ToString());
        Assert.Contains("max_running=2", keyRunning.Stdout, StringComparison.Ordinal);
        var cleared = await _cli.RunAsync("admin", "keys", "limits", id, "--clear", "--json");
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        Assert.Equal(JsonValueKind.Null, cleared.Json().GetProperty("stored").ValueKind);
        var budget = await _cli.RunAsync("admin", "namespaces", "limits", "cli-team", "--budget", "1080p:600", "--budget", "720P:36000/month", "--json");
        Assert.True(budget.ExitCode == 0, budget.ToString());
        Assert.Equal(["1080P:600:day", "720P:36000:month"], budget.Json().GetProperty("stored").GetProperty("budgets").EnumerateArray()
            .Select(b => $"{b.GetProperty("resolution").GetString()}:{b.GetProperty("seconds").GetInt64()}:{b.GetProperty("period").GetString()}"));
        var badBudget = await _cli.RunAsync("admin", "namespaces", "limits", "cli-team", "--budget", "1080P");
        Assert.True(badBudget.ExitCode == 2, badBudget.ToString());
        Assert.Contains("--budget '1080P' must be RESOLUTION:SECONDS", badBudget.Stderr, StringComparison.Ordinal);

        var hook = await _cli.RunAsync("admin", "webhooks", "create", "cli-team", "http://127.0.0.1:9/admin-hooks", "--json");
        Assert.True(hook.ExitCode == 0, hook.ToString());
        var hookId = hook.Json().GetProperty("id").GetString()!;
        Assert.Contains(hookId, (await _cli.RunAsync("admin", "webhooks", "list", "cli-team")).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await _cli.RunAsync("admin", "webhooks", "delete", "cli-team", hookId)).ExitCode);
        Assert.Equal(4, (await _cli.RunAsync("admin", "webhooks", "delete", "cli-team", hookId)).ExitCode);

        var namespaces = await _cli.RunAsync("admin", "namespaces", "list");
        Assert.True(namespaces.ExitCode == 0, namespaces.ToString());
        Assert.Matches(@"(?m)^cli-team\s+2\s+0\s", namespaces.Stdout);
        var usage = await _cli.RunAsync("admin", "usage", "--json");
        Assert.True(usage.ExitCode == 0, usage.ToString());
        Assert.True(usage.Json().TryGetProperty("totals", out _));
        var queue = await _cli.RunAsync("admin", "queue", "--json");
        Assert.True(queue.ExitCode == 0, queue.ToString());
        Assert.True(queue.Json().GetProperty("queued").GetInt64() >= 0);

        var revoked = await _cli.RunAsync("admin", "keys", "revoke", id);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(secret));
    }

    [Fact]
    public async Task Without_the_admin_key_or_with_a_namespace_key_the_command_says_which_key_it_needs()
    {
        var none = await _cli.RunAsync("admin", "queue");
        Assert.True(none.ExitCode == 3, none.ToString());
        Assert.Contains("PADDOCK_ADMIN_KEY", none.Stderr, StringComparison.Ordinal);

        var namespaceKey = await _cli.RunAsync("admin", "queue", "--key", server.ApiKey);
        Assert.True(namespaceKey.ExitCode == 3, namespaceKey.ToString());
        Assert.Contains("may not use the admin API", namespaceKey.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_admin_key_setting_stops_the_start_naming_the_setting()
    {
        var data = Path.Combine(_cli.Root, "bad-admin");
        var tooShort = await _cli.RunAsync("keys", "list", "--data-dir", data, "--Paddock:Admin:Key=hunter2");
        Assert.True(tooShort.ExitCode == 2, tooShort.ToString());
        Assert.Contains("Paddock:Admin:Key must be at least 32 characters", tooShort.Stderr, StringComparison.Ordinal);
        var both = await _cli.RunAsync("keys", "list", "--data-dir", data, $"--Paddock:Admin:Key={CliServer.AdminKey}", "--Paddock:Admin:KeyHash=abc");
        Assert.True(both.ExitCode == 2, both.ToString());
        Assert.Contains("Paddock:Admin:Key and Paddock:Admin:KeyHash are both set", both.Stderr, StringComparison.Ordinal);
        Assert.Contains("Paddock:Admin:KeyHash must be the key's SHA-256", both.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_limits_work_offline_on_the_database_and_revoked_keys_are_listed_with_all()
    {
        var data = Path.Combine(_cli.Root, "offline");
        var created = await _cli.RunAsync("keys", "create", "--namespace", "acme", "--json", "--data-dir", data);
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Json().GetProperty("id").GetString()!;

        var set = await _cli.RunAsync("keys", "limits", id, "--requests-per-minute", "30", "--priority", "5", "--json", "--data-dir", data);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal((30, 5), (set.Json().GetProperty("stored").GetProperty("requests_per_minute").GetInt32(), set.Json().GetProperty("stored").GetProperty("priority").GetInt32()));
        var shown = await _cli.RunAsync("keys", "limits", id, "--data-dir", data);
        Assert.Contains("requests_per_minute=30 priority=5", shown.Stdout, StringComparison.Ordinal);
        var ns = await _cli.RunAsync("keys", "limits", "--namespace", "acme", "--max-running", "3", "--json", "--data-dir", data);
        Assert.True(ns.ExitCode == 0, ns.ToString());
        Assert.Equal("namespace:acme", ns.Json().GetProperty("scope").GetString());
        var both = await _cli.RunAsync("keys", "limits", id, "--namespace", "acme", "--data-dir", data);
        Assert.True(both.ExitCode == 2, both.ToString());
        var unknown = await _cli.RunAsync("keys", "limits", "key_000000000000", "--data-dir", data);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("no key with id key_000000000000", unknown.Stderr, StringComparison.Ordinal);
        var tooLow = await _cli.RunAsync("keys", "limits", id, "--max-queued", "0", "--data-dir", data);
        Assert.True(tooLow.ExitCode == 2, tooLow.ToString());
        Assert.Contains("--max-queued is 0", tooLow.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await _cli.RunAsync("keys", "limits", id, "--clear", "--data-dir", data)).ExitCode);
        Assert.Contains("stored: none", (await _cli.RunAsync("keys", "limits", id, "--data-dir", data)).Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await _cli.RunAsync("keys", "revoke", id, "--data-dir", data)).ExitCode);
        Assert.DoesNotContain(id, (await _cli.RunAsync("keys", "list", "--data-dir", data)).Stdout, StringComparison.Ordinal);
        var all = await _cli.RunAsync("keys", "list", "--all", "--json", "--data-dir", data);
        Assert.True(all.Json().GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id).GetProperty("revoked").GetBoolean());
        var twice = await _cli.RunAsync("keys", "revoke", id, "--data-dir", data);
        Assert.True(twice.ExitCode == 2, twice.ToString());
        Assert.Contains("already revoked", twice.Stderr, StringComparison.Ordinal);
    }
}
