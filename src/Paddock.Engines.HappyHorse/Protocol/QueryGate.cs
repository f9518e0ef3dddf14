namespace Paddock.Engines.HappyHorse.Protocol;

/// <summary>
/// Spaces a backend's task queries so that all its generations together stay under a rate: the provider allows 20
/// queries a second per account [tasks], and a burst of polls over that answers 429 for everyone. Each caller takes the
/// next free slot (one every 1/rate seconds) and waits for it; an idle gate lets the first caller through at once.
/// </summary>
public sealed class QueryGate(int perSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _spacing = TimeSpan.FromSeconds(1.0 / Math.Max(1, perSecond));
    private DateTimeOffset _nextFree = DateTimeOffset.MinValue;

    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var slot = _nextFree > now ? _nextFree : now;
            _nextFree = slot + _spacing;
            wait = slot - now;
        }
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
    }
}
