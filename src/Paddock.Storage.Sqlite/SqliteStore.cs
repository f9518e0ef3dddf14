using Paddock.Core.Auth;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Queue;
using Paddock.Core.Storage;
using Paddock.Storage.Sqlite.Internal;

namespace Paddock.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file holding generations, events and API keys. Construction
/// opens the file (creating it and its folder when missing), brings the schema up to date and starts
/// the single writer; <see cref="DisposeAsync"/> finishes every write already accepted and closes it.
/// </summary>
/// <remarks>
/// Every change goes through one writer connection that commits the concurrent callers' operations
/// together (WAL, <c>synchronous=FULL</c>), and a call returns only after its commit, so an
/// acknowledged write survives a crash. Reads use their own pooled connections and never wait for
/// the writer. One store per file per process; several processes on one file work (SQLite locks)
/// but give up the group commit's throughput.
/// </remarks>
public sealed class SqliteStore : IStorage, IAsyncDisposable
{
    private readonly SqliteDatabase _database;

    /// <param name="path">The database file, e.g. <c>data/paddock.db</c>. In-memory databases are not supported: the writer and readers need to share a file.</param>
    /// <param name="timeProvider">The clock for every stored time, lease and expiry.</param>
    public SqliteStore(string path, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (path.Trim() == ":memory:" || path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("The SQLite store needs a plain file path.", nameof(path));

        DatabasePath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);

        _database = new SqliteDatabase(DatabasePath, timeProvider);
        Generations = new SqliteGenerationStore(_database, timeProvider);
        Events = new SqliteEventLog(_database, timeProvider);
        ApiKeys = new SqliteApiKeyStore(_database);
        Files = new SqliteFileStore(_database, timeProvider);
        Webhooks = new SqliteWebhookStore(_database, timeProvider);
        Quotas = new SqliteQuotaStore(_database, timeProvider);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The schema version this build creates and expects.</summary>
    public static int SchemaVersion => SqliteSchema.LatestVersion;

    public SqliteGenerationStore Generations { get; }

    public SqliteEventLog Events { get; }

    public SqliteApiKeyStore ApiKeys { get; }

    public SqliteFileStore Files { get; }

    public SqliteWebhookStore Webhooks { get; }
    public SqliteQuotaStore Quotas { get; }

    /// <summary>This process's own commits (other processes on the file are found by polling).</summary>
    public IStoreSignals Signals => _database.Signals;

    IGenerationStore IStorage.Generations => Generations;

    IEventLog IStorage.Events => Events;

    IApiKeyStore IStorage.ApiKeys => ApiKeys;

    IFileStore IStorage.Files => Files;

    Paddock.Core.Webhooks.IWebhookStore IStorage.Webhooks => Webhooks;
    Paddock.Core.Quotas.IQuotaStore IStorage.Quotas => Quotas;

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
