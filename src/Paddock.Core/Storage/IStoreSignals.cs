namespace Paddock.Core.Storage;

/// <summary>What changed in the store: the event log grew, or rows became claimable.</summary>
public enum StoreChange
{
    /// <summary>Events were appended: the event hub reads the log after the last sequence it dispatched.</summary>
    EventsAppended,

    /// <summary>Rows were queued (enqueued, handed back, recovered): idle workers of <see cref="StoreSignal.Model"/> claim them.</summary>
    WorkQueued,

    /// <summary>A generation was cancelled: the process rendering it stops at once (its heartbeat would, within its interval).</summary>
    Cancelled,
}

/// <param name="Model">The model of the queued rows; null when unknown or several (every idle worker looks).</param>
/// <param name="GenerationId">The cancelled generation.</param>
public readonly record struct StoreSignal(StoreChange Change, string? Model = null, Guid? GenerationId = null);

/// <summary>
/// Tells this process that the store changed in a way something here waits for, right after the change committed. A
/// signal is a hint, never the data: waiters read the store itself, and may be woken once too often. After a gap (a
/// listener that lost its connection) a store signals every kind once, since it may have missed some.
/// </summary>
/// <remarks>
/// The embedded store signals this process's own commits only (other processes on the same file are found by the
/// waiters' polling); a store shared by many processes signals every process's commits to every process (PostgreSQL:
/// LISTEN/NOTIFY), so an idle worker starts at once on a row another machine queued, and an event stream on one API
/// process shows at once what a worker elsewhere wrote.
/// </remarks>
public interface IStoreSignals
{
    /// <summary>True when changes committed by other processes are signalled too (polling is then only a safety net).</summary>
    bool SignalsOtherProcesses { get; }

    /// <summary>Calls <paramref name="handler"/> for every signal until the returned handle is disposed. The handler must return at once.</summary>
    IDisposable Subscribe(Action<StoreSignal> handler);
}
