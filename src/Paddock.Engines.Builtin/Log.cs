using Microsoft.Extensions.Logging;

namespace Paddock.Engines.Builtin;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Builtin render of {GenerationId} starting: {Width}x{Height}, {FrameCount} frames, {ReferenceCount} references")]
    public static partial void RenderStarting(ILogger logger, Guid generationId, int width, int height, int frameCount, int referenceCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Builtin render of {GenerationId} finished in {ElapsedMs:F0} ms ({FramesPerSecond:F1} frames/s)")]
    public static partial void RenderFinished(ILogger logger, Guid generationId, double elapsedMs, double framesPerSecond);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Builtin render of {GenerationId} cancelled at frame {Frame}")]
    public static partial void RenderCancelled(ILogger logger, Guid generationId, int frame);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Builtin render of {GenerationId} failed")]
    public static partial void RenderFailed(ILogger logger, Guid generationId, Exception exception);
}
