using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Testing;

namespace Paddock.Storage.Postgres.Tests.Server;

/// <summary>Several processes on one PostgreSQL database all send webhooks: each delivery reaches the receiver once.</summary>
public sealed class WebhooksOnPostgresTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private readonly List<PaddockHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<PaddockHost> StartAsync(string? dataDirectory = null)
    {
        var host = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Storage:Provider"] = "postgres",
            ["Paddock:Storage:Postgres:ConnectionString"] = await _database.ConnectionStringAsync(),
            ["Paddock:Workers:Concurrency"] = "1",
            ["Paddock:Webhooks:AllowedHosts:0"] = "127.0.0.1",
            ["Paddock:Webhooks:PollInterval"] = "00:00:00.050",
        }, dataDirectory);
        _hosts.Add(host);
        return host;
    }

    [Fact]
    public async Task Two_processes_sending_from_one_database_deliver_each_event_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var first = await StartAsync();
        // The second process shares the first one's data directory only for its signing key and first API key file.
        var second = await StartAsync(first.DataDirectory);
        using var create = await first.Client.PostAsync("api/webhooks", new StringContent(JsonSerializer.Serialize(new { url = receiver.Url }), System.Text.Encoding.UTF8, "application/json"));
        var endpoint = JsonNode.Parse(await create.Content.ReadAsStringAsync())!;
        Assert.True((int)create.StatusCode == 201, endpoint.ToJsonString());
        var secret = endpoint["secret"]!.GetValue<string>();

        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var client = i % 2 == 0 ? first.Client : second.Client;
            ids.Add(await Wire.EnqueueAsync(client, new { model = "happyhorse-1.0-t2v", prompt = $"a kite {i} in the wind", resolution = "720P", duration = 3 }));
        }
        foreach (var id in ids) await Wire.WaitTerminalAsync(first.Client, id);
        await receiver.WaitForAsync(r => r.Count >= ids.Count, TimeSpan.FromSeconds(60));
        await Task.Delay(1000);

        var requests = receiver.Requests.ToList();
        Assert.Equal(ids.Count, requests.Count);
        Assert.Equal(ids.Order(), requests.Select(r => JsonNode.Parse(r.Body)!["data"]!["generation_id"]!.GetValue<string>()).Order());
        Assert.Equal(ids.Count, requests.Select(r => r.Id).Distinct().Count());
        Assert.All(requests, r => Assert.True(WebhookReceiver.Verifies(r, secret)));
    }
}
