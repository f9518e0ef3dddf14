using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Paddock.Core.Events;

/// <summary>
/// Fans events out to this process's subscribers (event streams, waiting sync requests). One loop
/// reads the durable log — woken at once by appends in this process, and polling for appends by
/// other processes — so subscribers never query the database themselves.
/// </summary>
public sealed partial class EventHub(IEventLog log, ILogger<EventHub> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private const int SubscriberBuffer = 10_000;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscribers = [];
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
    public async Task<Subscription> SubscribeAsync(string ns, CancellationToken cancellationToken)
    {
        await _started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var subscription = new Subscription(this, ns, _dispatched);
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _dispatched = await log.LatestSequenceAsync(stoppingToken).ConfigureAwait(false);
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
        lock (_gate)
        {
            foreach (var s in _subscribers) s.Writer.TryComplete();
            _subscribers.Clear();
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
                    foreach (var s in _subscribers)
                    {
                        // A subscriber that cannot keep up is cut off; it reconnects with Last-Event-ID and loses nothing.
                        if (s.Namespace == e.Namespace && !s.Writer.TryWrite(e))
                            s.Writer.TryComplete(new InvalidOperationException("subscriber fell too far behind"));
                    }
                    _dispatched = e.Sequence;
                }
            }
            if (batch.Count < 1000) return;
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate) _subscribers.Remove(subscription);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the event log failed; retrying")]
    private partial void LogReadFailed(Exception e);

    public sealed class Subscription : IDisposable
    {
        private readonly EventHub _hub;
        private readonly Channel<StoredEvent> _channel = Channel.CreateBounded<StoredEvent>(
            new BoundedChannelOptions(SubscriberBuffer) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        internal Subscription(EventHub hub, string ns, long startSequence)
        {
            _hub = hub;
            Namespace = ns;
            StartSequence = startSequence;
        }

        public string Namespace { get; }

        /// <summary>The last sequence dispatched before this subscription began; it receives only later events.</summary>
        public long StartSequence { get; }

        public ChannelReader<StoredEvent> Reader => _channel.Reader;

        internal ChannelWriter<StoredEvent> Writer => _channel.Writer;

        public void Dispose()
        {
            _hub.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
