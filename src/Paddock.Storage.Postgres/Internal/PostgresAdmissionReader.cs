using Paddock.Core.Quotas;
using Paddock.Storage.Postgres.Writing;

namespace Paddock.Storage.Postgres.Internal;

/// <summary>What an admission check reads, in the writer's transaction, under the namespace's admission lock.</summary>
internal sealed class PostgresAdmissionReader(PostgresWriteContext context) : IAdmissionReader
{
    public long QueuedRows(string ns, string? keyId, long cap)
    {
        // Counts kept by triggers (the namespace's sub-lanes, the key's row in key_queues): one lookup, whatever the queue's length.
        using var command = context.Command(keyId is null
            ? "SELECT COALESCE(SUM(queued), 0)::bigint FROM queue_lanes WHERE namespace = @scope"
            : "SELECT COALESCE((SELECT queued FROM key_queues WHERE api_key_id = @scope), 0)::bigint");
        command.Parameters.Bind("scope", keyId ?? ns);
        return Math.Min((long)command.ExecuteScalar()!, cap);
    }

    public long VideoSecondsCharged(QuotaScope scope, string resolution, DateOnly from, DateOnly to)
    {
        using var command = context.Command("SELECT COALESCE(SUM(seconds), 0)::bigint FROM video_budget WHERE scope = @scope AND resolution = @resolution AND day BETWEEN @from AND @to");
        command.Parameters.Bind("scope", scope.Stored);
        command.Parameters.Bind("resolution", resolution);
        command.Parameters.Bind("from", from);
        command.Parameters.Bind("to", to);
        return (long)command.ExecuteScalar()!;
    }
}
