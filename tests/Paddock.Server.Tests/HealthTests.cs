using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Server.Hosting;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c>: ready answers 503 with the reason while the process cannot do its
/// work (a stop under way, a database that does not answer, ffmpeg missing), so a load balancer sends it no traffic.
/// </summary>
public sealed class HealthTests
{
    [Fact]
    public async Task A_running_server_is_live_and_ready_and_every_check_is_named()
    {
        await using var server = await PaddockHost.StartAsync();
        var anonymous = server.CreateClient(null);

        var (ready, body) = await ReadyAsync(anonymous);
        Assert.True(ready == 200, $"ready answered {ready}: {body}");
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        Assert.Equal(["backends", "blob_store", "database", "ffmpeg", "stopping"], body["checks"]!.AsObject().Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(200, (int)(await anonymous.GetAsync("health/live")).StatusCode);
        // The route that was there before keeps answering as it did.
        Assert.Equal("ok", (await anonymous.GetFromJsonAsync<JsonNode>("api/health"))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_worker_role_answers_live_and_ready_too()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "paddock-test-" + Guid.NewGuid().ToString("N"));
        await using var worker = PaddockApp.Build(["--urls=http://127.0.0.1:0", $"--Paddock:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning"],
            role: PaddockRole.Worker);
        await worker.StartAsync();
        var address = worker.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };

        var (ready, body) = await ReadyAsync(client);
        Assert.True(ready == 200, $"ready answered {ready}: {body}");
        Assert.Equal(["backends", "blob_store", "database", "ffmpeg", "stopping"], body["checks"]!.AsObject().Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(200, (int)(await client.GetAsync("health/live")).StatusCode);
        Assert.Equal("worker", (await client.GetFromJsonAsync<JsonNode>("health"))!["role"]!.GetValue<string>());
        await worker.StopAsync();
        try { Directory.Delete(dataDirectory, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task Missing_ffmpeg_makes_ready_false_naming_the_setting()
    {
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Engines:Builtin:FfmpegPath"] = "/nonexistent/ffmpeg" });
        var anonymous = server.CreateClient(null);

        var (ready, body) = await ReadyAsync(anonymous);
        Assert.Equal(503, ready);
        Assert.Equal("unhealthy", body["status"]!.GetValue<string>());
        Assert.Contains("ffmpeg: not found: ffmpeg ('/nonexistent/ffmpeg', Paddock:Engines:Builtin:FfmpegPath)", body["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("unhealthy", body["checks"]!["ffmpeg"]!["status"]!.GetValue<string>());
        // Alive all the same: a restart would not bring ffmpeg back.
        Assert.Equal(200, (int)(await anonymous.GetAsync("health/live")).StatusCode);
    }

    [Fact]
    public async Task A_dead_database_makes_ready_false_with_the_reason_and_ready_returns_with_it()
    {
        await using var cluster = await PostgresCluster.StartOwnAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Storage:Provider"] = "Postgres",
            ["Paddock:Storage:Postgres:ConnectionString"] = connectionString,
            ["Paddock:Health:CheckTimeout"] = "00:00:03",
        });
        var anonymous = server.CreateClient(null);
        Assert.Equal(200, (await ReadyAsync(anonymous)).Status);

        await cluster.StopAsync();
        try
        {
            var (ready, body) = await ReadyAsync(anonymous);
            Assert.Equal(503, ready);
            Assert.Equal("unhealthy", body["checks"]!["database"]!["status"]!.GetValue<string>());
            Assert.StartsWith("database: the Postgres database does not answer", body["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(200, (int)(await anonymous.GetAsync("health/live")).StatusCode);
        }
        finally
        {
            await cluster.StartAsync();
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await ReadyAsync(anonymous)).Status != 200)
        {
            Assert.True(DateTime.UtcNow < deadline, "ready did not come back with the database");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Ready_goes_false_on_SIGTERM_before_the_listener_closes()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "paddock-test-" + Guid.NewGuid().ToString("N"));
        await using var server = await ServerProcess.StartAsync(dataDirectory, "--Paddock:Health:DrainDelay=00:00:03");
        using var probe = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(200, (await ReadyAsync(probe)).Status);

        server.SignalTerminate();
        // Probe as a load balancer does, until the listener refuses: it must have said "not ready" first, with why.
        JsonNode? draining = null;
        var liveWhileDraining = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var (status, body) = await ReadyAsync(probe);
                if (status == 503 && draining is null)
                {
                    draining = body;
                    liveWhileDraining = (int)(await probe.GetAsync("health/live")).StatusCode;
                }
                else if (status != 503) Assert.Null(draining); // once not ready, never ready again
            }
            catch (HttpRequestException)
            {
                break; // the listener closed
            }
            await Task.Delay(50);
        }

        Assert.NotNull(draining);
        Assert.Equal("unhealthy", draining["status"]!.GetValue<string>());
        Assert.StartsWith("stopping: the process is stopping", draining["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(200, liveWhileDraining);
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(30)));
        try { Directory.Delete(dataDirectory, recursive: true); }
        catch (IOException) { }
    }

    private static async Task<(int Status, JsonNode Body)> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("health/ready");
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
