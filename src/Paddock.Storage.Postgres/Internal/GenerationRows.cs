using Npgsql;
using Paddock.Core.Engines;
using Paddock.Core.Generations;

namespace Paddock.Storage.Postgres.Internal;

/// <summary>
/// A generation as read, with what only the store needs: its place in enqueue order (the cursor's key), and every claim
/// it has had (<paramref name="Claims"/>, the lease's fencing token, which only grows; the row shows the claims that
/// count, without those handed back on shutdown).
/// </summary>
internal readonly record struct GenerationRow(Generation Generation, long Position, int Claims);

/// <summary>The generations table's columns (as <c>g</c>) and how a row becomes a <see cref="Generation"/>.</summary>
internal static class GenerationRows
{
    public const string Columns =
        "g.id, g.namespace, g.model, g.media_type, g.status, g.parameters, g.enqueued_at, g.started_at, g.completed_at, " +
        "g.error_message, g.output_key, g.progress_phase, g.progress_percent, g.progress_eta, g.attempt, " +
        "g.error_type, g.error_code, g.status_message, g.retries, g.retry_at, g.remote_job, g.remote_cancel, g.pos, g.handed_back, g.trace_parent, g.pinned, g.expired_at";

    /// <summary>The ordinal of the first column a query adds after <see cref="Columns"/>.</summary>
    public const int NextOrdinal = 27;

    /// <summary>
    /// The row's version (<see cref="Generation.Version"/>): the id of the transaction that wrote it, which every write of
    /// a row changes (PostgreSQL writes each update as a new row version stamped with its transaction). Selected by reads
    /// only, after <see cref="QueuePosition"/>; freezing keeps the value (it sets a flag, PostgreSQL 9.4 and later).
    /// </summary>
    public const string Version = "g.xmin::text::bigint";

    /// <summary>
    /// A queued row's 1-based position in its lane (1 = claimed next) under the fairness rule (<see cref="Paddock.Core.Queue.FairQueue"/>),
    /// as an expression over <c>g</c>: its rank in its sub-lane (its distance from the sub-lane's oldest queued row, less
    /// the rows between them that left the queue out of order: two index seeks), plus every queued row of a higher
    /// priority in the lane, plus for each other sub-lane of its priority min(queued, rank - 1) and one more when that
    /// sub-lane's turn comes first and it still has rank rows: one range of <c>queue_lanes</c>. Null for other rows.
    /// </summary>
    public const string QueuePosition = """
        CASE WHEN g.status = 'queued' THEN (
            SELECT r.rank + COALESCE((
                SELECT SUM(CASE WHEN t.priority > g.priority THEN t.queued
                                ELSE LEAST(t.queued, r.rank - 1)
                                     + CASE WHEN t.queued >= r.rank
                                             AND (t.last_turn < o.last_turn OR (t.last_turn = o.last_turn AND t.namespace COLLATE "C" < g.namespace COLLATE "C"))
                                            THEN 1 ELSE 0 END
                           END)
                FROM queue_lanes t
                WHERE t.lane = g.lane AND t.queued > 0 AND t.priority >= g.priority
                  AND NOT (t.priority = g.priority AND t.namespace = g.namespace)), 0)
            FROM (SELECT CASE WHEN g.lane_seq <= h.head THEN 1
                              ELSE g.lane_seq - h.head + 1 - (
                                  SELECT COUNT(*) FROM generations d
                                  WHERE d.lane = g.lane AND d.priority = g.priority AND d.namespace = g.namespace
                                    AND d.status <> 'queued' AND d.lane_seq >= h.head AND d.lane_seq < g.lane_seq)
                         END AS rank
                  FROM (SELECT COALESCE(MIN(q.lane_seq), g.lane_seq) AS head FROM generations q
                        WHERE q.lane = g.lane AND q.priority = g.priority AND q.namespace = g.namespace AND q.status = 'queued') h) r
            LEFT JOIN queue_lanes o ON o.lane = g.lane AND o.priority = g.priority AND o.namespace = g.namespace)
        END
        """;

    /// <summary>Reads a row selected as <see cref="Columns"/>, with its queue position at <paramref name="positionOrdinal"/> when given.</summary>
    public static GenerationRow Read(NpgsqlDataReader reader, int? positionOrdinal = null, int? versionOrdinal = null)
    {
        var statusText = reader.GetString(4);
        if (!GenerationStatusNames.TryParse(statusText, out var status))
            throw new InvalidDataException($"Unknown generation status '{statusText}' in the database.");

        var phase = NullableString(reader, 11);
        var progress = phase is null
            ? null
            : new GenerationProgress(phase, reader.IsDBNull(12) ? 0 : reader.GetInt32(12), reader.IsDBNull(13) ? null : reader.GetInt32(13));

        var claims = reader.GetInt32(14);
        var generation = new Generation(
            Id: reader.GetGuid(0),
            Namespace: reader.GetString(1),
            Model: reader.GetString(2),
            MediaType: reader.GetString(3),
            Status: status,
            Parameters: reader.GetString(5),
            EnqueuedAt: Time(reader, 6),
            StartedAt: NullableTime(reader, 7),
            CompletedAt: NullableTime(reader, 8),
            ErrorMessage: NullableString(reader, 9),
            OutputKey: NullableString(reader, 10),
            Progress: progress,
            // Attempts handed back on a graceful stop do not count (against MaxAttempts, or on the row).
            Attempt: claims - reader.GetInt32(23),
            QueuePosition: positionOrdinal is { } p && !reader.IsDBNull(p) ? reader.GetInt64(p) : null,
            ErrorType: FailureKinds.FromWire(NullableString(reader, 15)),
            ErrorCode: NullableString(reader, 16),
            StatusMessage: NullableString(reader, 17),
            Retries: reader.GetInt32(18),
            RetryAt: NullableTime(reader, 19),
            RemoteJob: RemoteJob.FromJson(NullableString(reader, 20)),
            RemoteCancel: NullableString(reader, 21) switch
            {
                "pending" => RemoteCancelState.Pending,
                "cancelled" => RemoteCancelState.Cancelled,
                "refused" => RemoteCancelState.Refused,
                _ => null,
            },
            TraceParent: NullableString(reader, 24),
            Pinned: reader.GetBoolean(25),
            ExpiredAt: NullableTime(reader, 26),
            Version: versionOrdinal is { } v ? reader.GetInt64(v) : 0);
        return new GenerationRow(generation, reader.GetInt64(22), claims);
    }

    public static List<GenerationRow> ReadAll(NpgsqlCommand command, int? positionOrdinal = null)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<GenerationRow>();
        while (reader.Read())
            rows.Add(Read(reader, positionOrdinal));
        return rows;
    }

    public static async Task<List<GenerationRow>> ReadAllAsync(NpgsqlCommand command, int? positionOrdinal, CancellationToken ct, int? versionOrdinal = null)
    {
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<GenerationRow>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            rows.Add(Read(reader, positionOrdinal, versionOrdinal));
        return rows;
    }

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset Time(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}

/// <summary>How values are bound: times in UTC (timestamptz takes no other offset), nulls as database nulls.</summary>
internal static class PostgresValues
{
    public static NpgsqlParameter Bind(this NpgsqlParameterCollection parameters, string name, object? value) =>
        parameters.AddWithValue(name, value switch
        {
            null => DBNull.Value,
            DateTimeOffset time => time.ToUniversalTime(),
            _ => value,
        });
}
