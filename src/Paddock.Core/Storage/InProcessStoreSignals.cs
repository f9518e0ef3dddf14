namespace Paddock.Core.Storage;

/// <summary>Signals raised by this process's own store after its commits, delivered to this process's subscribers.</summary>
public sealed class InProcessStoreSignals : IStoreSignals
{
    private readonly Lock _gate = new();
    private Action<StoreSignal>[] _handlers = [];

    public bool SignalsOtherProcesses => false;

    public IDisposable Subscribe(Action<StoreSignal> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate) _handlers = [.. _handlers, handler];
        return new Subscription(this, handler);
    }

    /// <summary>Raises <paramref name="signal"/> to every subscriber; a throwing handler does not keep it from the others.</summary>
    public void Raise(StoreSignal signal)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try { handler(signal); }
            catch (Exception) { /* a hint lost: the waiter polls */ }
        }
    }

    private void Remove(Action<StoreSignal> handler)
    {
        lock (_gate) _handlers = _handlers.Where(h => h != handler).ToArray();
    }

    private sealed class Subscription(InProcessStoreSignals owner, Action<StoreSignal> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Remove(handler);
        }
    }
}
