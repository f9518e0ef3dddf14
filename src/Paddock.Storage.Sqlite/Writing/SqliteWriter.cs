using Paddock.Core.Storage;
using Paddock.Storage.Sqlite.Internal;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Writing;

/// <summary>
/// The only thing that writes to the database: one connection and one thread that commit the
/// operations of many concurrent callers together (group commit). Each round takes everything
/// pending — it never waits for more to arrive — and runs it in one transaction. Callers hear back
/// only after the commit, so an acknowledged write is durable; one fsync serves the whole round.
/// A failing operation is undone alone: the round first runs with no savepoints, and only when an
/// operation fails is it rolled back and run again with each operation in its own savepoint.
/// </summary>
/// <remarks>
/// One writer also makes the commit order the order of <c>events.seq</c>: a reader can never see an
/// event while an earlier sequence number is still uncommitted, which event replay relies on.
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    /// <summary>A bound on one transaction, so one round's latency and memory stay small under a flood.</summary>
    private const int MaxOperationsPerTransaction = 1000;

    private readonly Channel<PendingWrite<SqliteWriteContext>> _pending =
        Channel.CreateUnbounded<PendingWrite<SqliteWriteContext>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteContext _context;
    private readonly Action<IReadOnlyList<Paddock.Core.Storage.StoreSignal>> _committed;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PendingWrite<SqliteWriteContext>> _ran = new(MaxOperationsPerTransaction);

    /// <param name="connection">An open connection the writer owns from now on.</param>
    /// <param name="committed">Called on the writer's thread after each commit with what it signals; must not block.</param>
    public SqliteWriter(SqliteConnection connection, Action<IReadOnlyList<Paddock.Core.Storage.StoreSignal>> committed)
    {
        _connection = connection;
        _context = new SqliteWriteContext(connection);
        _committed = committed;
        _thread = new Thread(Run) { IsBackground = true, Name = "Paddock SQLite writer" };
        _thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on the writer's connection inside a transaction and returns
    /// its result once that transaction has committed. An exception from the operation undoes only
    /// the operation's own changes and is thrown to this caller. The operation runs on the writer's
    /// thread: it must be quick and must not block on anything but the database.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteWriteContext, T> operation, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        var pending = new PendingWrite<SqliteWriteContext, T>(operation, cancellationToken, SqliteErrors.Translate);
        if (!_pending.Writer.TryWrite(pending))
            return Task.FromException<T>(new ObjectDisposedException(nameof(SqliteStore), "The SQLite store has been disposed."));
        return pending.Task;
    }

    /// <summary>Stops taking operations, finishes those already taken, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
        _context.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<PendingWrite<SqliteWriteContext>>(MaxOperationsPerTransaction);
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
                pending.Abort(exception);
            while (reader.TryRead(out var pending))
                pending.Abort(exception);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private static bool WaitToRead(ChannelReader<PendingWrite<SqliteWriteContext>> reader)
    {
        // The thread is the writer's own, so blocking it while nothing is pending costs nothing.
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void ExecuteBatch(List<PendingWrite<SqliteWriteContext>> batch)
    {
        if (!TryExecuteTogether(batch))
            ExecuteEachInSavepoint(batch);
    }

    /// <summary>
    /// The usual round: every operation succeeds, so none needs a savepoint, which would copy every page it touches
    /// to SQLite's statement journal (per enqueue, about as many pages as the row's B-trees). False, with nothing
    /// written and no caller told, when an operation failed or the transaction did not start: the round is then run
    /// again the careful way (operations may run again after a rolled-back attempt).
    /// </summary>
    private bool TryExecuteTogether(List<PendingWrite<SqliteWriteContext>> batch)
    {
        SqliteTransaction transaction;
        try
        {
            transaction = _connection.BeginTransaction(deferred: false);
        }
        catch (Exception)
        {
            return false;
        }

        using (transaction)
        {
            _context.Transaction = transaction;
            _context.TakeSignals(); // marks of a transaction that did not commit signal nothing
            _context.DiscardInsertedCounts();
            _ran.Clear();
            var failed = false;
            foreach (var pending in batch)
            {
                if (pending.CancellationToken.IsCancellationRequested)
                    continue;
                _ran.Add(pending);
                if (!pending.Execute(_context))
                {
                    failed = true;
                    break;
                }
            }

            if (!failed)
            {
                try
                {
                    _context.AddInsertedCounts();
                }
                catch (Exception)
                {
                    failed = true; // the careful way adds each operation's counts in its own savepoint, and tells who failed
                }
            }

            Exception? lost = null;
            if (!failed)
            {
                try
                {
                    transaction.Commit();
                }
                catch (Exception exception)
                {
                    // Not run again: a commit that failed may still have reached the WAL (a failed fsync), so
                    // its callers hear why, as with the careful way.
                    lost = exception;
                }
            }

            _context.Transaction = null;
            if (failed || lost is not null)
            {
                _context.DiscardInsertedCounts();
                TryRollback(transaction);
            }
            if (failed)
            {
                _ran.Clear();
                return false;
            }

            var signals = lost is null ? _context.TakeSignals() : null;
            var next = 0;
            foreach (var pending in batch)
            {
                if (next < _ran.Count && ReferenceEquals(_ran[next], pending))
                {
                    if (lost is null) pending.Complete();
                    else pending.Abort(lost);
                    next++;
                }
                else
                {
                    pending.Cancel();
                }
            }
            _ran.Clear();
            if (signals is not null) _committed(signals);
            return true;
        }
    }

    /// <summary>The round with each operation in its own savepoint, so a failing one is undone alone.</summary>
    private void ExecuteEachInSavepoint(List<PendingWrite<SqliteWriteContext>> batch)
    {
        var inTransaction = new List<PendingWrite<SqliteWriteContext>>(batch.Count);
        var next = 0;
        // Normally one pass. Only when SQLite itself rolled the transaction back (disk full, I/O
        // error) do the operations not yet run get a fresh transaction of their own.
        while (next < batch.Count)
        {
            inTransaction.Clear();
            SqliteTransaction transaction;
            try
            {
                transaction = _connection.BeginTransaction(deferred: false);
            }
            catch (Exception exception)
            {
                for (; next < batch.Count; next++)
                    batch[next].Abort(exception);
                return;
            }

            using (transaction)
            {
                _context.Transaction = transaction;
                _context.TakeSignals(); // marks of a transaction that did not commit signal nothing
                _context.DiscardInsertedCounts();
                Exception? lost = null;
                for (; next < batch.Count && lost is null; next++)
                {
                    var pending = batch[next];
                    if (pending.CancellationToken.IsCancellationRequested)
                    {
                        pending.Cancel();
                        continue;
                    }
                    inTransaction.Add(pending);
                    lost = ExecuteInSavepoint(pending);
                }

                if (lost is null)
                {
                    try
                    {
                        transaction.Commit();
                    }
                    catch (Exception exception)
                    {
                        lost = exception;
                    }
                }

                _context.Transaction = null;
                if (lost is null)
                {
                    var signals = _context.TakeSignals();
                    foreach (var pending in inTransaction)
                        pending.Complete();
                    _committed(signals);
                }
                else
                {
                    _context.DiscardInsertedCounts();
                    TryRollback(transaction);
                    foreach (var pending in inTransaction)
                        pending.Abort(lost);
                }
            }
        }
    }

    /// <summary>Runs one operation in its own savepoint; returns why the whole transaction is unusable, or null.</summary>
    private Exception? ExecuteInSavepoint(PendingWrite<SqliteWriteContext> pending)
    {
        try
        {
            _context.Command("SAVEPOINT operation").ExecuteNonQuery();
        }
        catch (Exception exception)
        {
            return exception;
        }

        if (pending.Execute(_context))
        {
            try
            {
                // Command adds the operation's inserted counts first, inside its savepoint.
                _context.Command("RELEASE operation").ExecuteNonQuery();
                return null;
            }
            catch (Exception exception)
            {
                return exception;
            }
        }

        _context.DiscardInsertedCounts(); // the operation's own: every earlier one's were added at its release
        // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) make SQLite roll back the whole transaction.
        if (IsAutocommit())
            return pending.Error ?? new InvalidOperationException("SQLite rolled the transaction back; nothing in it was written.");
        try
        {
            _context.Command("ROLLBACK TO operation; RELEASE operation").ExecuteNonQuery();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private bool IsAutocommit() => SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) != 0;

    private void TryRollback(SqliteTransaction transaction)
    {
        if (IsAutocommit())
            return;
        try
        {
            transaction.Rollback();
        }
        catch (SqliteException)
        {
            // The connection stays usable for the next round; the callers already have the reason.
        }
    }
}
