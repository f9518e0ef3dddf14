using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>
/// The server's own addresses come from its configuration and its listening sockets, never from the Host header of
/// the traffic it gets: a request cannot make the server hand out URLs at a host of its choosing, nor make it treat
/// that host as itself (and read "its" files from storage for URLs at it).
/// </summary>
public sealed class OwnHostsTests
{
    [Fact]
    public async Task Without_a_public_base_url_a_forged_host_header_does_not_go_into_returned_urls()
    {
        await using var server = await PaddockHost.StartAsync();
        using var upload = Upload(server, "assets", "fox.png", TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.LightYellow));
        upload.Headers.Host = "attacker.example:8080";
        using var answer = await server.Client.SendAsync(upload);
        var file = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["files"]![0]!;
        Assert.StartsWith(server.BaseUrl + "/api/repos/default/assets/file/main/fox.png", file["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith(server.BaseUrl + "/", file["signed_url"]!.GetValue<string>(), StringComparison.Ordinal);

        // A row read with a forged Host: its result_url is at the address the request reached.
        var id = (await Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a fox", resolution = "720P", duration = 3 }))[0];
        await Api.WaitTerminalAsync(server.Client, id);
        using var get = new HttpRequestMessage(HttpMethod.Get, $"api/ai/queue/{id}");
        get.Headers.Host = "attacker.example";
        using var row = await server.Client.SendAsync(get);
        var resultUrl = JsonNode.Parse(await row.Content.ReadAsStringAsync())!["result_url"]!.GetValue<string>();
        Assert.StartsWith(server.BaseUrl + "/api/outputs/default/", resultUrl, StringComparison.Ordinal);
        Assert.Equal(200, (int)(await new HttpClient().GetAsync(resultUrl)).StatusCode);

        // The Host a client uses is kept when it names the server itself (here: localhost, as a loopback listener is reached).
        var port = new Uri(server.BaseUrl).Port;
        using var local = new HttpRequestMessage(HttpMethod.Get, $"api/ai/queue/{id}");
        local.Headers.Host = $"localhost:{port}";
        using var localRow = await server.Client.SendAsync(local);
        Assert.StartsWith($"http://localhost:{port}/api/outputs/", JsonNode.Parse(await localRow.Content.ReadAsStringAsync())!["result_url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_seen_in_traffic_does_not_become_one_of_the_servers_own()
    {
        await using var server = await PaddockHost.StartAsync();
        using (var upload = Upload(server, "assets", "fox.png", TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.LightYellow)))
            Assert.True((await server.Client.SendAsync(upload)).IsSuccessStatusCode);

        // An authenticated request that names some other host...
        const string Junk = "files.paddock.invalid:8080";
        using (var probe = new HttpRequestMessage(HttpMethod.Get, "api/ai/models"))
        {
            probe.Headers.Host = Junk;
            Assert.True((await server.Client.SendAsync(probe)).IsSuccessStatusCode);
        }

        // ...does not make a reference at that host "ours": it is fetched like any URL (and .invalid never resolves),
        // not read from this server's storage.
        var id = (await Api.EnqueueAsync(server.Client, new
        {
            model = "happyhorse-1.0-r2v", prompt = "Image 1 runs", resolution = "720P", duration = 3,
            reference_images = new[] { $"http://{Junk}/api/repos/default/assets/file/main/fox.png" },
        }))[0];
        var row = await Api.WaitTerminalAsync(server.Client, id, TimeSpan.FromMinutes(1));
        Assert.Equal("failed", row["status"]!.GetValue<string>());
        Assert.StartsWith("reference_images[0]: could not be downloaded", row["error_message"]!.GetValue<string>(), StringComparison.Ordinal);

        // A reference at the server's own listening address still is read from storage.
        var own = (await Api.EnqueueAsync(server.Client, new
        {
            model = "happyhorse-1.0-r2v", prompt = "Image 1 runs", resolution = "720P", duration = 3,
            reference_images = new[] { $"{server.BaseUrl}/api/repos/default/assets/file/main/fox.png" },
        }))[0];
        Assert.Equal("succeeded", (await Api.WaitTerminalAsync(server.Client, own))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_public_base_url_is_warned_about_once_at_start_naming_the_setting()
    {
        var logs = new CapturedLogs();
        await using (await PaddockHost.StartAsync(configure: b => b.Logging.AddProvider(logs)))
        {
            var warnings = logs.Messages.Where(m => m.Level == LogLevel.Warning && m.Text.Contains("Paddock:PublicBaseUrl", StringComparison.Ordinal)).ToList();
            Assert.Single(warnings);
        }

        var configured = new CapturedLogs();
        await using (await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:PublicBaseUrl"] = "https://video.example.com" }, configure: b => b.Logging.AddProvider(configured)))
        {
            Assert.DoesNotContain(configured.Messages, m => m.Text.Contains("Paddock:PublicBaseUrl", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_configured_server_name_is_trusted_in_the_host_header()
    {
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:ServerNames:0"] = "video.internal.example" });
        var port = new Uri(server.BaseUrl).Port;
        using var upload = Upload(server, "assets", "fox.png", TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.LightYellow));
        upload.Headers.Host = $"video.internal.example:{port}";
        using var answer = await server.Client.SendAsync(upload);
        var file = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["files"]![0]!;
        Assert.StartsWith($"http://video.internal.example:{port}/api/repos/default/assets/", file["url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_public_base_url_or_server_name_stops_the_server_at_start_naming_the_setting()
    {
        var bad = await Assert.ThrowsAnyAsync<Exception>(() => PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:PublicBaseUrl"] = "video.example.com" }));
        Assert.Contains("Paddock:PublicBaseUrl", bad.Message, StringComparison.Ordinal);
        var badName = await Assert.ThrowsAnyAsync<Exception>(() => PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:ServerNames:0"] = "http://x/y" }));
        Assert.Contains("Paddock:ServerNames", badName.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Upload(PaddockHost server, string repo, string name, byte[] bytes)
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(content, "file", name);
        return new HttpRequestMessage(HttpMethod.Put, $"api/repos/default/{repo}/file/main/{name}") { Content = form };
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        private sealed class Logger(CapturedLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
