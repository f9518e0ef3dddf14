using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Core.Auth;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Queue;
using Paddock.Core.Storage;
using Paddock.Storage.Postgres.Internal;

namespace Paddock.Storage.Postgres;

/// <summary>
/// The shared store: generations, events, API keys and file records in one PostgreSQL database, used by any number of
/// API and worker processes at once. Construction connects, brings the schema up to date (one process at a time) and
/// starts this process's writer; <see cref="DisposeAsync"/> finishes every write already accepted and closes.
/// </summary>
/// <remarks>
/// Every change of this process goes through one connection that commits the concurrent callers' operations together,
/// and a call returns only after its commit (<c>synchronous_commit</c> as the server has it; on by default), so an
/// acknowledged write survives a crash of this process or of the database server. Reads use pooled connections.
/// Changes are signalled to every process by LISTEN/NOTIFY (<see cref="Signals"/>). When the server cannot be reached,
/// calls fail with <see cref="StorageUnavailableException"/> and the next call connects again by itself.
/// </remarks>
public sealed class PostgresStore : IStorage, IAsyncDisposable
{
    private readonly PostgresDatabase _database;

    /// <param name="connectionString">An Npgsql connection string (see <see cref="PostgresStorageOptions.ConnectionString"/>).</param>
    /// <param name="timeProvider">The clock for every stored time, lease and expiry.</param>
    public PostgresStore(string connectionString, TimeProvider timeProvider, ILogger<PostgresStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _database = new PostgresDatabase(connectionString, timeProvider, (ILogger?)logger ?? NullLogger.Instance);
        Generations = new PostgresGenerationStore(_database, timeProvider);
        Events = new PostgresEventLog(_database, timeProvider);
        ApiKeys = new PostgresApiKeyStore(_database);
        Files = new PostgresFileStore(_database, timeProvider);
        Webhooks = new PostgresWebhookStore(_database, timeProvider);
        Quotas = new PostgresQuotaStore(_database, timeProvider);
    }

    /// <summary>Host, port, database and user of the store (never its password).</summary>
    public string Where => _database.Where;

    /// <summary>The schema version this build creates and expects.</summary>
    public static int SchemaVersion => PostgresSchema.LatestVersion;

    public PostgresGenerationStore Generations { get; }

    public PostgresEventLog Events { get; }

    public PostgresApiKeyStore ApiKeys { get; }

    public PostgresFileStore Files { get; }

    public PostgresWebhookStore Webhooks { get; }
    public PostgresQuotaStore Quotas { get; }

    /// <summary>Every process's commits, by LISTEN/NOTIFY.</summary>
    public IStoreSignals Signals => _database.Signals;

    IGenerationStore IStorage.Generations => Generations;

    IEventLog IStorage.Events => Events;

    IApiKeyStore IStorage.ApiKeys => ApiKeys;

    IFileStore IStorage.Files => Files;

    Paddock.Core.Webhooks.IWebhookStore IStorage.Webhooks => Webhooks;
    Paddock.Core.Quotas.IQuotaStore IStorage.Quotas => Quotas;

    /// <summary>Moves the totals' deltas into their counts now (the store does it every second by itself).</summary>
    internal Task FoldCountsAsync(CancellationToken cancellationToken = default) => _database.FoldCountsAsync(cancellationToken);

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
