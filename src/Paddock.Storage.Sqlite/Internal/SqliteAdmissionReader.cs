using System.Globalization;
using Paddock.Core.Quotas;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>What an admission check reads, in the writer's transaction (so no other write interleaves).</summary>
internal sealed class SqliteAdmissionReader(SqliteWriteContext context) : IAdmissionReader
{
    public long QueuedRows(string ns, string? keyId, long cap)
    {
        var command = context.Command(keyId is null
            ? "SELECT COUNT(*) FROM (SELECT 1 FROM generations WHERE namespace = $scope AND status = 'queued' LIMIT $cap)"
            : "SELECT COUNT(*) FROM (SELECT 1 FROM generations WHERE api_key_id = $scope AND status = 'queued' LIMIT $cap)");
        command.Parameters.Add("$scope", keyId ?? ns);
        command.Parameters.Add("$cap", cap);
        return (long)command.ExecuteScalar()!;
    }

    public long VideoSecondsCharged(QuotaScope scope, string resolution, DateOnly from, DateOnly to)
    {
        var command = context.Command("SELECT COALESCE(SUM(seconds), 0) FROM video_budget WHERE scope = $scope AND resolution = $resolution AND day BETWEEN $from AND $to");
        command.Parameters.Add("$scope", scope.Stored);
        command.Parameters.Add("$resolution", resolution);
        command.Parameters.Add("$from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        command.Parameters.Add("$to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return (long)command.ExecuteScalar()!;
    }
}
