using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Engines;

namespace Paddock.Engines.ComfyUI;

public static class ComfyUIEngineServiceCollectionExtensions
{
    /// <summary>Backends of <c>Type=comfyui</c>: pools of ComfyUI servers (settings: <see cref="ComfyUIOptions"/>).</summary>
    public static IServiceCollection AddComfyUIEngine(this IServiceCollection services) =>
        services.AddSingleton<IEngineFactory, ComfyUIEngineFactory>();
}
