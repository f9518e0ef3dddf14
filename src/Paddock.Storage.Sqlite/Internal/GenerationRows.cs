using Microsoft.Data.Sqlite;
using Paddock.Core.Generations;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// A generation as read, with what only the store needs: its rowid (the tie-break of enqueue order) and every claim
/// it has had (<paramref name="Claims"/>, the lease's fencing token, which only grows; the row shows the claims that
/// count, without those handed back on shutdown).
/// </summary>
internal readonly record struct GenerationRow(Generation Generation, long RowId, long EnqueuedAtMilliseconds, int Claims);

/// <summary>The generations table's columns and how a row becomes a <see cref="Generation"/>.</summary>
internal static class GenerationRows
{
    public const string Columns =
        "id, namespace, model, media_type, status, parameters, enqueued_at, started_at, completed_at, " +
        "error_message, output_key, progress_phase, progress_percent, progress_eta, attempt, rowid, handed_back";

    /// <summary>
    /// Rows ahead of a queued row (<c>$enqueued_at</c>, <c>$rowid</c>) in claim order, in every
    /// namespace: the bound on enqueued_at keeps the count a range scan of the claim index.
    /// </summary>
    public const string CountQueuedAheadSql = """
        SELECT COUNT(*) FROM generations
        WHERE status = 'queued' AND enqueued_at <= $enqueued_at AND (enqueued_at < $enqueued_at OR rowid < $rowid)
        """;

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
            Attempt: claims - reader.GetInt32(16));
        return new GenerationRow(generation, reader.GetInt64(15), enqueuedAt, claims);
    }

    public static List<GenerationRow> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<GenerationRow>();
        while (reader.Read())
            rows.Add(Read(reader));
        return rows;
    }

    /// <summary>The 1-based position of a queued row (1 = claimed next); must run in the caller's snapshot.</summary>
    public static long QueuePosition(SqliteConnection connection, SqliteTransaction transaction, GenerationRow row)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = CountQueuedAheadSql;
        command.Parameters.Add("$enqueued_at", row.EnqueuedAtMilliseconds);
        command.Parameters.Add("$rowid", row.RowId);
        return (long)command.ExecuteScalar()! + 1;
    }
}
