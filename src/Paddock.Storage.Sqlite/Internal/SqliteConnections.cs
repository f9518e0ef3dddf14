using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>How every connection to the file is opened, so all of them agree on the settings that matter.</summary>
internal static class SqliteConnections
{
    /// <summary>How long a statement waits on another process's lock before SQLITE_BUSY.</summary>
    public const int BusyTimeoutMilliseconds = 10_000;

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        // The store keeps its own long-lived connections; a second pool would only hide them.
        Pooling = false,
        ForeignKeys = true,
    }.ToString();

    /// <summary>
    /// The one connection that writes: WAL (persisted in the file) and a full fsync at every commit. Its temporary
    /// files stay in memory: the statement journal, which keeps a copy of each page a statement with triggers changes,
    /// had spilled to a file and cost a write call per page (several per enqueue, more than the WAL's own).
    /// </summary>
    public static SqliteConnection OpenWriter(string connectionString) => Open(connectionString, $"""
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA busy_timeout = {BusyTimeoutMilliseconds};
        PRAGMA journal_size_limit = {64 * 1024 * 1024};
        PRAGMA temp_store = MEMORY;
        """);

    /// <summary>A reader: query_only so no write can bypass the single writer by mistake.</summary>
    public static SqliteConnection OpenReader(string connectionString) => Open(connectionString, $"""
        PRAGMA busy_timeout = {BusyTimeoutMilliseconds};
        PRAGMA query_only = ON;
        """);

    /// <summary>Runs checkpoints beside the writer so a commit never pays for one.</summary>
    public static SqliteConnection OpenCheckpointer(string connectionString) => Open(connectionString, $"""
        PRAGMA busy_timeout = {BusyTimeoutMilliseconds};
        """);

    private static SqliteConnection Open(string connectionString, string pragmas)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
