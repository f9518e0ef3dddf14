using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// Copies the WAL back into the database file from its own connection, so that the writer's
/// commits do not stop to do it (measured: this is what keeps the writer's p99 low). PASSIVE never
/// blocks the writer or readers. SQLite's own auto-checkpoint on the writer stays on as a backstop
/// for when this one falls behind.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(200);

    private readonly Channel<bool> _commits = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly Task _loop;

    public WalCheckpointer(string connectionString, TimeProvider time)
    {
        _connectionString = connectionString;
        _time = time;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Something was committed; cheap and non-blocking, called by the writer after every commit.</summary>
    public void Notify() => _commits.Writer.TryWrite(true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        SqliteConnection? connection = null;
        try
        {
            while (await _commits.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                _commits.Reader.TryRead(out _);
                try
                {
                    connection ??= SqliteConnections.OpenCheckpointer(_connectionString);
                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    command.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // Nothing is lost by a skipped checkpoint; the next commit tries again.
                    connection?.Dispose();
                    connection = null;
                }
                await Task.Delay(MinimumInterval, _time, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            connection?.Dispose();
        }
    }
}
