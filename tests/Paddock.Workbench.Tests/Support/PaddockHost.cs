using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Server.Hosting;

namespace Paddock.Workbench.Tests.Support;

/// <summary>A real Paddock server on Kestrel at 127.0.0.1 with its own data directory, as a user would run it.</summary>
public sealed class PaddockHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PaddockHost(WebApplication app, string dataDirectory, string baseUrl, string apiKey)
    {
        _app = app;
        DataDirectory = dataDirectory;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromMinutes(2) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public string DataDirectory { get; }
    public string BaseUrl { get; }
    public string ApiKey { get; }
    public HttpClient Client { get; }

    /// <summary>
    /// x264 ultrafast (the output format does not depend on the preset), and a heartbeat four times a second so
    /// that even a short render reports progress the page can show.
    /// </summary>
    public static async Task<PaddockHost> StartAsync()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "paddock-workbench-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Paddock:DataDirectory"] = dataDirectory,
            ["Paddock:Engines:Builtin:Preset"] = "ultrafast",
            ["Paddock:Workers:Concurrency"] = "1",
            ["Paddock:Workers:HeartbeatInterval"] = "00:00:00.250",
            // The seed's SSE pipeline ends when curl next writes after awk exits: a keep-alive, so keep them frequent.
            ["Paddock:EventKeepAliveInterval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var app = PaddockApp.Build(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();
        return new PaddockHost(app, dataDirectory, address.TrimEnd('/'), key);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}
