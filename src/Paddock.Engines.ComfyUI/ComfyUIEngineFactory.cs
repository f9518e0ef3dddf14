using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Engines;
using Paddock.Core.Models;
using Paddock.Engines.ComfyUI.Passes;
using Paddock.Media;

namespace Paddock.Engines.ComfyUI;

/// <summary>Makes a comfyui backend from <c>Paddock:Backends:NAME</c> with <c>Type=comfyui</c>.</summary>
internal sealed class ComfyUIEngineFactory : EngineFactory<ComfyUIOptions>
{
    public const string TypeName = "comfyui";

    public override string Type => TypeName;

    protected override IVideoEngine Create(string name, ComfyUIOptions options, IServiceProvider services) =>
        new ComfyUIEngine(name, options, services.GetRequiredService<ModelCatalog>(),
            new PassMedia(services.GetRequiredService<IOptions<MediaOptions>>().Value, services.GetRequiredService<FfmpegConformer>()),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>());
}
