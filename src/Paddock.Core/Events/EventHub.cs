using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;
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
/// instead of a timer per stream; it ticks only while one waits.
/// Delivery is paced: subscribers are woken <see cref="SliceSize"/> at a time; the next slice waits until the readers
/// of this one have come back for more (or <see cref="SliceWait"/> passed), and then until the <see cref="IFanOutPacer"/>
/// says their writes have left. Each woken reader writes to its connection, and each write holds a transport buffer
/// (4 KB) until the socket has sent it; woken all at once, ten thousand streams held ten thousand buffers at once, and the
/// server's buffer pool kept them all for good (docs/BENCHMARKS.md, issue 15).
/// Events go before comments: one delivery lane (<see cref="_lane"/>) is held by an event for all its slices and by the
/// clock's wakes a slice at a time.
/// It also remembers the terminal events (completed, cancelled) of the last <see cref="RecentWindow"/>, of every
/// process, so a stream that connects without <c>Last-Event-ID</c> just after its generation ended still hears of it.
/// </remarks>
public sealed partial class EventHub(IEventLog log, TimeProvider time, IFanOutPacer pacer, ILogger<EventHub> logger) : BackgroundService
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
    private bool _clockRunning; // whether the clock ticks: only while a subscriber waits (_waking not empty); guarded by _gate
    private int _wakingDue; // 1 while the clock's wakes are being delivered (a tick meanwhile leaves its due ones to the next)

    /// <summary>How many subscribers are woken before the hub waits for their readers to come back.</summary>
    public const int SliceSize = 256;

    /// <summary>The longest a slice waits for its readers: a reader stuck on a slow client holds the others back no longer.</summary>
    internal static readonly TimeSpan SliceWait = TimeSpan.FromMilliseconds(20);

    private Subscription[] _delivering = []; // the event's subscribers, copied out of the lock; used by the loop alone
    private Subscription[] _wakeTargets = []; // the subscribers a tick of the clock wakes; used by one delivery of wakes at a time

    /// <summary>
    /// One delivery writes at a time: an event holds it for all its slices, the clock's wakes (the comments every stream
    /// writes after an event) one slice at a time, in the order they asked. Comments falling due while an event is still
    /// on its way to the last streams wait for it instead of taking the cores from it, and an event waits for at most one
    /// slice of comments.
    /// </summary>
    private readonly SemaphoreSlim _lane = new(1, 1);
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
    /// <param name="readsOnDelivery">
    /// The reader's continuation runs on the hub's delivery itself, up to its next wait, instead of being queued to the
    /// thread pool: for a reader that only writes what it read (an event stream), so a slice's writes are done, one after
    /// another, by the time the slice is, as a server that loops over its responses would do. A reader that does more
    /// than write (a request that then answers) leaves it false and holds the delivery up no longer than a queue.
    /// </param>
    public async Task<Subscription> SubscribeAsync(string ns, CancellationToken cancellationToken, TimeSpan? recent = null,
        bool readsOnDelivery = false)
    {
        await _started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            IReadOnlyList<StoredEvent> recentEvents = [];
            if (recent is { } window && window > TimeSpan.Zero)
            {
                var since = time.GetUtcNow() - window;
                var matching = _recent.Where(e => e.Namespace == ns && e.CreatedAt >= since).ToList();
                if (matching.Count > 0) recentEvents = matching; // an empty list per stream is a cost at ten thousand streams
            }
            var subscription = new Subscription(this, ns, _dispatched, recentEvents, readsOnDelivery);
            if (!_subscribers.TryGetValue(ns, out var list)) _subscribers[ns] = list = [];
            list.Add(subscription);
            return subscription;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _dispatched = await log.LatestSequenceAsync(stoppingToken).ConfigureAwait(false);
        await RememberRecentAsync(stoppingToken).ConfigureAwait(false);
        // Stopped until a subscriber waits: an idle server is not woken twenty times a second for nothing.
        _clock = time.CreateTimer(_ => WakeDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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
        ITimer? clock;
        lock (_gate)
        {
            // Taken under the gate so a subscriber's wait never starts a clock being disposed.
            (clock, _clock) = (_clock, null);
        }
        if (clock is not null) await clock.DisposeAsync().ConfigureAwait(false);
        List<Subscription> ending;
        lock (_gate)
        {
            ending = _subscribers.Values.SelectMany(l => l).ToList();
            _subscribers.Clear();
            _waking.Clear();
        }
        // Outside the gate: a reader that runs on delivery goes on at once, and its end takes the gate.
        foreach (var s in ending) s.Complete();
    }

    /// <summary>The hub's one clock: hands <see cref="Wake"/> to each subscriber whose wake time has come.</summary>
    private void WakeDue()
    {
        // One delivery of wakes at a time: the streams' comments after an event all fall due together, and are paced
        // like the event.
        if (Interlocked.Exchange(ref _wakingDue, 1) == 1) return;
        var now = time.GetTimestamp();
        var due = 0;
        lock (_gate)
        {
            // One pass, oldest first: the due ones go to the wake buffer, the others close up behind.
            if (_wakeTargets.Length < _waking.Count) _wakeTargets = new Subscription[Math.Max(_waking.Count, _wakeTargets.Length * 2)];
            var kept = 0;
            for (var i = 0; i < _waking.Count; i++)
            {
                var s = _waking[i];
                if (s.WakeAt > now)
                {
                    _waking[kept++] = s;
                    continue;
                }
                s.WakeAt = long.MaxValue;
                _wakeTargets[due++] = s;
            }
            _waking.RemoveRange(kept, _waking.Count - kept);
            if (_waking.Count == 0 && _clockRunning)
            {
                _clock?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _clockRunning = false;
            }
        }
        if (due == 0)
        {
            Volatile.Write(ref _wakingDue, 0);
            return;
        }
        _ = DeliverWakesAsync(due);
    }

    private async Task DeliverWakesAsync(int due)
    {
        try
        {
            await DeliverAsync(Wake, _wakeTargets, due, sliceByLane: true).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogReadFailed(e);
        }
        finally
        {
            Volatile.Write(ref _wakingDue, 0);
        }
    }

    /// <summary>
    /// Hands <paramref name="e"/> to the first <paramref name="count"/> of <paramref name="targets"/>, a slice at a time.
    /// With <paramref name="sliceByLane"/> (the clock's wakes) each slice takes the delivery lane for itself; otherwise the
    /// caller holds the lane for the whole delivery (an event).
    /// </summary>
    private async Task DeliverAsync(StoredEvent e, Subscription[] targets, int count, bool sliceByLane)
    {
        for (var start = 0; start < count; start += SliceSize)
        {
            var end = Math.Min(count, start + SliceSize);
            var slice = new Slice();
            if (sliceByLane) await _lane.WaitAsync().ConfigureAwait(false);
            try
            {
                for (var i = start; i < end; i++)
                {
                    var s = targets[i];
                    targets[i] = null!; // the copy does not keep a closed stream alive
                    // A subscriber that cannot keep up is cut off; it reconnects with Last-Event-ID and loses nothing.
                    if (s.TryWrite(e, slice) == Delivery.Refused) s.Complete(new InvalidOperationException("subscriber fell too far behind"));
                }
            }
            finally
            {
                if (sliceByLane) _lane.Release();
            }
            if (end >= count) break;
            if (slice.Close()) await slice.Done.WaitAsync(SliceWait, time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await pacer.WaitForRoomAsync().ConfigureAwait(false);
        }
    }

    private void SetWake(Subscription subscription, TimeSpan after)
    {
        var at = time.GetTimestamp() + (long)(Math.Max(0, after.TotalSeconds) * time.TimestampFrequency);
        lock (_gate)
        {
            if (subscription.WakeAt == long.MaxValue) _waking.Add(subscription);
            subscription.WakeAt = at;
            if (!_clockRunning && _clock is not null)
            {
                _clock.Change(WakeTick, WakeTick);
                _clockRunning = true;
            }
        }
    }

    private async Task DispatchNewEventsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await log.ReadAllAfterAsync(_dispatched, 1000, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0) return;
            foreach (var e in batch)
            {
                int count;
                lock (_gate)
                {
                    // Who gets the event is settled with the sequence it moves to: a subscriber that begins after this
                    // point starts after the event (and reads it from the log, if it asks to resume before it).
                    count = 0;
                    if (_subscribers.TryGetValue(e.Namespace, out var list))
                    {
                        if (_delivering.Length < list.Count) _delivering = new Subscription[Math.Max(list.Count, _delivering.Length * 2)];
                        list.CopyTo(_delivering);
                        count = list.Count;
                    }
                    _dispatched = e.Sequence;
                    Remember(e);
                }
                if (count == 0) continue;
                await _lane.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await DeliverAsync(e, _delivering, count, sliceByLane: false).ConfigureAwait(false);
                }
                finally
                {
                    _lane.Release();
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

    /// <summary>What <see cref="Subscription.TryWrite"/> did with an event.</summary>
    internal enum Delivery
    {
        /// <summary>Queued for a reader that is busy: it reads the event when it next looks.</summary>
        Queued,
        /// <summary>Queued, and its waiting reader woken (counted in the slice first): the slice waits for it to come back.</summary>
        Woke,
        /// <summary>Not queued: the subscription has ended, or its reader fell too far behind.</summary>
        Refused,
    }

    /// <summary>
    /// The readers one slice woke, counted down as each comes back for more. The last one queues the hub's next slice
    /// on the thread pool's shared queue, behind the socket sends those readers caused, instead of running it at once.
    /// </summary>
    internal sealed class Slice
    {
        private readonly TaskCompletionSource _done = new();
        private int _outstanding = 1; // the hub's own hold until it has woken the whole slice

        public Task Done => _done.Task;

        public void Add() => Interlocked.Increment(ref _outstanding);

        /// <summary>Releases the hub's hold; true while readers are still out.</summary>
        public bool Close() => Interlocked.Decrement(ref _outstanding) > 0;

        public void ReaderBack()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
                ThreadPool.UnsafeQueueUserWorkItem(static done => done.TrySetResult(), _done, preferLocal: false);
        }
    }

    /// <summary>
    /// One subscriber's events, in order. Not a <see cref="Channel{T}"/>: with ten thousand open streams a channel's
    /// per-instance state (its queue, lock and reusable reader and writer operations) was most of a stream's cost beyond
    /// Kestrel's own. This is a queue (whose instance is also the lock) and one reusable wait, so a waiting subscriber
    /// holds no more than this object.
    /// </summary>
    public sealed class Subscription : IDisposable, IValueTaskSource<bool>
    {
        private readonly EventHub _hub;
        private readonly Queue<StoredEvent> _pending = new(); // guards the fields below it
        private ManualResetValueTaskSourceCore<bool> _wait;
        private bool _waiting;
        private bool _completed;
        private Exception? _error;
        private CancellationTokenRegistration _cancellation;
        private Slice? _slice; // the slice that woke this reader, until it comes back

        internal Subscription(EventHub hub, string ns, long startSequence, IReadOnlyList<StoredEvent> recent, bool readsOnDelivery)
        {
            _hub = hub;
            // Every completion of the wait (an event, the end, a cancel) happens outside the queue's lock, so a reader that
            // runs inline never runs under it.
            _wait = new ManualResetValueTaskSourceCore<bool> { RunContinuationsAsynchronously = !readsOnDelivery };
            Namespace = ns;
            StartSequence = startSequence;
            Recent = recent;
        }

        public string Namespace { get; }

        /// <summary>The terminal events asked for at subscribe time, oldest first; all at or before <see cref="StartSequence"/>.</summary>
        public IReadOnlyList<StoredEvent> Recent { get; }

        /// <summary>The last sequence dispatched before this subscription began; it receives only later events.</summary>
        public long StartSequence { get; }

        /// <summary>Whether the hub stopped delivering to this subscription (it is stopping, or the subscriber fell behind).</summary>
        public bool IsCompleted
        {
            get
            {
                lock (_pending) return _completed;
            }
        }

        /// <summary>
        /// Waits until an event (or <see cref="Wake"/>) can be read: true then, false once the subscription has ended and
        /// everything before its end was read. One reader at a time. Throws what ended it, if it was cut off.
        /// </summary>
        public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
        {
            BackToSlice();
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<bool>(cancellationToken);
            lock (_pending)
            {
                if (_pending.Count > 0) return new ValueTask<bool>(true);
                if (_completed) return _error is null ? new ValueTask<bool>(false) : ValueTask.FromException<bool>(_error);
                if (_waiting) throw new InvalidOperationException("a subscription has one reader at a time");
                _wait.Reset();
                _waiting = true;
            }
            if (cancellationToken.CanBeCanceled)
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Subscription)state!).Cancel(token), this);
            return new ValueTask<bool>(this, _wait.Version);
        }

        /// <summary>The next event, or <see cref="Wake"/> when a wake time has come.</summary>
        public bool TryRead([MaybeNullWhen(false)] out StoredEvent e)
        {
            lock (_pending) return _pending.TryDequeue(out e);
        }

        /// <summary>Asks for <see cref="Wake"/> once, <paramref name="after"/> from now (replacing an earlier request): a wait without a timer of its own.</summary>
        public void WakeAfter(TimeSpan after) => _hub.SetWake(this, after);

        /// <summary>The hub clock's timestamp at which <see cref="Wake"/> is due; <see cref="long.MaxValue"/> for none. Guarded by the hub's gate.</summary>
        internal long WakeAt { get; set; } = long.MaxValue;

        /// <summary>
        /// Queues an event (refused when the subscription has ended or holds <see cref="SubscriberBuffer"/> unread); a
        /// waiting reader is woken, and <paramref name="slice"/> learns when it comes back.
        /// </summary>
        internal Delivery TryWrite(StoredEvent e, Slice slice)
        {
            lock (_pending)
            {
                if (_completed || _pending.Count >= SubscriberBuffer) return Delivery.Refused;
                _pending.Enqueue(e);
                if (!_waiting) return Delivery.Queued;
                _waiting = false;
                _slice = slice;
            }
            // Counted before the reader is woken: one that reads on delivery is back (and counted off) before SetResult
            // returns, and counted off first it would take the slice for done while the readers after it still write.
            slice.Add();
            _wait.SetResult(true);
            return Delivery.Woke;
        }

        /// <summary>The reader is back (or gone): the slice that woke it can stop waiting for it.</summary>
        private void BackToSlice() => Interlocked.Exchange(ref _slice, null)?.ReaderBack();

        /// <summary>Ends the subscription: the reader reads what is queued, then learns of the end (or of <paramref name="error"/>).</summary>
        internal void Complete(Exception? error = null)
        {
            lock (_pending)
            {
                if (_completed) return;
                _completed = true;
                _error = error;
                if (!_waiting || _pending.Count > 0) return;
                _waiting = false;
            }
            if (error is null) _wait.SetResult(false);
            else _wait.SetException(error);
        }

        private void Cancel(CancellationToken token)
        {
            lock (_pending)
            {
                if (!_waiting) return;
                _waiting = false;
            }
            _wait.SetException(new OperationCanceledException(token));
        }

        bool IValueTaskSource<bool>.GetResult(short token)
        {
            _cancellation.Dispose();
            _cancellation = default;
            return _wait.GetResult(token);
        }

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wait.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _wait.OnCompleted(continuation, state, token, flags);

        public void Dispose()
        {
            _hub.Remove(this);
            Complete();
            BackToSlice();
        }
    }
}
