using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Paddock.Fakes.DashScope;
using SkiaSharp;

namespace Paddock.Engines.HappyHorse.Tests.Support;

/// <summary>
/// One test's world: the fake DashScope (in this test process, so it outlives any Paddock process a test kills), a web
/// host for reference images, an API key that exists only in an environment variable of its own, and the settings
/// that point the HappyHorse models at backend <c>hh</c> on the fake.
/// </summary>
public sealed class Rig : IAsyncDisposable
{
    public const string Backend = "hh";

    private Rig(FakeDashScope fake, ImageHost images, string apiKey, string keyVariable)
    {
        Fake = fake;
        Images = images;
        ApiKey = apiKey;
        KeyVariable = keyVariable;
    }

    public FakeDashScope Fake { get; }
    public ImageHost Images { get; }

    /// <summary>The provider key: random per test, so a search for it finds only leaks.</summary>
    public string ApiKey { get; }

    /// <summary>The environment variable (of this process, inherited by child processes) that holds <see cref="ApiKey"/>.</summary>
    public string KeyVariable { get; }

    public PaddockHost? Paddock { get; private set; }
    public LogCapture Logs { get; } = new();

    /// <summary>Short task times: a test waits on the fake, never on the clock of a real provider.</summary>
    public static async Task<Rig> StartAsync(Action<FakeDashScopeOptions>? configure = null)
    {
        var key = "sk-paddock-test-" + Guid.NewGuid().ToString("N");
        var variable = "PADDOCK_TEST_DASHSCOPE_KEY_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, key);
        var options = new FakeDashScopeOptions { ApiKey = key, PendingTime = TimeSpan.FromMilliseconds(300), TaskTime = TimeSpan.FromMilliseconds(1500) };
        configure?.Invoke(options);
        var fake = await FakeDashScope.StartAsync(options);
        return new Rig(fake, await ImageHost.StartAsync(), key, variable);
    }

    /// <summary>The settings of a deployment that serves the HappyHorse models on the fake (as `--key=value` pairs or a dictionary).</summary>
    public Dictionary<string, string> Settings(IDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            [$"Paddock:Backends:{Backend}:Type"] = "happyhorse",
            [$"Paddock:Backends:{Backend}:BaseUrl"] = Fake.ApiBaseUrl,
            [$"Paddock:Backends:{Backend}:ApiKeyVariable"] = KeyVariable,
            [$"Paddock:Backends:{Backend}:PollInterval"] = "00:00:00.100",
            [$"Paddock:Backends:{Backend}:MaxPollInterval"] = "00:00:00.500",
            // The reference images are on this machine's image host (PaddockHost allows it too; `paddock serve` needs telling).
            ["Paddock:References:AllowedHosts:0"] = "127.0.0.1",
            ["Paddock:Catalog:Backends:happyhorse-1.0-r2v"] = Backend,
            ["Paddock:Catalog:Backends:happyhorse-1.1-r2v"] = Backend,
            ["Paddock:Catalog:Backends:happyhorse-1.0-i2v"] = Backend,
            ["Paddock:Catalog:Backends:happyhorse-1.0-t2v"] = Backend,
            // Idle workers look for due retries often, so a retry starts when its pause ends rather than up to a second later.
            ["Paddock:Workers:PollInterval"] = "00:00:00.100",
            ["Paddock:Workers:RetryBaseDelay"] = "00:00:00.200",
            ["Paddock:Workers:RetryMaxDelay"] = "00:00:01",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        return settings;
    }

    public string[] Arguments(IDictionary<string, string>? extra = null) => Settings(extra).Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

    /// <summary>Starts Paddock in this process with every log line kept in <see cref="Logs"/>.</summary>
    public async Task<PaddockHost> StartPaddockAsync(IDictionary<string, string>? extra = null)
    {
        Paddock = await PaddockHost.StartAsync(Settings(extra), configure: builder => builder.Logging.AddProvider(Logs));
        return Paddock;
    }

    /// <summary>A PNG reference on the image host (big enough for both Paddock's and the provider's rules).</summary>
    public string Reference(string name, SKColor figure, int width = 800, int height = 600) =>
        Images.Add($"/{name}.png", TestImages.Png(width, height, figure, SKColors.Beige));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (Paddock is not null) await Paddock.DisposeAsync();
        await Images.DisposeAsync();
        await Fake.DisposeAsync();
        Environment.SetEnvironmentVariable(KeyVariable, null);
    }
}
