using System.Net;
using System.Net.Http.Headers;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>`paddock keys` against a server's data directory, as an operator runs it.</summary>
public sealed class CliKeysTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-keys-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private Task<ProcessResult> PaddockAsync(params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "paddock.dll"), .. args, "--data-dir", _data]);

    [Fact]
    public async Task A_created_key_works_for_its_namespace_only_and_a_revoked_one_stops_working()
    {
        string key, keyId;
        await using (var server = await ServerProcess.StartAsync(_data))
        {
            // Keys are created beside a running server, in its database; it sees them at once.
            var created = await PaddockAsync("keys", "create", "--namespace", "acme", "--name", "ci");
            Assert.Equal(0, created.ExitCode);
            key = created.Stdout.Trim();
            Assert.StartsWith("pdk_", key);
            Assert.Contains("shown only now", created.Stderr);

            var list = await PaddockAsync("keys", "list");
            var line = Assert.Single(list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("\tacme\t"));
            Assert.DoesNotContain(key, list.Stdout); // only the hash is stored
            keyId = line.Split('\t')[0];

            using var acme = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
            acme.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var id = (await Api.EnqueueAsync(acme, new { model = "happyhorse-1.0-r2v", prompt = "acme clip", resolution = "720P", duration = 3 }))[0];
            Assert.Equal("acme", (await Api.GetRowAsync(acme, id))["target_namespace"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"api/ai/queue/{id}")).StatusCode); // the default namespace's key
        }

        var revoked = await PaddockAsync("keys", "revoke", keyId);
        Assert.Equal(0, revoked.ExitCode);
        await using (var server = await ServerProcess.StartAsync(_data))
        {
            using var acme = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
            acme.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(HttpStatusCode.Unauthorized, (await acme.GetAsync("api/ai/queue")).StatusCode);
        }
    }

    [Fact]
    public async Task Bad_usage_exits_non_zero_with_a_message()
    {
        var missing = await PaddockAsync("keys", "create");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--namespace", missing.Stderr);
        var bad = await PaddockAsync("keys", "create", "--namespace", "../etc");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("must be 1-64 letters", bad.Stderr);
    }
}
