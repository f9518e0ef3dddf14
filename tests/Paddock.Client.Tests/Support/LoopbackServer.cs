using Paddock.Client;
using Paddock.Testing;

namespace Paddock.Client.Tests.Support;

/// <summary>The shared test server (<see cref="PaddockHost"/>), seen from the SDK: an endpoint and ready-made clients.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly PaddockHost _host;

    private LoopbackServer(PaddockHost host)
    {
        _host = host;
        Endpoint = new Uri(host.BaseUrl + "/");
    }

    public string DataDirectory => _host.DataDirectory;
    public Uri Endpoint { get; }
    public string ApiKey => _host.ApiKey;
    public IServiceProvider Services => _host.Services;

    /// <summary>As a user runs it, except that references on loopback hosts are refused like any internal address.</summary>
    public static async Task<LoopbackServer> StartAsync(IDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string> { ["Paddock:References:AllowedHosts:0"] = "none.invalid" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) all[k] = v;
        return new LoopbackServer(await PaddockHost.StartAsync(all));
    }

    /// <summary>A key for another namespace, made the way `paddock keys create` makes one.</summary>
    public Task<string> CreateKeyAsync(string ns) => _host.CreateKeyAsync(ns);

    /// <summary>An SDK client for this server; <paramref name="configure"/> adjusts the options (handlers, timings).</summary>
    public PaddockClient CreateClient(Action<PaddockClientOptions>? configure = null, string? apiKey = null)
    {
        var options = new PaddockClientOptions { PollInterval = TimeSpan.FromMilliseconds(250), EventReconnectDelay = TimeSpan.FromMilliseconds(50) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        configure?.Invoke(options);
        return new PaddockClient(Endpoint, apiKey ?? ApiKey, options);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
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
