namespace Paddock.Core.Generations;

/// <summary>Where a running generation is; stored on the row and shown as <c>progress</c>.</summary>
public sealed record GenerationProgress(string Phase, int Percent, int? EtaSeconds = null);

/// <summary>A generation row as the store keeps it.</summary>
/// <param name="Parameters">The model's request fields as the client sent them (plus the chosen seed), a JSON object.</param>
/// <param name="OutputKey">Blob key of the finished video, when succeeded.</param>
/// <param name="Attempt">
/// The attempts that count: claims by a worker, the one in progress included, less those handed back when a worker's
/// process stopped gracefully (which do not count against the limit either). Not the lease's fencing token
/// (<see cref="Queue.Lease.Attempt"/>), which counts every claim.
/// </param>
public sealed record Generation(
    Guid Id,
    string Namespace,
    string Model,
    string MediaType,
    GenerationStatus Status,
    string Parameters,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? ErrorMessage,
    string? OutputKey,
    GenerationProgress? Progress,
    int Attempt,
    long? QueuePosition = null);

/// <summary>A row to be created by an enqueue or a sync request.</summary>
public sealed record NewGeneration(
    Guid Id,
    string Namespace,
    string Model,
    string MediaType,
    string Parameters);
