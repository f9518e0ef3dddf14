namespace Paddock.Core.Orchestration;

/// <summary>
/// Wakes idle workers when this process enqueues. Only a hint: the database is the truth, and
/// workers also poll for rows enqueued by other processes.
/// </summary>
public sealed class QueueSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Notify(int count = 1)
    {
        // Cap the count so a burst of enqueues cannot pile up thousands of stale wake-ups.
        var release = Math.Min(count, 64 - _signal.CurrentCount);
        if (release > 0) _signal.Release(release);
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
