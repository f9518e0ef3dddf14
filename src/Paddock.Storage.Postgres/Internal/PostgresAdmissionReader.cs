using Paddock.Core.Quotas;
using Paddock.Storage.Postgres.Writing;

namespace Paddock.Storage.Postgres.Internal;

/// <summary>What an admission check reads, in the writer's transaction, under the namespace's admission lock.</summary>
internal sealed class PostgresAdmissionReader(PostgresWriteContext context) : IAdmissionReader
{
    public long QueuedRows(string ns, string? keyId, long cap)
    {
        using var command = context.Command(keyId is null
            ? "SELECT COUNT(*) FROM (SELECT 1 FROM generations WHERE namespace = @scope AND status = 'queued' LIMIT @cap) q"
            : "SELECT COUNT(*) FROM (SELECT 1 FROM generations WHERE api_key_id = @scope AND status = 'queued' LIMIT @cap) q");
        command.Parameters.Bind("scope", keyId ?? ns);
        command.Parameters.Bind("cap", cap);
        return (long)command.ExecuteScalar()!;
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
