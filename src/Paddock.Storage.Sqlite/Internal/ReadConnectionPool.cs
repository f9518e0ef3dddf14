using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// Open read connections, reused. WAL lets any number of them read while the writer commits; each
/// keeps its prepared statements and settings between uses.
/// </summary>
internal sealed class ReadConnectionPool(string connectionString, int maxIdle) : IDisposable
{
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public SqliteConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            return connection;
        }
        return SqliteConnections.OpenReader(connectionString);
    }

    public void Return(SqliteConnection connection)
    {
        // A connection left inside a transaction (a reader that threw mid-way) is not reused.
        if (_disposed || connection.State != System.Data.ConnectionState.Open || !IsAutocommit(connection))
        {
            connection.Dispose();
            return;
        }
        if (Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
            return;
        }
        _idle.Add(connection);
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
        while (_idle.TryTake(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
        }
    }

    private static bool IsAutocommit(SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;
}
