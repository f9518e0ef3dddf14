using Microsoft.Extensions.Logging;
using Npgsql;
using Paddock.Core.Storage;
using Paddock.Storage.Postgres.Signals;
using Paddock.Storage.Postgres.Writing;

namespace Paddock.Storage.Postgres.Internal;

/// <summary>The database and its connections: one writer for every change, pooled readers, the listener, and the upkeep.</summary>
internal sealed partial class PostgresDatabase : IAsyncDisposable
{
    private static readonly TimeSpan FoldInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _listenSource;
    private readonly PostgresWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _upkeep;
    private int _disposed;

    public PostgresDatabase(string connectionString, TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        var builder = PostgresStorageOptions.Parse(connectionString)
            ?? throw new ArgumentException("not a connection string Npgsql can read", nameof(connectionString));
        Where = PostgresStorageOptions.Describe(builder);
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "paddock";
        // The writer and readers send the same few statements over and over: prepare them once per connection.
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        _dataSource = Traced(builder.ConnectionString);
        var listen = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, ApplicationName = builder.ApplicationName + " listener" };
        _listenSource = Traced(listen.ConnectionString);

        try
        {
            using var connection = _dataSource.OpenConnection();
            PostgresSchema.Migrate(connection, time.GetUtcNow(), Where);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            _dataSource.Dispose();
            _listenSource.Dispose();
            throw new Paddock.Core.Hosting.StartupException(
                $"cannot use the PostgreSQL database {Where}: {Reason(e)}. Check Paddock:Storage:Postgres:ConnectionString, and that the server runs and lets this user in", e);
        }
        catch
        {
            _dataSource.Dispose();
            _listenSource.Dispose();
            throw;
        }

        Signals = new PostgresSignals(_listenSource, () => _writer!.BackendProcessId, logger);
        _writer = new PostgresWriter(_dataSource, Signals.RaiseLocal, logger);
        _upkeep = Task.Run(() => UpkeepAsync(_stopping.Token));
    }

    /// <summary>Host, port, database and user, for messages (never the password).</summary>
    public string Where { get; }

    public PostgresSignals Signals { get; }

    public TimeProvider Time => _time;

    /// <inheritdoc cref="PostgresWriter.WriteAsync{T}"/>
    public Task<T> WriteAsync<T>(Func<PostgresWriteContext, T> operation, CancellationToken cancellationToken) =>
        _writer.WriteAsync(operation, cancellationToken);

    /// <summary>
    /// Runs <paramref name="read"/> on a pooled connection (committed data only; wrap several statements in a
    /// repeatable-read transaction when they must see one snapshot). A database that cannot be reached is a
    /// <see cref="StorageUnavailableException"/>.
    /// </summary>
    /// <summary>
    /// A data source whose commands are traced (when tracing listens) only inside a span: a query of a request or of a
    /// generation's attempt joins that trace, while the idle polls, claims and heartbeats of workers do not each start a
    /// trace of their own every second.
    /// </summary>
    private static NpgsqlDataSource Traced(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => System.Diagnostics.Activity.Current is not null)
            .ConfigureBatchFilter(_ => System.Diagnostics.Activity.Current is not null)
            .EnablePhysicalOpenTracing(false));
        return builder.Build();
    }

    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await read(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && PostgresErrors.IsUnavailable(e))
        {
            throw PostgresErrors.Unavailable(e);
        }
    }

    /// <summary>
    /// Moves the count deltas into the counts, in one transaction (totals read the same before and after). One process
    /// at a time does it; the others find the lock taken and skip their turn.
    /// </summary>
    public Task FoldCountsAsync(CancellationToken cancellationToken) => ReadAsync(async (connection, ct) =>
    {
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var fold = new NpgsqlCommand("""
            WITH taken AS (SELECT pg_try_advisory_xact_lock(@lock_class, 1) AS mine),
            moved AS (
                DELETE FROM generation_count_deltas WHERE (SELECT mine FROM taken)
                RETURNING namespace, model, media_type, status, delta
            )
            INSERT INTO generation_counts AS c (namespace, model, media_type, status, count)
            SELECT namespace, model, media_type, status, SUM(delta) FROM moved GROUP BY namespace, model, media_type, status
            ON CONFLICT (namespace, model, media_type, status) DO UPDATE SET count = c.count + excluded.count
            """, connection, transaction);
        fold.Parameters.AddWithValue("lock_class", AdvisoryLocks.UpkeepClass);
        await fold.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return 0;
    }, cancellationToken);

    /// <summary>Forgets Idempotency-Keys whose day is over, a bounded number at a time.</summary>
    private Task PurgeIdempotencyKeysAsync(CancellationToken cancellationToken) => ReadAsync(async (connection, ct) =>
    {
        await using var purge = new NpgsqlCommand("""
            DELETE FROM idempotency_keys WHERE ctid IN (
                SELECT ctid FROM idempotency_keys WHERE expires_at <= @now LIMIT 1000 FOR UPDATE SKIP LOCKED)
            """, connection);
        purge.Parameters.AddWithValue("now", _time.GetUtcNow().ToUniversalTime());
        return await purge.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, cancellationToken);

    /// <summary>Housekeeping beside the writer, so no caller's write pays for it. Its pace is not logic: real time.</summary>
    private async Task UpkeepAsync(CancellationToken ct)
    {
        var lastPurge = DateTime.MinValue;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FoldInterval, ct).ConfigureAwait(false);
                await FoldCountsAsync(ct).ConfigureAwait(false);
                if (DateTime.UtcNow - lastPurge >= PurgeInterval)
                {
                    await PurgeIdempotencyKeysAsync(ct).ConfigureAwait(false);
                    lastPurge = DateTime.UtcNow;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogUpkeepFailed(e.Message);
            }
        }
    }

    private static string Reason(Exception e) => e switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        NpgsqlException { InnerException: { } inner } => inner.Message,
        _ => e.Message,
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // The writer first: everything already accepted is committed before the doors close.
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await _upkeep.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await Signals.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await _listenSource.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "PostgreSQL upkeep (folding counts, forgetting old keys) failed: {Reason}; trying again later")]
    private partial void LogUpkeepFailed(string reason);
}

/// <summary>Advisory lock keys in the two-integer key space (the migration lock uses the one-bigint space).</summary>
internal static class AdvisoryLocks
{
    /// <summary>Housekeeping: object 1 folds counts.</summary>
    public const int UpkeepClass = 0x5044_0001;

    /// <summary>A repository branch's file paths: object = a hash of namespace, repository and branch.</summary>
    public const int FileBranchClass = 0x5044_0002;

    /// <summary>A namespace's admitted submissions (quotas): object = a hash of the namespace.</summary>
    public const int AdmissionClass = 0x5044_0003;

    /// <summary>A first API key (of the store, or of a namespace): object 0, one lock for all of them.</summary>
    public const int FirstKeyClass = 0x5044_0004;

    /// <summary>A stable 32-bit object id for a lock on <paramref name="text"/>.</summary>
    public static int Key(string text) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
