using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Client;
using Paddock.Core.Auth;
using Paddock.Server.Hosting;

namespace Paddock.Client.Tests.Support;

/// <summary>A real Paddock server on Kestrel at 127.0.0.1 with its own data directory, for the SDK to talk to over a real socket.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, string dataDirectory, Uri endpoint, string apiKey)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Endpoint = endpoint;
        ApiKey = apiKey;
    }

    public string DataDirectory { get; }
    public Uri Endpoint { get; }
    public string ApiKey { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>Fast renders for tests: x264 ultrafast (the output format does not depend on the preset), one worker.</summary>
    public static async Task<LoopbackServer> StartAsync(IDictionary<string, string>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "paddock-client-test-" + Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Paddock:DataDirectory"] = dataDirectory,
            ["Paddock:Engines:Builtin:Preset"] = "ultrafast",
            ["Paddock:Workers:Concurrency"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) all[k] = v;
        var app = PaddockApp.Build(all.Select(kv => $"--{kv.Key}={kv.Value}").ToArray());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();
        return new LoopbackServer(app, dataDirectory, new Uri(address), key);
    }

    /// <summary>A key for another namespace, made the way `paddock keys create` makes one.</summary>
    public async Task<string> CreateKeyAsync(string ns) =>
        (await Services.GetRequiredService<ApiKeyService>().CreateAsync(ns, "test")).Key;

    /// <summary>An SDK client for this server; <paramref name="configure"/> adjusts the options (handlers, timings).</summary>
    public PaddockClient CreateClient(Action<PaddockClientOptions>? configure = null, string? apiKey = null)
    {
        var options = new PaddockClientOptions { PollInterval = TimeSpan.FromMilliseconds(250), EventReconnectDelay = TimeSpan.FromMilliseconds(50) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        configure?.Invoke(options);
        return new PaddockClient(Endpoint, apiKey ?? ApiKey, options);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>One server shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public LoopbackServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The tests that talk to a server share one (each test uses its own prompts, ids or namespace).</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "loopback server";
}
