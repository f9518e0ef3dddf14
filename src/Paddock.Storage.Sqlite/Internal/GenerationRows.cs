using Microsoft.Data.Sqlite;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Queue;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// A generation as read, with what only the store needs: its rowid (the tie-break of enqueue order), every claim it has
/// had (<paramref name="Claims"/>, the lease's fencing token, which only grows; the row shows the claims that count,
/// without those handed back on shutdown), and its place in its sub-lane (lane, priority, namespace).
/// </summary>
internal readonly record struct GenerationRow(Generation Generation, long RowId, long EnqueuedAtMilliseconds, int Claims, string Lane, long LaneSeq, int Priority);

/// <summary>The generations table's columns and how a row becomes a <see cref="Generation"/>.</summary>
internal static class GenerationRows
{
    public const string Columns =
        "id, namespace, model, media_type, status, parameters, enqueued_at, started_at, completed_at, " +
        "error_message, output_key, progress_phase, progress_percent, progress_eta, attempt, " +
        "error_type, error_code, status_message, retries, retry_at, remote_job, remote_cancel, lane, lane_seq, rowid, handed_back, trace_parent, priority, pinned, expired_at";

    /// <summary>The ordinal of the first column a query adds after <see cref="Columns"/>.</summary>
    public const int NextOrdinal = 30;

    /// <summary>
    /// <see cref="Columns"/> and the row's version (schema 14), at <see cref="NextOrdinal"/>: what a read (not a write)
    /// selects, so the row it makes carries its <see cref="Generation.Version"/>. A write's RETURNING would give the
    /// version from before the statement's trigger, so writes select <see cref="Columns"/> alone (version 0: unknown).
    /// </summary>
    public const string ColumnsWithVersion = Columns + ", version";

    /// <summary>Reads a row selected as <see cref="Columns"/>.</summary>
    public static GenerationRow Read(SqliteDataReader reader) => Read(new ReaderColumns(reader));

    /// <summary>Reads a row selected as <see cref="ColumnsWithVersion"/>, one native call per value (<see cref="RowStatement"/>).</summary>
    public static GenerationRow Read(RowStatement statement) => Read<RowStatement>(statement, withVersion: true);

    /// <summary>
    /// Reads the rows of a statement selecting <see cref="ColumnsWithVersion"/>, at most <paramref name="limit"/> of them:
    /// a row whose id and version <paramref name="cache"/> holds is taken from it after reading those two values alone;
    /// any other is read whole and kept.
    /// </summary>
    public static List<GenerationRow> ReadAll(RowStatement statement, RowCache cache, int limit = int.MaxValue) =>
        statement.Rows(limit, row =>
        {
            var version = row.Int64(NextOrdinal);
            var id = row.Id(0);
            if (cache.TryGet(id, version, out var known)) return known;
            var read = Read(row);
            cache.Keep(read);
            return read;
        });

    private static GenerationRow Read<TColumns>(TColumns row, bool withVersion = false) where TColumns : IRowColumns
    {
        var statusText = row.Text(4);
        if (!GenerationStatusNames.TryParse(statusText, out var status))
            throw new InvalidDataException($"Unknown generation status '{statusText}' in the database.");

        var phase = row.NullableText(11);
        var progress = phase is null
            ? null
            : new GenerationProgress(phase, row.IsNull(12) ? 0 : row.Int32(12), row.IsNull(13) ? null : row.Int32(13));

        var enqueuedAt = row.Int64(6);
        var claims = row.Int32(14);
        var generation = new Generation(
            Id: Guid.Parse(row.Text(0)),
            Namespace: row.Text(1),
            Model: row.Text(2),
            MediaType: row.Text(3),
            Status: status,
            Parameters: row.Text(5),
            EnqueuedAt: SqliteValues.FromUnixMilliseconds(enqueuedAt),
            StartedAt: Time(row.NullableInt64(7)),
            CompletedAt: Time(row.NullableInt64(8)),
            ErrorMessage: row.NullableText(9),
            OutputKey: row.NullableText(10),
            Progress: progress,
            // Attempts handed back on a graceful stop do not count (against MaxAttempts, or on the row).
            Attempt: claims - row.Int32(25),
            ErrorType: FailureKinds.FromWire(row.NullableText(15)),
            ErrorCode: row.NullableText(16),
            StatusMessage: row.NullableText(17),
            Retries: row.Int32(18),
            RetryAt: Time(row.NullableInt64(19)),
            RemoteJob: RemoteJob.FromJson(row.NullableText(20)),
            RemoteCancel: row.NullableText(21) switch
            {
                "pending" => RemoteCancelState.Pending,
                "cancelled" => RemoteCancelState.Cancelled,
                "refused" => RemoteCancelState.Refused,
                _ => null,
            },
            TraceParent: row.NullableText(26),
            Pinned: row.Int64(28) != 0,
            ExpiredAt: Time(row.NullableInt64(29)),
            Version: withVersion ? row.Int64(NextOrdinal) : 0);
        return new GenerationRow(generation, row.Int64(24), enqueuedAt, claims, row.Text(22), row.Int64(23), row.Int32(27));
    }

