using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Queue;

namespace Paddock.Server.Tests.Support;

/// <summary>
/// Test-only decorators around the real stores that fail chosen writes the way a full disk makes SQLite fail them
/// (SQLITE_FULL, error code 13), so a test can reach the error paths of a worker without filling a disk.
/// </summary>
public static class FaultyStores
{
    /// <summary>The error the real store raises when its disk is full.</summary>
    public static Exception DiskFull() => new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);

    /// <summary>Wraps the registered <typeparamref name="T"/> so every resolution gets <paramref name="decorate"/>(the original).</summary>
    public static void Decorate<T>(IServiceCollection services, Func<T, T> decorate) where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(original);
        services.AddSingleton<T>(sp => decorate(original.ImplementationFactory is { } factory ? (T)factory(sp)
            : original.ImplementationInstance is T instance ? instance
            : (T)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)));
    }
}

/// <summary>The event log, failing the appends <see cref="FailWhen"/> picks.</summary>
public sealed class FaultyEventLog(IEventLog inner) : IEventLog
{
    public Func<EventDraft, bool> FailWhen { get; set; } = _ => false;
    public int Failed;

    public Task<StoredEvent> AppendAsync(EventDraft draft, CancellationToken cancellationToken = default)
    {
        if (!FailWhen(draft)) return inner.AppendAsync(draft, cancellationToken);
        Interlocked.Increment(ref Failed);
        return Task.FromException<StoredEvent>(FaultyStores.DiskFull());
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(string ns, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAfterAsync(ns, afterSequence, limit, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAllAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAllAfterAsync(afterSequence, limit, cancellationToken);

    public Task<long> LatestSequenceAsync(CancellationToken cancellationToken = default) => inner.LatestSequenceAsync(cancellationToken);
}

/// <summary>The generation store, failing the lease renewals <see cref="FailHeartbeatOf"/> picks.</summary>
public sealed class FaultyGenerationStore(IGenerationStore inner) : IGenerationStore
{
    public Func<Guid, bool> FailHeartbeatOf { get; set; } = _ => false;
    public int Failed;

    public Task<LeaseState> HeartbeatAsync(Lease lease, TimeSpan leaseDuration, GenerationProgress? progress, CancellationToken cancellationToken = default)
    {
        if (!FailHeartbeatOf(lease.GenerationId)) return inner.HeartbeatAsync(lease, leaseDuration, progress, cancellationToken);
        Interlocked.Increment(ref Failed);
        return Task.FromException<LeaseState>(FaultyStores.DiskFull());
    }

    public Task EnqueueAsync(IReadOnlyList<NewGeneration> generations, CancellationToken cancellationToken = default) => inner.EnqueueAsync(generations, cancellationToken);
    public Task<EnqueueOutcome> EnqueueOnceAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim claim, CancellationToken cancellationToken = default) => inner.EnqueueOnceAsync(generations, claim, cancellationToken);
    public Task<Generation?> GetAsync(string ns, Guid id, CancellationToken cancellationToken = default) => inner.GetAsync(ns, id, cancellationToken);
    public Task<GenerationPage> QueryAsync(GenerationQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
    public Task<CancelOutcome> CancelAsync(string ns, Guid id, EventDraft cancelledEvent, CancellationToken cancellationToken = default) => inner.CancelAsync(ns, id, cancelledEvent, cancellationToken);
    public Task<ClaimedGeneration?> ClaimNextAsync(string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken = default) => inner.ClaimNextAsync(workerId, leaseDuration, cancellationToken);
    public Task<bool> CompleteAsync(Lease lease, string outputKey, EventDraft completedEvent, CancellationToken cancellationToken = default) => inner.CompleteAsync(lease, outputKey, completedEvent, cancellationToken);
    public Task<bool> FailAsync(Lease lease, string errorMessage, EventDraft failedEvent, CancellationToken cancellationToken = default) => inner.FailAsync(lease, errorMessage, failedEvent, cancellationToken);
    public Task<bool> ReleaseAsync(Lease lease, EventDraft requeuedEvent, CancellationToken cancellationToken = default) => inner.ReleaseAsync(lease, requeuedEvent, cancellationToken);
    public Task<int> RecoverExpiredLeasesAsync(int maxAttempts, Func<Generation, EventDraft> failedEvent, CancellationToken cancellationToken = default) => inner.RecoverExpiredLeasesAsync(maxAttempts, failedEvent, cancellationToken);
}
