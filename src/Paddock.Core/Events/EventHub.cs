using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Paddock.Core.Events;

/// <summary>
/// Fans events out to this process's subscribers (event streams, waiting sync requests). One loop
/// reads the durable log — woken at once by appends in this process, and polling for appends by
/// other processes — so subscribers never query the database themselves.
/// </summary>
/// <remarks>
/// The fan-out does the per-event work once: subscribers are indexed by namespace (an event touches only its own
/// namespace's streams), every subscriber receives the same <see cref="StoredEvent"/> instance (so what a stream builds
/// from it can be built once and shared), and one clock of the hub wakes waiting subscribers (<see cref="Subscription.WakeAfter"/>)
/// instead of a timer per stream.
/// It also remembers the terminal events (completed, cancelled) of the last <see cref="RecentWindow"/>, of every
/// process, so a stream that connects without <c>Last-Event-ID</c> just after its generation ended still hears of it.
/// </remarks>
public sealed partial class EventHub(IEventLog log, TimeProvider time, ILogger<EventHub> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the hub's clock looks for subscribers whose wake time has come: the granularity of their waits.</summary>
    private static readonly TimeSpan WakeTick = TimeSpan.FromMilliseconds(50);

    /// <summary>Read from a subscription instead of an event when its <see cref="Subscription.WakeAfter"/> time has come.</summary>
    public static readonly StoredEvent Wake = new(-1, "", "wake", "", DateTimeOffset.MinValue);
    private const int SubscriberBuffer = 10_000;

    /// <summary>How far back the terminal events are kept for <see cref="SubscribeAsync"/>'s <c>recent</c>.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(10);

    /// <summary>At most this many terminal events are remembered, of every namespace together (a burst cannot grow it).</summary>
    private const int RecentLimit = 10_000;

    private readonly Queue<StoredEvent> _recent = new(); // terminal events, oldest first; guarded by _gate

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Subscription>> _subscribers = new(StringComparer.Ordinal); // by namespace; guarded by _gate
    private readonly List<Subscription> _waking = []; // those with a wake time set; guarded by _gate
    private ITimer? _clock;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dispatched;

    /// <summary>Asks the loop to read the log now (after an append in this process).</summary>
    public void Notify()
    {
        lock (_gate)
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
    }

    /// <summary>
    /// Subscribes to one namespace. The subscription receives exactly the events after
    /// <see cref="Subscription.StartSequence"/>; a caller replaying history reads the log up to it.
    /// </summary>
    /// <param name="recent">
    /// When given (at most <see cref="RecentWindow"/>), the subscription also carries <see cref="Subscription.Recent"/>:
    /// the namespace's terminal events (completed, cancelled) appended within that time before it began.
    /// </param>
    public async Task<Subscription> SubscribeAsync(string ns, CancellationToken cancellationToken, TimeSpan? recent = null)
    {
        await _started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            IReadOnlyList<StoredEvent> recentEvents = [];
            if (recent is { } window && window > TimeSpan.Zero)
            {
                var since = time.GetUtcNow() - window;
                recentEvents = _recent.Where(e => e.Namespace == ns && e.CreatedAt >= since).ToList();
            }
            var subscription = new Subscription(this, ns, _dispatched, recentEvents);
            if (!_subscribers.TryGetValue(ns, out var list)) _subscribers[ns] = list = [];
            list.Add(subscription);
            return subscription;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _dispatched = await log.LatestSequenceAsync(stoppingToken).ConfigureAwait(false);
        await RememberRecentAsync(stoppingToken).ConfigureAwait(false);
        _clock = time.CreateTimer(_ => WakeDue(), null, WakeTick, WakeTick);
        _started.TrySetResult();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
                await DispatchNewEventsAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogReadFailed(e);
                await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        if (_clock is not null) await _clock.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var s in _subscribers.Values.SelectMany(l => l)) s.Writer.TryComplete();
            _subscribers.Clear();
            _waking.Clear();
        }
    }

    /// <summary>The hub's one clock: hands <see cref="Wake"/> to each subscriber whose wake time has come.</summary>
    private void WakeDue()
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            for (var i = _waking.Count - 1; i >= 0; i--)
            {
                var s = _waking[i];
                if (s.WakeAt > now) continue;
                s.WakeAt = long.MaxValue;
                _waking.RemoveAt(i);
                s.Writer.TryWrite(Wake);
            }
        }
    }

    private void SetWake(Subscription subscription, TimeSpan after)
    {
        var at = time.GetTimestamp() + (long)(Math.Max(0, after.TotalSeconds) * time.TimestampFrequency);
        lock (_gate)
        {
            if (subscription.WakeAt == long.MaxValue) _waking.Add(subscription);
            subscription.WakeAt = at;
        }
    }

    private async Task DispatchNewEventsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await log.ReadAllAfterAsync(_dispatched, 1000, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0) return;
            lock (_gate)
            {
                foreach (var e in batch)
                {
                    if (_subscribers.TryGetValue(e.Namespace, out var list))
                    {
                        foreach (var s in list)
                        {
                            // A subscriber that cannot keep up is cut off; it reconnects with Last-Event-ID and loses nothing.
                            if (!s.Writer.TryWrite(e))
                                s.Writer.TryComplete(new InvalidOperationException("subscriber fell too far behind"));
                        }
                    }
                    _dispatched = e.Sequence;
                    Remember(e);
                }
            }
            if (batch.Count < 1000) return;
        }
    }

    /// <summary>
    /// At start, the terminal events of the log's tail that are still within the window: a generation that ended just
    /// before this process started is still told to a stream that connects now.
    /// </summary>
    private async Task RememberRecentAsync(CancellationToken cancellationToken)
    {
        try
        {
            var tail = await log.ReadAllAfterAsync(Math.Max(0, _dispatched - RecentLimit), RecentLimit, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var e in tail.Where(e => e.Sequence <= _dispatched)) Remember(e);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReadFailed(e); // only the replay to new streams is poorer for it
        }
    }

    /// <summary>Keeps a terminal event and drops those past the window or the limit; called under <see cref="_gate"/>.</summary>
    private void Remember(StoredEvent e)
    {
        if (e.Type is EventTypes.Completed or EventTypes.Cancelled) _recent.Enqueue(e);
        var since = time.GetUtcNow() - RecentWindow;
        while (_recent.Count > 0 && (_recent.Count > RecentLimit || _recent.Peek().CreatedAt < since)) _recent.Dequeue();
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            if (_subscribers.TryGetValue(subscription.Namespace, out var list) && list.Remove(subscription) && list.Count == 0)
                _subscribers.Remove(subscription.Namespace);
            if (subscription.WakeAt != long.MaxValue) _waking.Remove(subscription);
            subscription.WakeAt = long.MaxValue;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the event log failed; retrying")]
    private partial void LogReadFailed(Exception e);

    public sealed class Subscription : IDisposable
    {
        private readonly EventHub _hub;
        private readonly Channel<StoredEvent> _channel = Channel.CreateBounded<StoredEvent>(
            new BoundedChannelOptions(SubscriberBuffer) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        internal Subscription(EventHub hub, string ns, long startSequence, IReadOnlyList<StoredEvent> recent)
        {
            _hub = hub;
            Namespace = ns;
            StartSequence = startSequence;
            Recent = recent;
        }

        public string Namespace { get; }

        /// <summary>The terminal events asked for at subscribe time, oldest first; all at or before <see cref="StartSequence"/>.</summary>
        public IReadOnlyList<StoredEvent> Recent { get; }

        /// <summary>The last sequence dispatched before this subscription began; it receives only later events.</summary>
        public long StartSequence { get; }

        /// <summary>The events, in sequence order, with <see cref="Wake"/> read in between when a wake time has come.</summary>
        public ChannelReader<StoredEvent> Reader => _channel.Reader;

        /// <summary>Asks for <see cref="Wake"/> once, <paramref name="after"/> from now (replacing an earlier request): a wait without a timer of its own.</summary>
        public void WakeAfter(TimeSpan after) => _hub.SetWake(this, after);

        /// <summary>The hub clock's timestamp at which <see cref="Wake"/> is due; <see cref="long.MaxValue"/> for none. Guarded by the hub's gate.</summary>
        internal long WakeAt { get; set; } = long.MaxValue;

        internal ChannelWriter<StoredEvent> Writer => _channel.Writer;

        public void Dispose()
        {
            _hub.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
