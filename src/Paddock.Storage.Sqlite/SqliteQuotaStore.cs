using System.Globalization;
using Microsoft.Data.Sqlite;
using Paddock.Core.Quotas;
using Paddock.Storage.Sqlite.Internal;

namespace Paddock.Storage.Sqlite;

/// <summary>Stored limits (<c>quota_limits</c>) and usage records (<c>usage_records</c>); obtained from <see cref="SqliteStore.Quotas"/>.</summary>
public sealed class SqliteQuotaStore : IQuotaStore
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    internal SqliteQuotaStore(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public Task<QuotaLimits?> GetLimitsAsync(QuotaScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _database.ReadAsync(connection =>
        {
            var command = connection.Command("SELECT requests_per_minute, max_running, max_queued, priority, budgets FROM quota_limits WHERE scope = $scope");
            command.Parameters.Add("$scope", scope.Stored);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
                return null;
            return new QuotaLimits(Int(reader, 0), Int(reader, 1), Int(reader, 2), Int(reader, 3), BudgetText.Read(reader.GetNullableString(4)));
        }, cancellationToken);
    }

    public Task SetLimitsAsync(QuotaScope scope, QuotaLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(limits);
        return _database.WriteAsync(context =>
        {
            var command = context.Command("""
                INSERT OR REPLACE INTO quota_limits (scope, requests_per_minute, max_running, max_queued, priority, budgets, updated_at)
                VALUES ($scope, $rpm, $running, $queued, $priority, $budgets, $now)
                """);
            command.Parameters.Add("$scope", scope.Stored);
            command.Parameters.Add("$rpm", limits.RequestsPerMinute);
            command.Parameters.Add("$running", limits.MaxRunning);
            command.Parameters.Add("$queued", limits.MaxQueued);
            command.Parameters.Add("$priority", limits.Priority);
            command.Parameters.Add("$budgets", BudgetText.Write(limits.Budgets));
            command.Parameters.Add("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<bool> DeleteLimitsAsync(QuotaScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _database.WriteAsync(context =>
        {
            var command = context.Command("DELETE FROM quota_limits WHERE scope = $scope");
            command.Parameters.Add("$scope", scope.Stored);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    /// <summary>One range of the namespace's records (by end time), grouped here: a report's cost follows the range asked for.</summary>
    public Task<IReadOnlyList<UsageEntry>> UsageAsync(string ns, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return _database.ReadAsync<IReadOnlyList<UsageEntry>>(connection =>
            ReadUsage(connection, ns, from, to).Select(u => u.Entry).ToList(), cancellationToken);
    }

    public Task<IReadOnlyList<NamespaceUsage>> UsageOfAllAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<NamespaceUsage>>(connection => ReadUsage(connection, null, from, to), cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> ChargedVideoSecondsAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyDictionary<string, long>>(connection =>
        {
            // A range of the ledger's primary key: the namespace scopes only.
            var command = connection.Command("""
                SELECT substr(scope, 11), SUM(seconds) FROM video_budget
                WHERE scope >= 'namespace:' AND scope < 'namespace;'
                GROUP BY scope HAVING SUM(seconds) <> 0
                """);
            using var reader = command.ExecuteReader();
            var charged = new Dictionary<string, long>(StringComparer.Ordinal);
            while (reader.Read()) charged[reader.GetString(0)] = reader.GetInt64(1);
            return charged;
        }, cancellationToken);

    /// <summary>One namespace's usage (through its index), or every namespace's (through the index of ended_at).</summary>
    private static List<NamespaceUsage> ReadUsage(SqliteReadContext connection, string? ns, DateOnly from, DateOnly to)
    {
        var command = connection.Command($"""
            SELECT namespace, date(ended_at / 1000, 'unixepoch') AS day, model, engine, resolution, COUNT(*),
                   SUM(status = 'succeeded'), SUM(status = 'failed'), SUM(status = 'cancelled'),
                   SUM(video_seconds), SUM(wall_ms), SUM(attempts)
            FROM usage_records
            WHERE {(ns is null ? "" : "namespace = $namespace AND ")}ended_at >= $from AND ended_at < $to
            GROUP BY namespace, day, model, engine, resolution
            ORDER BY namespace, day, model, engine, resolution
            """);
        if (ns is not null) command.Parameters.Add("$namespace", ns);
        command.Parameters.Add("$from", Milliseconds(from));
        command.Parameters.Add("$to", Milliseconds(to.AddDays(1)));
        using var reader = command.ExecuteReader();
        var entries = new List<NamespaceUsage>();
        while (reader.Read())
        {
            entries.Add(new NamespaceUsage(reader.GetString(0), new UsageEntry(
                DateOnly.ParseExact(reader.GetString(1), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9),
                reader.GetInt64(10) / 1000.0, reader.GetInt64(11))));
        }
        return entries;
    }

    private static long Milliseconds(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static int? Int(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
