using Microsoft.Extensions.Logging;
using Npgsql;
using Paddock.Core.Storage;

namespace Paddock.Storage.Postgres.Signals;

/// <summary>
/// The store's signals across processes. Every writing transaction that appends events or queues rows sends a
/// <c>NOTIFY</c> with its commit (PostgreSQL delivers it only if, and once, it commits); one listening connection per
/// process raises them here, so every process hears every process's changes within milliseconds. This process's own
/// commits are raised by its writer directly, and their notifications skipped.
/// </summary>
/// <remarks>
/// A listening connection only raises notifications while it waits on the server (<c>WaitAsync</c>), so it does
/// nothing else. When it breaks (a restart, a network failure) it reconnects by itself with a growing pause, and then
/// raises every kind of signal once: what was sent while it was away is found by reading the store.
/// </remarks>
internal sealed partial class PostgresSignals : IStoreSignals, IAsyncDisposable
{
    public const string EventsChannel = "paddock_events";
    public const string QueueChannel = "paddock_queue";
    public const string CancelChannel = "paddock_cancel";

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);

    private readonly InProcessStoreSignals _local = new();
    private readonly NpgsqlDataSource _listenSource;
    private readonly Func<int> _ownBackend;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task? _listening;
    private int _disposed;

    /// <param name="listenSource">Connections of their own (not pooled): a listening connection is held for the process's life.</param>
    /// <param name="ownBackend">The server process of this process's writer, whose notifications are already raised here.</param>
    public PostgresSignals(NpgsqlDataSource listenSource, Func<int> ownBackend, ILogger logger)
    {
        _listenSource = listenSource;
        _ownBackend = ownBackend;
        _logger = logger;
    }

    public bool SignalsOtherProcesses => true;

    /// <summary>True while the listening connection is up (for tests and health).</summary>
    public bool Listening { get; private set; }

    public IDisposable Subscribe(Action<StoreSignal> handler)
    {
        lock (_gate) _listening ??= Task.Run(() => ListenAsync(_stopping.Token));
        return _local.Subscribe(handler);
    }

    /// <summary>Signals this process's own commit to its subscribers.</summary>
    public void RaiseLocal(IReadOnlyList<StoreSignal> signals)
    {
        foreach (var signal in signals) _local.Raise(signal);
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var pause = FirstPause;
        var wasDown = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _listenSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {EventsChannel}; LISTEN {QueueChannel}; LISTEN {CancelChannel}", connection))
                    await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                Listening = true;
                if (wasDown) LogReconnected();
                wasDown = false;
                pause = FirstPause;
                // Whatever was notified before this connection listened is found by reading.
                _local.Raise(new StoreSignal(StoreChange.EventsAppended));
                _local.Raise(new StoreSignal(StoreChange.WorkQueued));
                while (true)
                {
                    if (await connection.WaitAsync(ProbeInterval, ct).ConfigureAwait(false)) continue;
                    // Quiet for a while: make sure the connection is still there (a silent network loss never errors).
                    await using var probe = new NpgsqlCommand("SELECT 1", connection);
                    await probe.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Listening = false;
                if (!wasDown) LogLost(e.Message);
                wasDown = true;
                try { await Task.Delay(pause, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
        }
        Listening = false;
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.PID == _ownBackend()) return;
        if (e.Channel == EventsChannel) _local.Raise(new StoreSignal(StoreChange.EventsAppended));
        else if (e.Channel == QueueChannel) _local.Raise(new StoreSignal(StoreChange.WorkQueued, e.Payload.Length == 0 ? null : e.Payload));
        else if (e.Channel == CancelChannel && Guid.TryParse(e.Payload, out var id)) _local.Raise(new StoreSignal(StoreChange.Cancelled, GenerationId: id));
    }

    public async ValueTask DisposeAsync()
    {
        // Disposed by its store, and by a container that handed it out as IStoreSignals.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task? listening;
        lock (_gate) listening = _listening;
        if (listening is not null) await listening.ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the PostgreSQL listening connection ({Reason}); reconnecting. Meanwhile changes by other processes are found by polling")]
    private partial void LogLost(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening to PostgreSQL notifications again")]
    private partial void LogReconnected();
}
