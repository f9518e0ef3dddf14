using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Paddock.Engines.Upstream.Tests.Support;

/// <summary>
/// Two real Paddocks chained: B renders with its built-in engine; A serves <c>happyhorse-1.0-r2v</c> through an upstream
/// backend named <c>b</c> pointing at B, with B's key in an environment variable of its own (a fresh name per chain, so
/// tests never see each other's keys).
/// </summary>
public sealed class Chain : IAsyncDisposable
{
    public const string Model = "happyhorse-1.0-r2v";

    private Chain(PaddockHost upstream, string keyVariable)
    {
        B = upstream;
        KeyVariable = keyVariable;
    }

    /// <summary>The upstream: a Paddock rendering with its built-in engine.</summary>
    public PaddockHost B { get; }

    /// <summary>The environment variable A reads B's key from.</summary>
    public string KeyVariable { get; }

    public static async Task<Chain> StartAsync(IDictionary<string, string>? upstreamSettings = null)
    {
        var b = await PaddockHost.StartAsync(upstreamSettings);
        var variable = "PADDOCK_TEST_UPSTREAM_KEY_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        // Inherited by server processes started from here too.
        Environment.SetEnvironmentVariable(variable, b.ApiKey);
        return new Chain(b, variable);
    }

    /// <summary>A's settings: the model served by backend <c>b</c> = B, polled every second when B's stream is quiet.</summary>
    public Dictionary<string, string> DownstreamSettings(IDictionary<string, string>? extra = null, string? baseUrl = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Paddock:Backends:b:Type"] = "upstream",
            ["Paddock:Backends:b:BaseUrl"] = baseUrl ?? B.BaseUrl,
            ["Paddock:Backends:b:ApiKeyVariable"] = KeyVariable,
            ["Paddock:Backends:b:PollInterval"] = "00:00:01",
            ["Paddock:Backends:b:HealthCheckInterval"] = "00:00:01",
            [$"Paddock:Catalog:Backends:{Model}"] = "b",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        return settings;
    }

    /// <summary>A in this process, every log line of it (at every level) kept in <paramref name="logs"/>.</summary>
    public Task<PaddockHost> StartDownstreamAsync(LogCapture logs, IDictionary<string, string>? extra = null, string? baseUrl = null)
    {
        var settings = DownstreamSettings(extra, baseUrl);
        settings["Logging:LogLevel:Default"] = "Trace";
        return PaddockHost.StartAsync(settings, configure: builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        });
    }

    /// <summary>The same settings as <c>paddock serve</c> options, for A as a real process.</summary>
    public string[] DownstreamArguments(params string[] extra) =>
        DownstreamSettings().Select(kv => $"--{kv.Key}={kv.Value}").Concat(extra).ToArray();

    public static byte[] FoxPng() => TestImages.Png(640, 480, SKColors.OrangeRed, SKColors.LightGreen);

    public static byte[] OwlPng() => TestImages.Png(600, 600, SKColors.SaddleBrown, SKColors.LightSkyBlue);

    public static string DataUrl(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, null);
        await B.DisposeAsync();
    }
}
