using System.Globalization;
using Paddock.Core.Quotas;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>What an admission check reads, in the writer's transaction (so no other write interleaves).</summary>
internal sealed class SqliteAdmissionReader(SqliteWriteContext context) : IAdmissionReader
{
    public long QueuedRows(string ns, string? keyId, long cap)
    {
        // Counts kept by triggers (the namespace's sub-lanes, the key's row in key_queues): one lookup, whatever the queue's length.
        var command = context.Command(keyId is null
            ? "SELECT COALESCE(SUM(queued), 0) FROM queue_lanes WHERE namespace = $scope"
            : "SELECT COALESCE((SELECT queued FROM key_queues WHERE api_key_id = $scope), 0)");
        command.Parameters.Add("$scope", keyId ?? ns);
        return Math.Min((long)command.ExecuteScalar()!, cap);
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
