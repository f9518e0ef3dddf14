using System.Data;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Paddock.Core.Storage;
using Paddock.Storage.Postgres.Internal;

namespace Paddock.Storage.Postgres.Writing;

/// <summary>
/// Everything this process writes: one connection and one thread that commit the operations of many concurrent callers
/// together (group commit, as the SQLite store's writer does). Each round takes everything pending — it never waits for
/// more — and runs it in one transaction, so one WAL flush serves the whole round; callers hear back only after the
/// commit, so an acknowledged write is durable.
/// </summary>
/// <remarks>
/// <para>No savepoint per operation (a transaction with more than 64 written subtransactions slows every other
/// session's snapshots). Instead, when an operation throws, the round is rolled back, that caller gets its exception,
/// and the others run again in a fresh transaction: operations are plain functions of the database, so running one
/// again is the same as running it once. Failures are rare (bad input is refused before it gets here).</para>
/// <para>Other processes' writers run at the same time: a deadlock or serialization failure makes PostgreSQL roll one
/// round back, and the round runs again. Locks that every round may need are taken in one order — lanes as operations
/// come, generation rows by their own statements, the event counter last of all — and claims skip locked rows.</para>
/// <para>A connection that breaks, or a server that is restarting, fails the round's callers with
/// <see cref="StorageUnavailableException"/> (a commit whose answer was lost counts as not acknowledged); the next round
/// opens a new connection.</para>
/// </remarks>
internal sealed partial class PostgresWriter : IAsyncDisposable
{
    /// <summary>A bound on one transaction, so one round's latency and lock time stay small under a flood.</summary>
    private const int MaxOperationsPerTransaction = 500;

    /// <summary>How often a round that lost a deadlock or serialization conflict runs again before its callers get the error.</summary>
    private const int MaxConflictRetries = 8;

    private readonly Channel<PendingWrite> _pending =
        Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresWriteContext _context = new();
    private readonly Action<IReadOnlyList<StoreSignal>> _committed;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlConnection? _connection;
    private int _backendProcessId;

