using Microsoft.Extensions.Logging;

namespace Paddock.Engines.HappyHorse;

/// <summary>What the engine logs. Never the API key: it is only ever in an Authorization header.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: {Backend} created task {TaskId} ({Model})")]
    public static partial void TaskCreated(ILogger logger, Guid generationId, string backend, string taskId, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: resuming task {TaskId} on {Backend}")]
    public static partial void Resuming(ILogger logger, Guid generationId, string taskId, string backend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: an earlier attempt's create on {Backend} was never answered; adopted task {TaskId}, the only one of its model created then")]
    public static partial void Adopted(ILogger logger, Guid generationId, string backend, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: task {TaskId} is {Status}")]
    public static partial void TaskStatus(ILogger logger, Guid generationId, string taskId, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: querying task {TaskId} failed ({Problem}); trying again")]
    public static partial void PollFailed(ILogger logger, Guid generationId, string taskId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: the create call on {Backend} got no answer ({Problem}); the next attempt looks for the task it may have made")]
    public static partial void CreateUnanswered(ILogger logger, Guid generationId, string backend, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: downloaded the video of task {TaskId} ({Bytes} bytes)")]
    public static partial void Downloaded(ILogger logger, Guid generationId, string taskId, long bytes);
}
