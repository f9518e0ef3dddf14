using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paddock.Core.Engines;
using Paddock.Core.Files;
using Paddock.Core.Models;

namespace Paddock.Engines.Upstream;

public static class UpstreamEngineServiceCollectionExtensions
{
    /// <summary>Backends of type <c>upstream</c> (<c>Paddock:Backends:NAME:Type=upstream</c>): another server with this API renders their models.</summary>
    public static IServiceCollection AddUpstreamEngine(this IServiceCollection services)
    {
        services.AddSingleton<IEngineFactory, UpstreamEngineFactory>();
        return services;
    }
}

/// <summary>Makes an <see cref="UpstreamVideoEngine"/> from its backend's settings and the key in the environment variable they name.</summary>
public sealed class UpstreamEngineFactory : EngineFactory<UpstreamOptions>
{
    public override string Type => "upstream";

    protected override IVideoEngine Create(string name, UpstreamOptions options, IServiceProvider services)
    {
        var key = Environment.GetEnvironmentVariable(options.ApiKeyVariable ?? "")
            ?? throw new InvalidOperationException($"{EngineRegistry.BackendsSection}:{name}:ApiKeyVariable names the environment variable {options.ApiKeyVariable}, which is not set");
        // The catalog is read when needed, not now: it is built from the same configuration, and this runs while the registry is made.
        var catalog = new Lazy<ModelCatalog?>(() => services.GetService<ModelCatalog>());
        return new UpstreamVideoEngine(name, options, key, services.GetService<SelfHosts>(),
            () => catalog.Value?.ModelsServedBy(name) ?? [],
            model => catalog.Value?.Find(model)?.RequestSchema,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<UpstreamVideoEngine>());
    }
}
