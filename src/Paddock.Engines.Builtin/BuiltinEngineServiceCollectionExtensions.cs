using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;
using Paddock.Core.Engines;

namespace Paddock.Engines.Builtin;

public static class BuiltinEngineServiceCollectionExtensions
{
    /// <summary>The built-in renderer as the backend <c>builtin</c>, with its settings from <c>Paddock:Engines:Builtin</c>.</summary>
    public static IServiceCollection AddBuiltinEngine(this IServiceCollection services)
    {
        services.AddSettings<BuiltinEngineOptions>("Paddock:Engines:Builtin");
        services.AddSingleton(new BuiltInBackend("builtin"));
        services.AddSingleton<IVideoEngine>(sp => new BuiltinVideoEngine(
            sp.GetRequiredService<IOptions<BuiltinEngineOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger<BuiltinVideoEngine>()));
        return services;
    }
}
