using Microsoft.Data.Sqlite;
using Paddock.Core.Engines;
using Paddock.Core.Generations;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// A generation as read, with what only the store needs: its rowid (the tie-break of enqueue order), every claim it has
/// had (<paramref name="Claims"/>, the lease's fencing token, which only grows; the row shows the claims that count,
/// without those handed back on shutdown), and its place in its lane.
/// </summary>
internal readonly record struct GenerationRow(Generation Generation, long RowId, long EnqueuedAtMilliseconds, int Claims, string Lane, long LaneSeq);

/// <summary>The generations table's columns and how a row becomes a <see cref="Generation"/>.</summary>
internal static class GenerationRows
{
    public const string Columns =
        "id, namespace, model, media_type, status, parameters, enqueued_at, started_at, completed_at, " +
        "error_message, output_key, progress_phase, progress_percent, progress_eta, attempt, " +
        "error_type, error_code, status_message, retries, retry_at, remote_job, remote_cancel, lane, lane_seq, rowid, handed_back, trace_parent";

    /// <summary>The ordinal of the first column a query adds after <see cref="Columns"/>.</summary>
    public const int NextOrdinal = 27;

    /// <summary>Reads a row selected as <see cref="Columns"/>.</summary>
    public static GenerationRow Read(SqliteDataReader reader)
    {
        var statusText = reader.GetString(4);
        if (!GenerationStatusNames.TryParse(statusText, out var status))
            throw new InvalidDataException($"Unknown generation status '{statusText}' in the database.");

        var phase = reader.GetNullableString(11);
        var progress = phase is null
            ? null
            : new GenerationProgress(phase, reader.IsDBNull(12) ? 0 : reader.GetInt32(12), reader.IsDBNull(13) ? null : reader.GetInt32(13));

        var enqueuedAt = reader.GetInt64(6);
        var claims = reader.GetInt32(14);
        var generation = new Generation(
            Id: Guid.Parse(reader.GetString(0)),
            Namespace: reader.GetString(1),
            Model: reader.GetString(2),
            MediaType: reader.GetString(3),
            Status: status,
            Parameters: reader.GetString(5),
            EnqueuedAt: SqliteValues.FromUnixMilliseconds(enqueuedAt),
            StartedAt: reader.GetNullableTime(7),
            CompletedAt: reader.GetNullableTime(8),
            ErrorMessage: reader.GetNullableString(9),
            OutputKey: reader.GetNullableString(10),
            Progress: progress,
            // Attempts handed back on a graceful stop do not count (against MaxAttempts, or on the row).
            Attempt: claims - reader.GetInt32(25),
            ErrorType: FailureKinds.FromWire(reader.GetNullableString(15)),
            ErrorCode: reader.GetNullableString(16),
            StatusMessage: reader.GetNullableString(17),
            Retries: reader.GetInt32(18),
            RetryAt: reader.GetNullableTime(19),
            RemoteJob: RemoteJob.FromJson(reader.GetNullableString(20)),
            RemoteCancel: reader.GetNullableString(21) switch
            {
                "pending" => RemoteCancelState.Pending,
                "cancelled" => RemoteCancelState.Cancelled,
                "refused" => RemoteCancelState.Refused,
                _ => null,
            },
            TraceParent: reader.GetNullableString(26));
        return new GenerationRow(generation, reader.GetInt64(24), enqueuedAt, claims, reader.GetString(22), reader.GetInt64(23));
    }

    public static List<GenerationRow> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<GenerationRow>();
        while (reader.Read())
            rows.Add(Read(reader));
        return rows;
    }

    /// <summary>
    /// The 1-based position of a queued row in its lane (1 = claimed next), from two index seeks: the lane's oldest
    /// queued row, and the rows between it and this one that left the queue out of order. Must run in the caller's
    /// snapshot. Cost does not grow with the length of the queue.
    /// </summary>
    public static long QueuePosition(SqliteReadContext connection, GenerationRow row) =>
        PositionFrom(connection, row, LaneHead(connection, row));

    /// <summary>The lane's oldest queued sequence number (the row's own when it is the only one).</summary>
    public static long LaneHead(SqliteReadContext connection, GenerationRow row)
    {
        var head = connection.Command("SELECT MIN(lane_seq) FROM generations WHERE lane = $lane AND status = 'queued'");
        head.Parameters.Add("$lane", row.Lane);
        return head.ExecuteScalar() is long value ? value : row.LaneSeq;
    }

    /// <summary>As <see cref="QueuePosition"/>, with the lane's oldest queued sequence number already known.</summary>
    public static long PositionFrom(SqliteReadContext connection, GenerationRow row, long headSeq)
    {
        if (row.LaneSeq <= headSeq) return 1;
        var departed = connection.Command("SELECT COUNT(*) FROM generations WHERE lane = $lane AND status <> 'queued' AND lane_seq >= $head AND lane_seq < $seq");
        departed.Parameters.Add("$lane", row.Lane);
        departed.Parameters.Add("$head", headSeq);
        departed.Parameters.Add("$seq", row.LaneSeq);
        return row.LaneSeq - headSeq - (long)departed.ExecuteScalar()! + 1;
    }
}
