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
/// <param name="ErrorType">Why a failed row failed, as a kind (with <see cref="ErrorMessage"/> and the provider's <see cref="ErrorCode"/>).</param>
/// <param name="StatusMessage">What a waiting row waits for (a retry after throttling) or what became of remote work after a cancel.</param>
/// <param name="Retries">Attempts ended by a retryable failure and queued again after a pause (not counted as lost attempts).</param>
/// <param name="RetryAt">A queued row is not claimed before this time (its pause after a retryable failure).</param>
/// <param name="RemoteJob">The remote job an attempt recorded before waiting on it; a later attempt resumes it.</param>
/// <param name="RemoteCancel">After a cancel of a row with remote work: whether that work was cancelled too.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> of the span that enqueued the row, so the worker that claims it (in any
/// process) continues the submitting request's trace; null when the submitter was not traced.</param>
/// <param name="Pinned">The output never expires (<see cref="Retention.RetentionPolicy"/>), whatever the retention setting.</param>
/// <param name="ExpiredAt">When the retention sweeper deleted the output (the row keeps its status, without <see cref="OutputKey"/>).</param>
/// <param name="Version">
/// The stored row's version as the store read it: every write of the row gives it another, so two reads with the same id
/// and version read the same row (a reader may keep what it made of the first). 0 when unknown (a row not read from a
/// store, or read where the store does not say): never the same as any other.
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
    long? QueuePosition = null,
    Engines.FailureKind? ErrorType = null,
    string? ErrorCode = null,
    string? StatusMessage = null,
    int Retries = 0,
    DateTimeOffset? RetryAt = null,
    Engines.RemoteJob? RemoteJob = null,
    Engines.RemoteCancelState? RemoteCancel = null,
    string? TraceParent = null,
    bool Pinned = false,
    DateTimeOffset? ExpiredAt = null,
    long Version = 0);

/// <summary>Why an attempt failed: its kind, the message for the user, and the provider's code when it gave one.</summary>
public sealed record GenerationFailure(Engines.FailureKind Kind, string Message, string? Code = null);

/// <summary>A row to be created by an enqueue or a sync request.</summary>
/// <param name="Lane">The queue the row waits in: the backend serving its model, whose workers take the lane's rows in
/// order (queue positions count within a lane). Null: the model's id.</param>
/// <param name="TraceParent">The submitting span's W3C <c>traceparent</c>, stored with the row (see <see cref="Generation.TraceParent"/>).</param>
/// <param name="Priority">Within a lane, rows of a higher priority are claimed before any of a lower one (the key's
/// priority; 0 by default). Rows of one priority are shared fairly between namespaces (<see cref="Queue.FairQueue"/>).</param>
/// <param name="ApiKeyId">The key that submitted the row: its per-key limits and usage count it.</param>
/// <param name="Resolution">The resolution asked for ("720P", "1080P"), or "" for a model without one: budgets count by it.</param>
/// <param name="VideoSeconds">Seconds of video the row asks for: what its budget is charged (given back if it fails or is cancelled).</param>
public sealed record NewGeneration(
    Guid Id,
    string Namespace,
    string Model,
    string MediaType,
    string Parameters,
    string? Lane = null,
    string? TraceParent = null,
    int Priority = 0,
    string? ApiKeyId = null,
    string Resolution = "",
    int VideoSeconds = 0);
