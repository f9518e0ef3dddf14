using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Generations;

namespace Paddock.Core.Queue;

/// <summary>
/// The durable queue of generations: the source of truth for jobs and their events. Every method
/// returns only after its change is committed. Implementations: SQLite (embedded) and PostgreSQL.
/// </summary>
public interface IGenerationStore
{
    /// <summary>Creates the rows (status queued) in one transaction; durable when this returns.</summary>
    Task EnqueueAsync(IReadOnlyList<NewGeneration> generations, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="EnqueueAsync"/>, at most once per idempotency key: the key and the rows are
    /// committed together, so a retry after a lost answer finds the first call's rows.
    /// </summary>
    Task<EnqueueOutcome> EnqueueOnceAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim claim, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="EnqueueOnceAsync"/> (or <see cref="EnqueueAsync"/> without a <paramref name="claim"/>), with the
    /// rows first passing <paramref name="admission"/> in the same transaction, where submissions of the same namespace
    /// cannot interleave: a refusal writes nothing (and does not use the idempotency key); a repeat of a call whose rows
    /// were created replays them without checking again.
    /// </summary>
    Task<EnqueueOutcome> EnqueueAdmittedAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim? claim, Quotas.AdmissionCheck admission, CancellationToken cancellationToken = default);

    /// <summary>One row of a namespace; null when absent or another namespace's.</summary>
    Task<Generation?> GetAsync(string ns, Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The queued rows of every namespace, per model (models with none are absent), for the queue-depth metric. Read
    /// from the kept counts, so its cost does not grow with the queue.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> CountQueuedByModelAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rows of every namespace per (namespace, model, status), ordered by namespace, model and status (ordinal); combinations with
    /// none are absent. Read from the kept counts, so its cost grows with namespaces × models, not with the table.
    /// </summary>
    Task<IReadOnlyList<StatusCount>> CountByStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// When the oldest queued row of <paramref name="ns"/> and <paramref name="model"/> was enqueued; null when none is
    /// queued. One index seek from the namespace's oldest queued row (it passes only that namespace's queued rows of other models).
    /// </summary>
    Task<DateTimeOffset?> OldestQueuedAsync(string ns, string model, CancellationToken cancellationToken = default);

    /// <summary>Rows processing now per worker (the lease owner), most first, then by worker id; bounded by the running rows.</summary>
    Task<IReadOnlyList<WorkerLoad>> ProcessingByWorkerAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rows matching the query, newest first, with the total count of matches. A queued row carries its
    /// <see cref="Generation.QueuePosition"/>: the claim that takes it, counted in its lane under <see cref="FairQueue"/>
    /// (1 = next), computed from counters and index seeks, never by counting the queue.
    /// </summary>
    Task<GenerationPage> QueryAsync(GenerationQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a queued or processing row to cancelled and appends <paramref name="cancelledEvent"/>
    /// in the same transaction; a row with a recorded remote job is marked for a remote cancel
    /// (<see cref="RemoteCancelState.Pending"/>). Terminal rows are left as they are.
    /// </summary>
    Task<CancelOutcome> CancelAsync(string ns, Guid id, EventDraft cancelledEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a terminal row of the namespace for good (the OpenAI face's delete); its output blob is then held by no
    /// generation, and the orphan sweep reclaims it if the caller does not delete it first. A queued or processing row
    /// is left as it is (cancel it first), so a worker never loses the row it holds.
    /// </summary>
    Task<DeleteOutcome> DeleteAsync(string ns, Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pins (or unpins) a row of the namespace, whatever its status, and returns it as it is now; null when absent or
    /// another namespace's. A pinned row's output never expires. A row whose output already expired is returned unchanged.
    /// </summary>
    Task<Generation?> SetPinnedAsync(string ns, Guid id, bool pinned, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks expired (now) up to <paramref name="limit"/> succeeded rows of <paramref name="scope"/> completed before its
    /// time, neither pinned nor expired yet: <see cref="Generation.ExpiredAt"/> set and <see cref="Generation.OutputKey"/>
    /// cleared in one transaction, so no reader is ever sent to a blob about to go. Returns the keys the caller deletes
    /// (a crash before it does leaves blobs no row owns, which the orphan sweep reclaims). Each row is marked by one
    /// caller only, however many processes sweep one database at once.
    /// </summary>
    Task<IReadOnlyList<ExpiredOutput>> ExpireOutputsAsync(Retention.ExpiryScope scope, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the next claimable queued row under the fairness rule (<see cref="FairQueue"/>: highest priority first,
    /// namespaces taking turns, each namespace's oldest row first) for <paramref name="workerId"/>: status processing, attempt + 1 (the row's
    /// <see cref="Generation.Attempt"/> and the lease's fencing token, which counts every claim, hand-backs included),
    /// lease until now + <paramref name="leaseDuration"/>. A row waiting out a retry pause (<see cref="Generation.RetryAt"/>
    /// in the future) is not claimable; with <paramref name="models"/>, only rows of those models are. With
    /// <paramref name="running"/>, a namespace with as many rows processing as its limit is passed over (its turn
    /// stays). Null when none is.
    /// </summary>
    Task<ClaimedGeneration?> ClaimNextAsync(string workerId, TimeSpan leaseDuration, IReadOnlyCollection<string>? models = null, CancellationToken cancellationToken = default,
        Quotas.RunningLimits? running = null);

    /// <summary>Extends the lease and stores the progress; says whether the worker still holds the row.</summary>
    Task<LeaseState> HeartbeatAsync(Lease lease, TimeSpan leaseDuration, GenerationProgress? progress, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the row succeeded with its output and appends <paramref name="completedEvent"/>, atomically,
    /// only while the lease is held and unexpired. False (and no change) otherwise.
    /// </summary>
    Task<bool> CompleteAsync(Lease lease, string outputKey, EventDraft completedEvent, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="CompleteAsync"/>, for a failure: its kind, message and code are stored on the row.</summary>
    Task<bool> FailAsync(Lease lease, GenerationFailure failure, EventDraft failedEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues the row again after a retryable failure: claimable from <paramref name="notBefore"/>, <see cref="Generation.Retries"/>
    /// + 1 (the attempt is not counted as lost), <paramref name="statusMessage"/> shown on the row while it waits, its
    /// remote checkpoint kept, and <paramref name="requeuedEvent"/> appended in the same transaction. Fenced like
    /// <see cref="CompleteAsync"/>.
    /// </summary>
    Task<bool> RetryLaterAsync(Lease lease, DateTimeOffset notBefore, string statusMessage, EventDraft requeuedEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the remote job the lease holder is about to wait on. <see cref="LeaseState.Held"/> when written under a
    /// held lease. When the row was cancelled during this attempt (and records no remote job id yet — at most the note
    /// that a submit was about to start) the job is still recorded, marked for a remote cancel, and the answer is
    /// <see cref="LeaseState.Cancelled"/>: remote work that started just before a cancel is cancelled too.
    /// <see cref="LeaseState.Lost"/> otherwise, with no change.
    /// </summary>
    Task<LeaseState> CheckpointAsync(Lease lease, RemoteJob job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether a generation other than <paramref name="exceptGenerationId"/> records the remote job <paramref name="remoteId"/>
    /// on <paramref name="backend"/>: an attempt that must find its predecessor's task without its id (the process died
    /// between the provider's answer and the checkpoint) rules out the tasks other generations already own.
    /// </summary>
    Task<bool> IsRemoteJobRecordedAsync(string backend, string remoteId, Guid exceptGenerationId, CancellationToken cancellationToken = default);

    /// <summary>Cancelled rows whose remote work on one of <paramref name="backends"/> still has to be cancelled, oldest first.</summary>
    Task<IReadOnlyList<PendingRemoteCancel>> PendingRemoteCancelsAsync(IReadOnlyCollection<string> backends, int limit, CancellationToken cancellationToken = default);

    /// <summary>Records what a remote cancel did (its message becomes the row's status message). False when it was not pending.</summary>
    Task<bool> RecordRemoteCancelAsync(Guid id, RemoteCancelOutcome outcome, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands a row back to the queue when its worker stops on purpose (its process is shutting down): queued again at
    /// once, the attempt it used not counted (against the limit, or in the row's <see cref="Generation.Attempt"/>, which
    /// goes back down; the fencing token does not), and <paramref name="requeuedEvent"/> appended in the same
    /// transaction. Fenced like <see cref="CompleteAsync"/>: false (and no change) when the lease is no longer held,
    /// e.g. the row was cancelled meanwhile.
    /// </summary>
    Task<bool> ReleaseAsync(Lease lease, EventDraft requeuedEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns rows whose lease expired to queued; a row that has used <paramref name="maxAttempts"/>
    /// attempts becomes failed instead, with the event <paramref name="failedEvent"/> builds for it.
    /// Returns how many rows were recovered.
    /// </summary>
    Task<int> RecoverExpiredLeasesAsync(int maxAttempts, Func<Generation, EventDraft> failedEvent, CancellationToken cancellationToken = default);
}
