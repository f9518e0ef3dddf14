namespace Paddock.Core.Orchestration;

/// <summary>
/// When this process's workers have handed their generations back on a graceful stop. Event streams wait for it
/// (briefly) before they close, so a client that is listening sees the <c>media_generation_requeued</c> events of the
/// stop live, not only in a later replay.
/// </summary>
public sealed class WorkerShutdown
{
    private TaskCompletionSource? _handedBack;

    /// <summary>Completes once every work loop of the pool has ended; at once in a process without workers.</summary>
    public Task HandedBack => Volatile.Read(ref _handedBack)?.Task ?? Task.CompletedTask;

    /// <summary>The pool has started: from now on there may be generations to hand back.</summary>
    internal void Started() =>
        Interlocked.CompareExchange(ref _handedBack, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    /// <summary>Every work loop has ended; whatever they held is handed back (or finished).</summary>
    internal void Stopped() => Volatile.Read(ref _handedBack)?.TrySetResult();
}
