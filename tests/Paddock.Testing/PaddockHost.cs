using Microsoft.AspNetCore.Builder;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Auth;
using Paddock.Server.Hosting;

namespace Paddock.Testing;

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
        Client = CreateClient(apiKey);
    }

    public string DataDirectory { get; }
    public string BaseUrl { get; }
    public string ApiKey { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>Test defaults: x264 ultrafast (the output format does not depend on the preset) and references fetched from loopback image hosts.</summary>
    /// <param name="configure">Changes to the host before it is built (e.g. a test decorator around a store, a logger provider that keeps every log line).</param>
    /// <param name="role">What the process runs: <see cref="PaddockRole.Api"/> accepts without rendering (the queue stays as submitted).</param>
    public static async Task<PaddockHost> StartAsync(IDictionary<string, string>? settings = null, string? dataDirectory = null, Action<WebApplicationBuilder>? configure = null,
        PaddockRole role = PaddockRole.ApiAndWorkers)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "paddock-test-" + Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Paddock:DataDirectory"] = dataDirectory,
            ["Paddock:Engines:Builtin:Preset"] = "ultrafast",
            ["Paddock:References:AllowedHosts:0"] = "127.0.0.1",
            ["Paddock:Workers:Concurrency"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) all[k] = v;
        var app = PaddockApp.Build(all.Select(kv => $"--{kv.Key}={kv.Value}").ToArray(), configure, role);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();
        return new PaddockHost(app, dataDirectory, address.TrimEnd('/'), key);
    }

    /// <summary>A key for another namespace, made the way `paddock keys create` makes one.</summary>
    public async Task<string> CreateKeyAsync(string ns) =>
        (await Services.GetRequiredService<ApiKeyService>().CreateAsync(ns, "test")).Key;

    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = TimeSpan.FromMinutes(5) };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
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
