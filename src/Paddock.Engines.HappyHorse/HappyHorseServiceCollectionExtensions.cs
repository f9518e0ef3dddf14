using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paddock.Core.Engines;

namespace Paddock.Engines.HappyHorse;

/// <summary>Makes a <c>happyhorse</c> backend from its settings; the key comes from the environment variable they name.</summary>
public sealed class HappyHorseEngineFactory : EngineFactory<HappyHorseOptions>
{
    public override string Type => "happyhorse";

    protected override IVideoEngine Create(string name, HappyHorseOptions options, IServiceProvider services)
    {
        // Checked at start (HappyHorseOptions.Validate → RequireVariable); read here once, and kept only by the HTTP client.
        var key = Environment.GetEnvironmentVariable(options.ApiKeyVariable);
        if (string.IsNullOrEmpty(key))
            throw new InvalidOperationException($"Paddock:Backends:{name}:ApiKeyVariable names the environment variable {options.ApiKeyVariable}, which is not set");
        return new HappyHorseEngine(name, options, key, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>().CreateLogger<HappyHorseEngine>());
    }
}

public static class HappyHorseServiceCollectionExtensions
{
    /// <summary>Lets configuration name backends of <c>Type=happyhorse</c> (Paddock:Backends:NAME).</summary>
    public static IServiceCollection AddHappyHorseEngine(this IServiceCollection services) =>
        services.AddSingleton<IEngineFactory, HappyHorseEngineFactory>();
}
