using System.Collections.Concurrent;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// Open read connections, reused. WAL lets any number of them read while the writer commits; each
/// keeps its prepared statements and settings between uses.
/// </summary>
internal sealed class ReadConnectionPool(string connectionString, int maxIdle) : IDisposable
{
    private readonly ConcurrentBag<SqliteReadContext> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public SqliteReadContext Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleCount);
            return reader;
        }
        return new SqliteReadContext(SqliteConnections.OpenReader(connectionString));
    }

    public void Return(SqliteReadContext reader)
    {
        // A connection left inside a transaction (a reader that threw mid-way) is not reused.
        if (_disposed || reader.Connection.State != System.Data.ConnectionState.Open || !IsAutocommit(reader))
        {
            reader.Dispose();
            return;
        }
        if (Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            reader.Dispose();
            return;
        }
        _idle.Add(reader);
        if (_disposed)
            Drain();
    }

    public void Dispose()
    {
        _disposed = true;
        Drain();
    }

    private void Drain()
    {
        while (_idle.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleCount);
            reader.Dispose();
        }
    }

    private static bool IsAutocommit(SqliteReadContext reader) =>
        SQLitePCL.raw.sqlite3_get_autocommit(reader.Connection.Handle) != 0;
}
