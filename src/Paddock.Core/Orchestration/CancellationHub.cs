using System.Collections.Concurrent;

namespace Paddock.Core.Orchestration;

/// <summary>
/// The generations this process is rendering, so a cancel handled here stops its render at once;
/// cancels made by other processes arrive through the next heartbeat.
/// </summary>
public sealed class CancellationHub
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    public CancellationTokenSource Register(Guid generationId, CancellationToken linkedTo)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(linkedTo);
        _running[generationId] = source;
        return source;
    }

    public void Unregister(Guid generationId, CancellationTokenSource source) =>
        _running.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(generationId, source));

    /// <summary>Stops the render of this generation if this process runs it.</summary>
    public void Cancel(Guid generationId)
    {
        if (_running.TryGetValue(generationId, out var source))
        {
            try { source.Cancel(); }
            catch (ObjectDisposedException) { }
        }
    }
}
