namespace Paddock.Core.Orchestration;

/// <summary>
/// Wakes idle workers when this process enqueues (or recovers) work. Only a hint: the database is the truth, and
/// workers also poll for rows enqueued by other processes. Workers wait per backend, for the models it serves, so an
/// enqueue wakes the workers that can take it rather than any idle one.
/// </summary>
public sealed class QueueSignal
{
    private readonly Lock _gate = new();
    private readonly List<Waiters> _groups = [];

    /// <summary>A group of workers that take the same models; they wait on one signal.</summary>
    public Waiters Register(IReadOnlyCollection<string> models)
    {
        var group = new Waiters(models);
        lock (_gate) _groups.Add(group);
        return group;
    }

    /// <summary>Work for <paramref name="model"/> was enqueued (<c>null</c>: work of any model, e.g. recovered leases).</summary>
    public void Notify(string? model, int count = 1)
    {
        lock (_gate)
        {
            foreach (var group in _groups)
                if (model is null || group.Models.Contains(model)) group.Release(count);
        }
    }

    public sealed class Waiters(IReadOnlyCollection<string> models)
    {
        private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

        public IReadOnlyCollection<string> Models { get; } = models.ToHashSet(StringComparer.Ordinal);

        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

        internal void Release(int count)
        {
            // Cap the count so a burst of enqueues cannot pile up thousands of stale wake-ups.
            var release = Math.Min(count, 64 - _signal.CurrentCount);
            if (release > 0) _signal.Release(release);
        }
    }
}
