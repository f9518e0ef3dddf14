using Npgsql;
using NpgsqlTypes;
using Paddock.Core.Quotas;
using Paddock.Storage.Postgres.Internal;

namespace Paddock.Storage.Postgres;

/// <summary>Stored limits (<c>quota_limits</c>) and usage records (<c>usage_records</c>); obtained from <see cref="PostgresStore.Quotas"/>.</summary>
public sealed class PostgresQuotaStore : IQuotaStore
{
    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;

    internal PostgresQuotaStore(PostgresDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public Task<QuotaLimits?> GetLimitsAsync(QuotaScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT requests_per_minute, max_running, max_queued, priority, budgets FROM quota_limits WHERE scope = @scope", connection);
            command.Parameters.Bind("scope", scope.Stored);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                return null;
            return new QuotaLimits(Int(reader, 0), Int(reader, 1), Int(reader, 2), Int(reader, 3), BudgetText.Read(GenerationRows.NullableString(reader, 4)));
        }, cancellationToken);
    }

    public Task SetLimitsAsync(QuotaScope scope, QuotaLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(limits);
        return _database.WriteAsync(context =>
        {
            using var command = context.Command("""
                INSERT INTO quota_limits (scope, requests_per_minute, max_running, max_queued, priority, budgets, updated_at)
                VALUES (@scope, @rpm, @running, @queued, @priority, @budgets, @now)
                ON CONFLICT (scope) DO UPDATE SET requests_per_minute = excluded.requests_per_minute, max_running = excluded.max_running,
                    max_queued = excluded.max_queued, priority = excluded.priority, budgets = excluded.budgets, updated_at = excluded.updated_at
                """);
            command.Parameters.Bind("scope", scope.Stored);
            command.Parameters.Add(new NpgsqlParameter("rpm", NpgsqlDbType.Integer) { Value = (object?)limits.RequestsPerMinute ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("running", NpgsqlDbType.Integer) { Value = (object?)limits.MaxRunning ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("queued", NpgsqlDbType.Integer) { Value = (object?)limits.MaxQueued ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("priority", NpgsqlDbType.Integer) { Value = (object?)limits.Priority ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("budgets", NpgsqlDbType.Text) { Value = (object?)BudgetText.Write(limits.Budgets) ?? DBNull.Value });
            command.Parameters.Bind("now", _time.GetUtcNow());
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<bool> DeleteLimitsAsync(QuotaScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _database.WriteAsync(context =>
        {
            using var command = context.Command("DELETE FROM quota_limits WHERE scope = @scope");
            command.Parameters.Bind("scope", scope.Stored);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<UsageEntry>> UsageAsync(string ns, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return _database.ReadAsync<IReadOnlyList<UsageEntry>>(async (connection, ct) =>
            (await ReadUsageAsync(connection, ns, from, to, ct).ConfigureAwait(false)).Select(u => u.Entry).ToList(), cancellationToken);
    }

    public Task<IReadOnlyList<NamespaceUsage>> UsageOfAllAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<NamespaceUsage>>(async (connection, ct) =>
            await ReadUsageAsync(connection, null, from, to, ct).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> ChargedVideoSecondsAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyDictionary<string, long>>(async (connection, ct) =>
        {
            // A range of the ledger's primary key: the namespace scopes only.
            await using var command = new NpgsqlCommand("""
                SELECT substr(scope, 11), SUM(seconds)::bigint FROM video_budget
                WHERE scope COLLATE "C" >= 'namespace:' AND scope COLLATE "C" < 'namespace;'
                GROUP BY scope HAVING SUM(seconds) <> 0
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var charged = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) charged[reader.GetString(0)] = reader.GetInt64(1);
            return charged;
        }, cancellationToken);

    /// <summary>One namespace's usage (through its index), or every namespace's (through the index of ended_at).</summary>
    private static async Task<List<NamespaceUsage>> ReadUsageAsync(NpgsqlConnection connection, string? ns, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT namespace, (ended_at AT TIME ZONE 'UTC')::date AS day, model, engine, resolution, COUNT(*),
                   COUNT(*) FILTER (WHERE status = 'succeeded'), COUNT(*) FILTER (WHERE status = 'failed'),
                   COUNT(*) FILTER (WHERE status = 'cancelled'),
                   SUM(video_seconds)::bigint, SUM(wall_ms)::bigint, SUM(attempts)::bigint
            FROM usage_records
            WHERE {(ns is null ? "" : "namespace = @namespace AND ")}ended_at >= @from AND ended_at < @to
            GROUP BY namespace, day, model, engine, resolution
            ORDER BY namespace COLLATE "C", day, model COLLATE "C", engine COLLATE "C", resolution COLLATE "C"
            """, connection);
        if (ns is not null) command.Parameters.Bind("namespace", ns);
        command.Parameters.Bind("from", new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        command.Parameters.Bind("to", new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var entries = new List<NamespaceUsage>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            entries.Add(new NamespaceUsage(reader.GetString(0), new UsageEntry(
                reader.GetFieldValue<DateOnly>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9),
                reader.GetInt64(10) / 1000.0, reader.GetInt64(11))));
        }
        return entries;
    }

    private static int? Int(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
