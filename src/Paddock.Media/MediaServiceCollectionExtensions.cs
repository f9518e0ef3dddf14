using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Configuration;
using Paddock.Core.Video;

namespace Paddock.Media;

public static class MediaServiceCollectionExtensions
{
    /// <summary>ffprobe checks and ffmpeg conforming of backends' videos, with settings from <c>Paddock:Media</c>.</summary>
    public static IServiceCollection AddPaddockMedia(this IServiceCollection services)
    {
        services.AddSettings<MediaOptions>("Paddock:Media");
        services.AddSingleton<FfmpegConformer>();
        services.AddSingleton<VideoStills>();
        services.AddSingleton<IOutputConformer>(sp => sp.GetRequiredService<FfmpegConformer>());
        return services;
    }
}