    private static DateTimeOffset? Time(long? unixMilliseconds) =>
        unixMilliseconds is { } ms ? SqliteValues.FromUnixMilliseconds(ms) : null;

    public static List<GenerationRow> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<GenerationRow>();
        while (reader.Read())
            rows.Add(Read(reader));
        return rows;
    }

    /// <summary>A data reader's row seen through <see cref="IRowColumns"/>.</summary>
    private readonly struct ReaderColumns(SqliteDataReader reader) : IRowColumns
    {
        public bool IsNull(int column) => reader.IsDBNull(column);
        public long Int64(int column) => reader.GetInt64(column);
        public int Int32(int column) => reader.GetInt32(column);
        public string Text(int column) => reader.GetString(column);
        public string? NullableText(int column) => reader.GetNullableString(column);
        public long? NullableInt64(int column) => reader.GetNullableInt64(column);
    }

    /// <summary>
    /// The 1-based position of a queued row in its lane (1 = claimed next) under the fairness rule (<see cref="FairQueue"/>):
    /// its rank in its sub-lane (<see cref="Rank"/>) and the lane's sub-lanes. Must run in the caller's snapshot.
    /// Cost grows with the namespaces waiting in the lane, not with the length of the queue.
    /// </summary>
    public static long QueuePosition(SqliteReadContext connection, GenerationRow row) =>
        FairQueue.Position(Rank(connection, row), row.Generation.Namespace, row.Priority, LaneTurns(connection, row.Lane));

    /// <summary>The lane's sub-lanes that have queued rows: one range of the small <c>queue_lanes</c> table.</summary>
    public static List<QueueTurn> LaneTurns(SqliteReadContext connection, string lane)
    {
        var statement = connection.Statement("SELECT namespace, priority, queued, last_turn FROM queue_lanes WHERE lane = $lane AND queued > 0");
        statement.Bind("$lane", lane);
        return statement.Rows(row => new QueueTurn(row.Text(0), row.Int32(1), row.Int64(2), row.Int64(3)));
    }

    /// <summary>
    /// The 1-based rank of a queued row in its sub-lane: its distance to the sub-lane's oldest queued row less the rows
    /// between them that left the queue out of order. One statement: the head is a seek into the sub-lane's queued rows,
    /// the departed rows an index range counted only when the row is not the head itself.
    /// </summary>
    public static long Rank(SqliteReadContext connection, GenerationRow row)
    {
        var rank = connection.Statement("""
            SELECT head, CASE WHEN head < $seq THEN (
                       SELECT COUNT(*) FROM generations
                       WHERE lane = $lane AND priority = $priority AND namespace = $namespace AND status <> 'queued' AND lane_seq >= head AND lane_seq < $seq)
                   ELSE 0 END
            FROM (SELECT MIN(lane_seq) AS head FROM generations WHERE lane = $lane AND priority = $priority AND namespace = $namespace AND status = 'queued')
            """);
        rank.Bind("$lane", row.Lane);
        rank.Bind("$priority", row.Priority);
        rank.Bind("$namespace", row.Generation.Namespace);
        rank.Bind("$seq", row.LaneSeq);
        try
        {
            // No queued head in the snapshot: the row is the only one (as a rank counted from the row itself would say).
            if (!rank.Step() || rank.IsNull(0)) return 1;
            var head = rank.Int64(0);
            return row.LaneSeq <= head ? 1 : row.LaneSeq - head + 1 - rank.Int64(1);
        }
        finally
        {
            rank.Reset();
        }
    }

    /// <summary>
    /// The rank of a queued row from that of an older queued row of the same sub-lane: one more for each number between
    /// them, less the rows between them that left the queue (none to count when the numbers are adjacent, as a page of
    /// rows enqueued one after another has them). Must run in the snapshot that gave <paramref name="olderRank"/>.
    /// </summary>
    public static long RankAfter(SqliteReadContext connection, GenerationRow older, long olderRank, GenerationRow row)
    {
        var gap = row.LaneSeq - older.LaneSeq;
        return gap <= 1 ? olderRank + gap : olderRank + gap - Departed(connection, row, older.LaneSeq + 1);
    }

    /// <summary>The rows of the row's sub-lane numbered from <paramref name="fromSeq"/> up to the row's own that are no longer queued (an index range).</summary>
    private static long Departed(SqliteReadContext connection, GenerationRow row, long fromSeq)
    {
        var departed = connection.Statement("""
            SELECT COUNT(*) FROM generations
            WHERE lane = $lane AND priority = $priority AND namespace = $namespace AND status <> 'queued' AND lane_seq >= $head AND lane_seq < $seq
            """);
        departed.Bind("$lane", row.Lane);
        departed.Bind("$priority", row.Priority);
        departed.Bind("$namespace", row.Generation.Namespace);
        departed.Bind("$head", fromSeq);
        departed.Bind("$seq", row.LaneSeq);
        return departed.ScalarInt64() ?? 0;
    }
}
