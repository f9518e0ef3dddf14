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

    /// <summary>One row of a namespace; null when absent or another namespace's.</summary>
    Task<Generation?> GetAsync(string ns, Guid id, CancellationToken cancellationToken = default);

    /// <summary>Rows matching the query, newest first, with the total count of matches.</summary>
    Task<GenerationPage> QueryAsync(GenerationQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a queued or processing row to cancelled and appends <paramref name="cancelledEvent"/>
    /// in the same transaction. Terminal rows are left as they are.
    /// </summary>
    Task<CancelOutcome> CancelAsync(string ns, Guid id, EventDraft cancelledEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the oldest queued row for <paramref name="workerId"/>: status processing, attempt + 1 (the row's
    /// <see cref="Generation.Attempt"/> and the lease's fencing token, which counts every claim, hand-backs included),
    /// lease until now + <paramref name="leaseDuration"/>. Null when nothing is queued.
    /// </summary>
    Task<ClaimedGeneration?> ClaimNextAsync(string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease and stores the progress; says whether the worker still holds the row.</summary>
    Task<LeaseState> HeartbeatAsync(Lease lease, TimeSpan leaseDuration, GenerationProgress? progress, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the row succeeded with its output and appends <paramref name="completedEvent"/>, atomically,
    /// only while the lease is held and unexpired. False (and no change) otherwise.
    /// </summary>
    Task<bool> CompleteAsync(Lease lease, string outputKey, EventDraft completedEvent, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="CompleteAsync"/>, for a failure with its message.</summary>
    Task<bool> FailAsync(Lease lease, string errorMessage, EventDraft failedEvent, CancellationToken cancellationToken = default);

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
