using Paddock.Core.Storage;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>The file and its connections: one writer for every change, pooled readers, a background checkpointer.</summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    private const int MaxIdleReaders = 16;

    private readonly SqliteWriter _writer;
    private readonly ReadConnectionPool _readers;
    private readonly WalCheckpointer _checkpointer;
    private int _disposed;

    public SqliteDatabase(string path, TimeProvider time)
    {
        var connectionString = SqliteConnections.ConnectionString(path);
        var writerConnection = SqliteConnections.OpenWriter(connectionString);
        try
        {
            SqliteSchema.Migrate(writerConnection, time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch
        {
            writerConnection.Dispose();
            throw;
        }
        _checkpointer = new WalCheckpointer(connectionString, time);
        _writer = new SqliteWriter(writerConnection, signals =>
        {
            _checkpointer.Notify();
            foreach (var signal in signals) Signals.Raise(signal);
        });
        _readers = new ReadConnectionPool(connectionString, MaxIdleReaders);
    }

    /// <summary>This process's commits, signalled to this process's waiters.</summary>
    public InProcessStoreSignals Signals { get; } = new();

    /// <inheritdoc cref="SqliteWriter.WriteAsync{T}"/>
    public Task<T> WriteAsync<T>(Func<SqliteWriteContext, T> operation, CancellationToken cancellationToken) =>
        _writer.WriteAsync(operation, cancellationToken);

    /// <summary>
    /// Runs <paramref name="read"/> on a pooled read connection. It sees only committed data; open a snapshot
    /// (<see cref="SqliteReadContext.BeginSnapshot"/>) when several statements must see the same one.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<SqliteReadContext, T> read, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        try
        {
            var connection = _readers.Rent();
            try
            {
                return Task.FromResult(read(connection));
            }
            finally
            {
                _readers.Return(connection);
            }
        }
        catch (Exception exception)
        {
            return Task.FromException<T>(exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // The writer first: everything already accepted is committed before the doors close.
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _checkpointer.DisposeAsync().ConfigureAwait(false);
        _readers.Dispose();
    }
}