    /// <param name="committed">Called on the writer's thread after each commit with what it signals; must not block.</param>
    public PostgresWriter(NpgsqlDataSource dataSource, Action<IReadOnlyList<StoreSignal>> committed, ILogger logger)
    {
        _dataSource = dataSource;
        _committed = committed;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "Paddock PostgreSQL writer" };
        _thread.Start();
    }

    /// <summary>The server process of the writer's connection (0 when none): its own notifications are already signalled here.</summary>
    public int BackendProcessId => Volatile.Read(ref _backendProcessId);

    /// <summary>
    /// Runs <paramref name="operation"/> on the writer's connection inside a transaction and returns its result once that
    /// transaction has committed. An exception from the operation is thrown to this caller, and nothing it wrote stays.
    /// The operation runs on the writer's thread and may run more than once: it must be quick, block on nothing but the
    /// database, and keep no state of its own between runs.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<PostgresWriteContext, T> operation, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        var pending = new PendingWrite<T>(operation, cancellationToken);
        if (!_pending.Writer.TryWrite(pending))
            return Task.FromException<T>(new ObjectDisposedException(nameof(PostgresStore), "The PostgreSQL store has been disposed."));
        return pending.Task;
    }

    /// <summary>Stops taking operations, finishes those already taken, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
        DropConnection();
    }

    private void Run()
    {
        var batch = new List<PendingWrite>(MaxOperationsPerTransaction);
        var reader = _pending.Reader;
        try
        {
            while (WaitToRead(reader))
            {
                while (batch.Count < MaxOperationsPerTransaction && reader.TryRead(out var pending))
                    batch.Add(pending);
                ExecuteBatch(batch);
                batch.Clear();
            }
        }
        catch (Exception exception)
        {
            // A bug in the loop itself: refuse new work and fail everything waiting instead of hanging callers.
            _pending.Writer.TryComplete(exception);
            foreach (var pending in batch)
                pending.Fail(exception);
            while (reader.TryRead(out var pending))
                pending.Fail(exception);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private static bool WaitToRead(ChannelReader<PendingWrite> reader)
    {
        // The thread is the writer's own, so blocking it while nothing is pending costs nothing.
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void ExecuteBatch(List<PendingWrite> batch)
    {
        _context.DeferNothing = false;
        var live = new List<PendingWrite>(batch);
        var conflicts = 0;
        var reconnected = false;
        while (true)
        {
            // A caller that gave up before its operation committed is let go; nothing of it stays.
            for (var i = live.Count - 1; i >= 0; i--)
            {
                if (!live[i].CancellationToken.IsCancellationRequested) continue;
                live[i].Cancel();
                live.RemoveAt(i);
            }
            if (live.Count == 0) return;

            var (failed, error, committing) = TryCommit(live);
            if (error is null) return;
            if (error is DeferredRoundRetry) continue;

            if (PostgresErrors.IsRetryable(error) && ++conflicts <= MaxConflictRetries)
            {
                LogConflict(live.Count, conflicts, error.Message);
                continue; // PostgreSQL chose this round to give way: every operation runs again
            }
            if (PostgresErrors.IsUnavailable(error) || _connection is not { FullState: ConnectionState.Open })
            {
                DropConnection();
                // Broken before the commit was sent, the transaction died with its connection: nothing of it was written,
                // so it runs again once on a new one (a connection the server closed while idle, e.g. after a restart).
                // A commit whose answer was lost may or may not have happened: its callers hear that it is not acknowledged.
                if (!committing && !reconnected)
                {
                    reconnected = true;
                    continue;
                }
                var unavailable = PostgresErrors.Unavailable(error);
                LogUnavailable(live.Count, error);
                foreach (var pending in live) pending.Fail(unavailable);
                return;
            }
            if (failed is not null)
            {
                // That operation's own failure (bad input, a broken rule): it alone fails, the others run again.
                failed.Fail(error);
                live.Remove(failed);
                continue;
            }
            foreach (var pending in live) pending.Fail(error);
            return;
        }
    }

    /// <summary>
    /// Runs the operations in one transaction and commits; on failure, which operation failed (if one did), why, and
    /// whether the commit had been sent (then its outcome is unknown).
    /// </summary>
    private (PendingWrite? Failed, Exception? Error, bool Committing) TryCommit(List<PendingWrite> live)
    {
        NpgsqlTransaction? transaction = null;
        var committing = false;
        try
        {
            var connection = Connection();
            transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
            _context.Begin(connection, transaction);
            foreach (var pending in live)
            {
                _context.Current = pending;
                if (!pending.Execute(_context))
                {
                    TryRollback(transaction);
                    return (pending, pending.Error, false);
                }
            }
            _context.Current = null;
            List<StoreSignal> signals;
            try
            {
                signals = _context.Finish();
            }
            catch (DeferredStatementException deferred) when (deferred.Owner is not null || !_context.DeferNothing)
            {
                TryRollback(transaction);
                if (deferred.Owner is null)
                {
                    // Which operation's statement failed is not known: run the round again with every statement at once.
                    _context.DeferNothing = true;
                    return (null, new DeferredRoundRetry(), false);
                }
                return (deferred.Owner, deferred.InnerException, false);
            }
            committing = true;
            transaction.Commit();
            foreach (var pending in live) pending.Complete();
            _committed(signals);
            return (null, null, false);
        }
        catch (Exception exception)
        {
            if (transaction is not null) TryRollback(transaction);
            return (null, exception, committing);
        }
        finally
        {
            transaction?.Dispose();
        }
    }

    private NpgsqlConnection Connection()
    {
        if (_connection is { FullState: ConnectionState.Open } open) return open;
        DropConnection();
        _connection = _dataSource.OpenConnection();
        Volatile.Write(ref _backendProcessId, _connection.ProcessID);
        return _connection;
    }

    private void DropConnection()
    {
        Volatile.Write(ref _backendProcessId, 0);
        try { _connection?.Dispose(); }
        catch (Exception) { /* already broken */ }
        _connection = null;
    }

    private static void TryRollback(NpgsqlTransaction transaction)
    {
        try
        {
            if (transaction.Connection is { FullState: ConnectionState.Open }) transaction.Rollback();
        }
        catch (Exception)
        {
            // A broken connection rolled the transaction back on the server; the next round opens another.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A write round of {Count} operations gave way to another transaction (try {Try}): {Reason}; running it again")]
    private partial void LogConflict(int count, int @try, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not available; {Count} writes failed and were not acknowledged")]
    private partial void LogUnavailable(int count, Exception error);

    /// <summary>The round runs again with nothing deferred (see <see cref="PostgresWriteContext.DeferNothing"/>).</summary>
    private sealed class DeferredRoundRetry : Exception;
}
