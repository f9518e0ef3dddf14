using Microsoft.Extensions.Logging;

namespace Paddock.Engines.Upstream;

/// <summary>What the upstream engine logs; every line names the local generation. Messages carry the upstream's words with the key blanked out.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Generation {GenerationId}: submitted to {Upstream} as {UpstreamId} (submission {Submission})")]
    public static partial void Submitted(ILogger logger, Guid generationId, string upstream, string upstreamId, int submission);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Generation {GenerationId}: resuming upstream generation {UpstreamId} on {Upstream}")]
    public static partial void Resuming(ILogger logger, Guid generationId, string upstream, string upstreamId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Generation {GenerationId}: repeating submission {Submission} to {Upstream}, whose answer was not recorded (same idempotency key)")]
    public static partial void RepeatingSubmission(ILogger logger, Guid generationId, string upstream, int submission);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Generation {GenerationId}: submitting it to {Upstream} again: {Reason}")]
    public static partial void Resubmitting(ILogger logger, Guid generationId, string upstream, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Generation {GenerationId}: reference image {Index} goes to the upstream as {Url}")]
    public static partial void ReferencePlaced(ILogger logger, Guid generationId, int index, string url);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Generation {GenerationId}: upstream generation {UpstreamId} ended {Status}")]
    public static partial void Ended(ILogger logger, Guid generationId, string upstreamId, string status);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Generation {GenerationId}: reading upstream generation {UpstreamId} failed: {Problem}")]
    public static partial void PollFailed(ILogger logger, Guid generationId, string upstreamId, string problem);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Generation {GenerationId}: the event stream of {Upstream} broke ({Problem}); reopening it after the last event")]
    public static partial void EventStreamBroke(ILogger logger, Guid generationId, string upstream, string problem);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Generation {GenerationId}: {Upstream} has no event stream ({Problem}); polling its row")]
    public static partial void NoEventStream(ILogger logger, Guid generationId, string upstream, string problem);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Generation {GenerationId}: cancelling upstream generation {UpstreamId} after a time-out failed: {Problem}")]
    public static partial void CancelAfterTimeoutFailed(ILogger logger, Guid generationId, string upstreamId, string problem);
}
