using System.Text;
using Microsoft.Data.Sqlite;
using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Paddock.Core.Quotas;
using Paddock.Core.Retention;
using Paddock.Storage.Sqlite.Internal;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite;

/// <summary>
/// The generation queue in the <c>generations</c> table; obtained from <see cref="SqliteStore.Generations"/>.
/// Every change runs in the store's single writer, so a claim's "find the oldest queued row and take
/// it" cannot race another claim; every time comes from the store's <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Progress describes running work: it is cleared whenever a row leaves processing.
/// </remarks>
public sealed class SqliteGenerationStore : IGenerationStore
{
    private const string InsertSql = """
        INSERT INTO generations (id, namespace, model, media_type, status, parameters, enqueued_at,
                                 lane, lane_seq, trace_parent, priority, api_key_id, resolution, video_seconds)
        VALUES ($id, $namespace, $model, $media_type, 'queued', $parameters, $enqueued_at,
                $lane, $lane_seq, $trace_parent, $priority, $api_key_id, $resolution, $video_seconds)
        """;

    /// <summary>
    /// The next number of a sub-lane (dense: the writer is the only one to give them). A new sub-lane's turn is a
    /// newcomer's: below every turn a claim gives (those are positive), after the newcomers before it.
    /// </summary>
    private const string NextLaneSeqSql = """
        INSERT INTO queue_lanes (lane, priority, namespace, last_seq, last_turn)
        VALUES ($lane, $priority, $namespace, 1,
                COALESCE((SELECT MAX(last_turn) FROM queue_lanes WHERE last_turn < 0) + 1, -4611686018427387904))
        ON CONFLICT (lane, priority, namespace) DO UPDATE SET last_seq = last_seq + 1
        RETURNING last_seq
        """;

    /// <summary>
    /// Sub-lanes with queued rows in the order they take turns (<see cref="FairQueue"/>), across lanes, a page at a time
    /// (the first sub-lane almost always has a claimable row; a worker for some models may need to look further).
    /// </summary>
    private const string TurnOrderSql = """
        SELECT lane, priority, namespace FROM queue_lanes WHERE queued > 0
        ORDER BY priority DESC, last_turn, namespace
        LIMIT $limit OFFSET $offset
        """;

    private const int TurnPage = 16;

    /// <summary>A sub-lane's oldest claimable row; <c>{0}</c> is the filter of models and of keys at their running limit (empty, or <c>AND ...</c>).</summary>
    private const string SubLaneHeadSqlFormat = """
        SELECT rowid FROM generations
        WHERE lane = $lane AND priority = $priority AND namespace = $namespace AND status = 'queued'
          AND (retry_at IS NULL OR retry_at <= $now){0}
        ORDER BY lane_seq LIMIT 1
        """;

    private const string ClaimSqlFormat = """
        UPDATE generations
        SET status = 'processing', attempt = attempt + 1, lease_owner = $worker, lease_expires_at = $expires_at,
            started_at = COALESCE(started_at, $now), retry_at = NULL, status_message = NULL
        WHERE rowid = $rowid
        RETURNING {0}
        """;

    /// <summary>The claimed sub-lane's turn moves to the end.</summary>
    private const string TakeTurnSql = """
        UPDATE queue_lanes SET last_turn = MAX(1, (SELECT MAX(last_turn) + 1 FROM queue_lanes))
        WHERE lane = $lane AND priority = $priority AND namespace = $namespace
        """;

    /// <summary>The fence of every write by a lease holder: still processing, same worker, same attempt, not expired.</summary>
    private const string LeaseHeld =
        "id = $id AND status = 'processing' AND lease_owner = $worker AND attempt = $attempt AND lease_expires_at > $now";

    private const string HeartbeatSql = $"UPDATE generations SET lease_expires_at = $expires_at WHERE {LeaseHeld}";

    private const string HeartbeatWithProgressSql = $"""
        UPDATE generations
        SET lease_expires_at = $expires_at, progress_phase = $phase, progress_percent = $percent, progress_eta = $eta
        WHERE {LeaseHeld}
        """;

    private const string FinishSql = $"""
        UPDATE generations
        SET status = $status, completed_at = $now, output_key = $output_key, error_message = $error_message,
            error_type = $error_type, error_code = $error_code, status_message = NULL,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE {LeaseHeld}
        """;

    private const string RetryLaterSql = $"""
        UPDATE generations
        SET status = 'queued', retries = retries + 1, retry_at = $retry_at, status_message = $status_message,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE {LeaseHeld}
        """;

    private const string CheckpointSql = $"UPDATE generations SET remote_job = $remote_job WHERE {LeaseHeld}";

    /// <summary>
    /// A job recorded by the attempt that was running when its row was cancelled: kept, and marked to be cancelled. The
    /// row may hold that attempt's own "about to submit" note (a job without an id): the real id replaces it.
    /// </summary>
    private const string CheckpointAfterCancelSql = """
        UPDATE generations SET remote_job = $remote_job, remote_cancel = 'pending'
        WHERE id = $id AND status = 'cancelled' AND attempt = $attempt
          AND (remote_job IS NULL OR json_extract(remote_job, '$.id') IS NULL)
        """;

    /// <summary>Another row that records the same remote job (rare: only a resume that lost its task id asks).</summary>
    private const string RemoteJobRecordedSql = """
        SELECT EXISTS (SELECT 1 FROM generations
                       WHERE remote_job IS NOT NULL AND id <> $except
                         AND json_extract(remote_job, '$.backend') = $backend AND json_extract(remote_job, '$.id') = $remote_id)
        """;

    private const string PendingRemoteCancelsSql = """
        SELECT id, namespace, remote_job FROM generations
        WHERE remote_cancel = 'pending'
        ORDER BY completed_at
        LIMIT $limit
        """;

    private const string RecordRemoteCancelSql = """
        UPDATE generations SET remote_cancel = $state, status_message = $message
        WHERE id = $id AND remote_cancel = 'pending'
        """;

    private const string StatusSql = "SELECT namespace, status FROM generations WHERE id = $id";

    private const string CancelSql = """
        UPDATE generations
        SET status = 'cancelled', completed_at = $now, retry_at = NULL, status_message = NULL,
            remote_cancel = CASE WHEN json_extract(remote_job, '$.id') IS NOT NULL THEN 'pending' END,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE id = $id AND status IN ('queued', 'processing')
        """;

    private const string ExpiredSql = $"""
        SELECT {GenerationRows.Columns} FROM generations
        WHERE status = 'processing' AND lease_expires_at <= $now
        ORDER BY lease_expires_at
        """;

    private const string RequeueSql = """
        UPDATE generations
        SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE rowid = $rowid
        """;

    private const string ReleaseSql = $"""
        UPDATE generations
        SET status = 'queued', handed_back = handed_back + 1,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE {LeaseHeld}
        """;

    private const string GiveUpSql = """
        UPDATE generations
        SET status = 'failed', completed_at = $now, error_message = $error_message, error_type = 'engine_error', error_code = NULL,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE rowid = $rowid
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Rows as the reads last made them, by id and version: a page's unchanged rows are not read and built again.</summary>
    private readonly RowCache _read = new();

    internal SqliteGenerationStore(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public Task EnqueueAsync(IReadOnlyList<NewGeneration> generations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generations);
        foreach (var generation in generations)
            Validate(generation);
        if (generations.Count == 0)
            return Task.CompletedTask;

        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            foreach (var generation in generations)
                Insert(context, generation, now);
            return generations.Count;
        }, cancellationToken);
    }

    public Task<EnqueueOutcome> EnqueueOnceAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return EnqueueCheckedAsync(generations, claim, admission: null, cancellationToken);
    }

    public Task<EnqueueOutcome> EnqueueAdmittedAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim? claim, AdmissionCheck admission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(admission);
        return EnqueueCheckedAsync(generations, claim, admission, cancellationToken);
    }

    /// <summary>The idempotency key first (a repeat replays), then the admission check, then the rows: one transaction in the one writer.</summary>
    private Task<EnqueueOutcome> EnqueueCheckedAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim? claim, AdmissionCheck? admission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(generations);
        foreach (var generation in generations)
            Validate(generation);

        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            if (claim is not null)
            {
                // Forget a few expired keys on every call, so the table stays as large as one day of keys.
                var purge = context.CommandLeavingCountsPending("DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE expires_at <= $now LIMIT 100)");
                purge.Parameters.Add("$now", now);
                purge.ExecuteNonQuery();

                var find = context.CommandLeavingCountsPending("SELECT fingerprint, generation_ids FROM idempotency_keys WHERE namespace = $ns AND key = $key");
                find.Parameters.Add("$ns", claim.Namespace);
                find.Parameters.Add("$key", claim.Key);
                using var reader = find.ExecuteReader();
                if (reader.Read())
                {
                    var ids = reader.GetString(1).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
                    return new EnqueueOutcome(reader.GetString(0) == claim.Fingerprint ? IdempotencyResult.Replayed : IdempotencyResult.Conflict, ids);
                }
            }

            if (admission?.Invoke(new SqliteAdmissionReader(context)) is { } refusal)
                return new EnqueueOutcome(IdempotencyResult.Refused, [], refusal);

            foreach (var generation in generations)
                Insert(context, generation, now);
            if (claim is not null)
            {
                var remember = context.CommandLeavingCountsPending("INSERT INTO idempotency_keys (namespace, key, fingerprint, generation_ids, expires_at) VALUES ($ns, $key, $fingerprint, $ids, $expires)");
                remember.Parameters.Add("$ns", claim.Namespace);
                remember.Parameters.Add("$key", claim.Key);
                remember.Parameters.Add("$fingerprint", claim.Fingerprint);
                remember.Parameters.Add("$ids", string.Join(',', generations.Select(g => SqliteValues.IdText(g.Id))));
                remember.Parameters.Add("$expires", SqliteValues.ToUnixMilliseconds(claim.ExpiresAt));
                remember.ExecuteNonQuery();
            }
            return new EnqueueOutcome(IdempotencyResult.Created, generations.Select(g => g.Id).ToList());
        }, cancellationToken);
    }

    public Task<Generation?> GetAsync(string ns, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return _database.ReadAsync(connection =>
        {
            // One snapshot for the row and its queue position.
            using var snapshot = connection.BeginSnapshot();
            var statement = connection.Statement($"SELECT {GenerationRows.ColumnsWithVersion} FROM generations WHERE id = $id AND namespace = $namespace");
            statement.Bind("$id", SqliteValues.IdText(id));
            statement.Bind("$namespace", ns);
            var rows = GenerationRows.ReadAll(statement, _read);
            if (rows.Count == 0)
                return null;
            var row = rows[0];
            return row.Generation.Status == GenerationStatus.Queued
                ? row.Generation with { QueuePosition = GenerationRows.QueuePosition(connection, row) }
                : row.Generation;
        }, cancellationToken);
    }

    /// <summary>
    /// Rows of the query's namespace, newest first. A null or empty <see cref="GenerationQuery.Statuses"/> means every
    /// status. Queued rows carry their position in their lane (1 = claimed next). The total comes from the counters the
    /// triggers keep; the rows from one index range per status (merged newest first), never a sort of the namespace.
    /// </summary>
    public Task<IReadOnlyDictionary<string, long>> CountQueuedByModelAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyDictionary<string, long>>(connection =>
        {
            var command = connection.Command("SELECT model, SUM(count) FROM generation_counts WHERE status = 'queued' GROUP BY model HAVING SUM(count) > 0");
            using var reader = command.ExecuteReader();
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
            return counts;
        }, cancellationToken);

    public Task<IReadOnlyList<StatusCount>> CountByStatusAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<StatusCount>>(connection =>
        {
            var command = connection.Command("""
                SELECT namespace, model, status, SUM(count) FROM generation_counts
                GROUP BY namespace, model, status HAVING SUM(count) > 0
                ORDER BY namespace, model, status
                """);
            using var reader = command.ExecuteReader();
            var counts = new List<StatusCount>();
            while (reader.Read()) counts.Add(new StatusCount(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            return counts;
        }, cancellationToken);

    public Task<DateTimeOffset?> OldestQueuedAsync(string ns, string model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(model);
        return _database.ReadAsync(connection =>
        {
            // Walks ix_generations_namespace_status from the namespace's oldest queued row; stops at the first of the model.
            var command = connection.Command("""
                SELECT enqueued_at FROM generations INDEXED BY ix_generations_namespace_status
                WHERE namespace = $namespace AND status = 'queued' AND model = $model
                ORDER BY enqueued_at LIMIT 1
                """);
            command.Parameters.Add("$namespace", ns);
            command.Parameters.Add("$model", model);
            return command.ExecuteScalar() is long at ? SqliteValues.FromUnixMilliseconds(at) : (DateTimeOffset?)null;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WorkerLoad>> ProcessingByWorkerAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<WorkerLoad>>(connection =>
        {
            // ix_generations_lease starts with status: only the processing rows are read.
            var command = connection.Command("""
                SELECT COALESCE(lease_owner, ''), COUNT(*) AS n FROM generations WHERE status = 'processing'
                GROUP BY lease_owner ORDER BY n DESC, lease_owner
                """);
            using var reader = command.ExecuteReader();
            var loads = new List<WorkerLoad>();
            while (reader.Read()) loads.Add(new WorkerLoad(reader.GetString(0), reader.GetInt64(1)));
            return loads;
        }, cancellationToken);

    public Task<GenerationPage> QueryAsync(GenerationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Namespace);
        var after = query.After is null ? ((long At, long RowId)?)null : ParseCursor(query.After);

        return _database.ReadAsync(connection =>
        {
            using var snapshot = connection.BeginSnapshot();
            var place = query.AfterId is { } afterId ? PlaceOf(connection, query.Namespace, afterId) : after;
            var total = CountMatching(connection, query);
            if (query.Limit <= 0 || total == 0)
                return new GenerationPage([], total);

            // Each status is one range of (namespace, status, enqueued_at); several are merged in order rather than sorted.
            IReadOnlyList<string?> statuses = query.Statuses is { Count: > 0 } s ? s.Select(x => (string?)x.ToWire()).Distinct().ToList() : [null];
            var wanted = Math.Max(0, query.Offset) + query.Limit + 1;
            var ranges = new List<List<GenerationRow>>(statuses.Count);
            foreach (var status in statuses)
                ranges.Add(ReadRange(connection, query, status, place, wanted, _read));
            var page = Merge(ranges, query.OldestFirst, Math.Max(0, query.Offset), query.Limit + 1);
            var more = page.Count > query.Limit;
            if (more) page.RemoveAt(page.Count - 1);
            var next = more ? Cursor(page[^1]) : null;
            return new GenerationPage(WithQueuePositions(connection, page), total, next);
        }, cancellationToken);
    }

    /// <summary>
    /// The rows of several ranges, each already in the page's order, merged in that order (a row's place is its
    /// enqueued_at, then its rowid): <paramref name="count"/> rows after the first <paramref name="skip"/>. No sort.
    /// </summary>
    private static List<GenerationRow> Merge(List<List<GenerationRow>> ranges, bool oldestFirst, int skip, int count)
    {
        var next = new int[ranges.Count];
        var page = new List<GenerationRow>(Math.Min(count, 1024));
        while (page.Count < count)
        {
            var pick = -1;
            for (var r = 0; r < ranges.Count; r++)
            {
                if (next[r] < ranges[r].Count && (pick < 0 || Precedes(ranges[r][next[r]], ranges[pick][next[pick]], oldestFirst)))
                    pick = r;
            }
            if (pick < 0) break;
            var row = ranges[pick][next[pick]++];
            if (skip > 0) skip--;
            else page.Add(row);
        }
        return page;
    }

    private static bool Precedes(GenerationRow a, GenerationRow b, bool oldestFirst)
    {
        var order = a.EnqueuedAtMilliseconds != b.EnqueuedAtMilliseconds
            ? a.EnqueuedAtMilliseconds.CompareTo(b.EnqueuedAtMilliseconds)
            : a.RowId.CompareTo(b.RowId);
        return oldestFirst ? order < 0 : order > 0;
    }

    private static long CountMatching(SqliteReadContext connection, GenerationQuery query)
    {
        var parameters = new List<(string Name, object Value)>();
        var where = new StringBuilder("namespace = $namespace");
        parameters.Add(("$namespace", query.Namespace));
        if (query.Statuses is { Count: > 0 } statuses)
        {
            where.Append(" AND status IN (").Append(string.Join(", ", statuses.Select((_, i) => "$status" + i))).Append(')');
            for (var i = 0; i < statuses.Count; i++) parameters.Add(("$status" + i, statuses[i].ToWire()));
        }
        if (query.Model is not null)
        {
            where.Append(" AND model = $model");
            parameters.Add(("$model", query.Model));
        }
        if (query.MediaType is not null)
        {
            where.Append(" AND media_type = $media_type");
            parameters.Add(("$media_type", query.MediaType));
        }
        return (long)Prepared(connection, $"SELECT COALESCE(SUM(count), 0) FROM generation_counts WHERE {where}", parameters).ExecuteScalar()!;
    }

    /// <summary>A row's place in the order, as a cursor holds it; the namespace must have the row.</summary>
    private static (long At, long RowId) PlaceOf(SqliteReadContext connection, string ns, Guid id)
    {
        var command = connection.Command("SELECT enqueued_at, rowid FROM generations WHERE id = $id AND namespace = $namespace");
        command.Parameters.Add("$id", SqliteValues.IdText(id));
        command.Parameters.Add("$namespace", ns);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : throw new InvalidCursorException($"no generation {id} in this namespace to continue after");
    }

    private static List<GenerationRow> ReadRange(
        SqliteReadContext connection, GenerationQuery query, string? status, (long At, long RowId)? after, int limit, RowCache cache)
    {
        var parameters = new List<(string Name, object Value)>();
        var where = new StringBuilder("namespace = $namespace");
        parameters.Add(("$namespace", query.Namespace));
        if (status is not null)
        {
            // The status as a literal (one of the few wire names, never user text), not a parameter: SQLite weighs a
            // parameter against the partial indexes' status predicates by peeking at its value, and a statement so
            // planned is parsed and planned again whenever the value bound changes, as it does between the ranges of
            // one page and between pages. One prepared statement per status keeps its plan.
            where.Append(" AND status = '").Append(status).Append('\'');
        }
        if (query.Model is not null)
        {
            where.Append(" AND model = $model");
            parameters.Add(("$model", query.Model));
        }
        if (query.MediaType is not null)
        {
            where.Append(" AND media_type = $media_type");
            parameters.Add(("$media_type", query.MediaType));
        }
        if (after is { } cursor)
        {
            var beyond = query.OldestFirst ? ">" : "<";
            where.Append($" AND (enqueued_at {beyond} $after_at OR (enqueued_at = $after_at AND rowid {beyond} $after_rowid))");
            parameters.Add(("$after_at", cursor.At));
            parameters.Add(("$after_rowid", cursor.RowId));
        }
        // No LIMIT: the range comes in index order, so reading stops after `limit` rows just as a LIMIT would stop it. A
        // bound LIMIT is a value SQLite's planner peeks at, and a statement so planned is parsed and planned again every
        // time a value is bound to it (profiled: a fifth of a page's time); a literal one would be a statement per size.
        var direction = query.OldestFirst ? "ASC" : "DESC";
        var statement = connection.Statement($"""
            SELECT {GenerationRows.ColumnsWithVersion} FROM generations
            WHERE {where}
            ORDER BY enqueued_at {direction}, rowid {direction}
            """);
        foreach (var (name, value) in parameters)
            statement.Bind(name, value);
        return GenerationRows.ReadAll(statement, cache, limit);
    }

    /// <summary>The connection's prepared command for a query built from the filters given (few combinations, each prepared once).</summary>
    private static SqliteCommand Prepared(SqliteReadContext connection, string sql, List<(string Name, object Value)> parameters)
    {
        var command = connection.Command(sql);
        foreach (var (name, value) in parameters)
            command.Parameters.Add(name, value);
        return command;
    }

    /// <summary>A page's continuation: the last row's place in the newest-first order, as an opaque token.</summary>
    private static string Cursor(GenerationRow row) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"v1:{row.EnqueuedAtMilliseconds}:{row.RowId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (long At, long RowId) ParseCursor(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length == 3 && parts[0] == "v1"
                && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var at)
                && long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rowId))
                return (at, rowId);
        }
        catch (FormatException)
        {
        }
        throw new InvalidCursorException("the cursor is not one this server gave (use next_cursor from a page, unchanged)");
    }

    public Task<CancelOutcome> CancelAsync(string ns, Guid id, EventDraft cancelledEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(cancelledEvent);

        return _database.WriteAsync(context =>
        {
            var idText = SqliteValues.IdText(id);
            var (rowNamespace, status) = NamespaceAndStatus(context, idText);
            if (rowNamespace is null || rowNamespace != ns)
                return CancelOutcome.NotFound;
            if (status.IsTerminal())
                return CancelOutcome.AlreadyTerminal;

            var now = NowMilliseconds();
            var update = context.Command(CancelSql);
            update.Parameters.Add("$id", idText);
            update.Parameters.Add("$now", now);
            update.ExecuteNonQuery();
            EventRows.Append(context, cancelledEvent, now);
            context.Cancelled(id);
            return CancelOutcome.Cancelled;
        }, cancellationToken);
    }

    /// <summary>The row's namespace and status, read in the write transaction; a null namespace when there is no such row.</summary>
    private static (string? Namespace, GenerationStatus Status) NamespaceAndStatus(SqliteWriteContext context, string idText)
    {
        var select = context.Command(StatusSql);
        select.Parameters.Add("$id", idText);
        using var reader = select.ExecuteReader();
        if (!reader.Read()) return (null, GenerationStatus.Queued);
        GenerationStatusNames.TryParse(reader.GetString(1), out var status);
        return (reader.GetString(0), status);
    }

    public Task<DeleteOutcome> DeleteAsync(string ns, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return _database.WriteAsync(context =>
        {
            var idText = SqliteValues.IdText(id);
            var (rowNamespace, status) = NamespaceAndStatus(context, idText);
            if (rowNamespace is null || rowNamespace != ns)
                return DeleteOutcome.NotFound;
            if (!status.IsTerminal())
                return DeleteOutcome.StillActive;
            // Not a row whose remote work still waits to be cancelled (the provider would go on rendering, and billing,
            // with nobody to stop it). The count trigger takes the row off its namespace's totals in the same transaction.
            var delete = context.Command("DELETE FROM generations WHERE id = $id AND (remote_cancel IS NULL OR remote_cancel <> 'pending')");
            delete.Parameters.Add("$id", idText);
            return delete.ExecuteNonQuery() == 1 ? DeleteOutcome.Deleted : DeleteOutcome.StillActive;
        }, cancellationToken);
    }

    public Task<Generation?> SetPinnedAsync(string ns, Guid id, bool pinned, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return _database.WriteAsync(context =>
        {
            var idText = SqliteValues.IdText(id);
            var update = context.Command("UPDATE generations SET pinned = $pinned WHERE id = $id AND namespace = $namespace AND expired_at IS NULL");
            update.Parameters.Add("$pinned", pinned ? 1 : 0);
            update.Parameters.Add("$id", idText);
            update.Parameters.Add("$namespace", ns);
            update.ExecuteNonQuery();
            var read = context.Command($"SELECT {GenerationRows.Columns} FROM generations WHERE id = $id AND namespace = $namespace");
            read.Parameters.Add("$id", idText);
            read.Parameters.Add("$namespace", ns);
            var rows = GenerationRows.ReadAll(read);
            return rows.Count == 0 ? null : rows[0].Generation;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ExpiredOutput>> ExpireOutputsAsync(ExpiryScope scope, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _database.WriteAsync<IReadOnlyList<ExpiredOutput>>(context =>
        {
            // One writer: the rows chosen here cannot be marked by anyone else before this transaction ends.
            var (filter, add) = ScopeFilter(scope);
            var command = context.Command($"""
                SELECT id, namespace, output_key FROM generations
                WHERE status = 'succeeded' AND pinned = 0 AND expired_at IS NULL AND completed_at <= $before{filter}
                ORDER BY completed_at LIMIT $limit
                """);
            command.Parameters.Add("$before", SqliteValues.ToUnixMilliseconds(scope.Before));
            command.Parameters.Add("$limit", limit);
            add(command);
            var expired = new List<ExpiredOutput>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                    expired.Add(new ExpiredOutput(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetNullableString(2) ?? ""));
            }
            var mark = context.Command("UPDATE generations SET expired_at = $now, output_key = NULL WHERE id = $id");
            var now = NowMilliseconds();
            foreach (var row in expired)
            {
                mark.Parameters.Clear();
                mark.Parameters.Add("$now", now);
                mark.Parameters.Add("$id", SqliteValues.IdText(row.Id));
                mark.ExecuteNonQuery();
            }
            return expired.Where(e => e.OutputKey.Length > 0).ToList();
        }, cancellationToken);
    }

    /// <summary>The SQL that limits rows to a scope's namespaces, and the parameters it needs.</summary>
    internal static (string Sql, Action<SqliteCommand> Add) ScopeFilter(ExpiryScope scope)
    {
        if (scope.Namespace is { } only)
            return (" AND namespace = $scope_ns", command => command.Parameters.Add("$scope_ns", only));
        if (scope.Except.Count == 0) return ("", _ => { });
        var names = scope.Except.ToList();
        var sql = " AND namespace NOT IN (" + string.Join(", ", names.Select((_, i) => "$except" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")";
        return (sql, command =>
        {
            for (var i = 0; i < names.Count; i++) command.Parameters.Add("$except" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), names[i]);
        });
    }

    public Task<ClaimedGeneration?> ClaimNextAsync(string workerId, TimeSpan leaseDuration, IReadOnlyCollection<string>? models = null, CancellationToken cancellationToken = default,
        RunningLimits? running = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ValidateLease(leaseDuration);
        if (models is { Count: 0 })
            return Task.FromResult<ClaimedGeneration?>(null);
        var modelList = models?.ToList();

        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            // Sub-lanes in turn order; the first with a claimable row (of the worker's models, of no key at its running
            // limit) gives it. Usually the first.
            var filter = modelList is null ? "" : " AND model IN (" + string.Join(", ", modelList.Select((_, i) => "$model" + i)) + ")";
            var busyKeys = running is null ? [] : KeysAtRunningLimit(context, running);
            if (busyKeys.Count > 0)
                filter += " AND (api_key_id IS NULL OR api_key_id NOT IN (" + string.Join(", ", busyKeys.Select((_, i) => "$busy" + i)) + "))";
            var headSql = string.Format(System.Globalization.CultureInfo.InvariantCulture, SubLaneHeadSqlFormat, filter);
            long? rowId = null;
            (string Lane, int Priority, string Namespace) taken = default;
            for (var offset = 0; rowId is null; offset += TurnPage)
            {
                var turns = new List<(string Lane, int Priority, string Namespace)>();
                var order = context.Command(TurnOrderSql);
                order.Parameters.Add("$limit", TurnPage);
                order.Parameters.Add("$offset", offset);
                using (var reader = order.ExecuteReader())
                {
                    while (reader.Read())
                        turns.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2)));
                }
                if (turns.Count == 0)
                    break;
                foreach (var turn in turns)
                {
                    if (running is not null && AtRunningLimit(context, turn.Namespace, running))
                        continue;
                    var head = context.Command(headSql);
                    for (var i = 0; modelList is not null && i < modelList.Count; i++)
                        head.Parameters.Add("$model" + i, modelList[i]);
                    for (var i = 0; i < busyKeys.Count; i++)
                        head.Parameters.Add("$busy" + i, busyKeys[i]);
                    head.Parameters.Add("$lane", turn.Lane);
                    head.Parameters.Add("$priority", turn.Priority);
                    head.Parameters.Add("$namespace", turn.Namespace);
                    head.Parameters.Add("$now", now);
                    if (head.ExecuteScalar() is long found)
                    {
                        rowId = found;
                        taken = turn;
                        break;
                    }
                }
            }
            if (rowId is null)
                return null;

            var turnTaken = context.Command(TakeTurnSql);
            turnTaken.Parameters.Add("$lane", taken.Lane);
            turnTaken.Parameters.Add("$priority", taken.Priority);
            turnTaken.Parameters.Add("$namespace", taken.Namespace);
            turnTaken.ExecuteNonQuery();

            var command = context.Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, ClaimSqlFormat, GenerationRows.Columns));
            command.Parameters.Add("$rowid", rowId.Value);
            command.Parameters.Add("$worker", workerId);
            command.Parameters.Add("$now", now);
            command.Parameters.Add("$expires_at", now + (long)leaseDuration.TotalMilliseconds);
            var rows = GenerationRows.ReadAll(command);
            if (rows.Count == 0)
                return null;
            var generation = rows[0].Generation;
            return new ClaimedGeneration(new Lease(generation.Id, workerId, rows[0].Claims), generation);
        }, cancellationToken);
    }

    /// <summary>The keys with as many rows processing as their limit: only keys with a render running are read (a few rows).</summary>
    private static IReadOnlyList<string> KeysAtRunningLimit(SqliteWriteContext context, RunningLimits running)
    {
        var command = context.Command("""
            SELECT g.api_key_id, COUNT(*), q.max_running FROM generations g LEFT JOIN quota_limits q ON q.scope = 'key:' || g.api_key_id
            WHERE g.status = 'processing' AND g.api_key_id IS NOT NULL GROUP BY g.api_key_id
            """);
        var keys = new List<(string, long, int?)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                keys.Add((reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2)));
        }
        return running.KeysAtLimit(keys);
    }

    /// <summary>Whether the namespace already has as many rows processing as its limit (counted up to the limit).</summary>
    private static bool AtRunningLimit(SqliteWriteContext context, string ns, RunningLimits running)
    {
        var stored = context.Command("SELECT max_running FROM quota_limits WHERE scope = $scope");
        stored.Parameters.Add("$scope", QuotaScope.Namespace(ns).Stored);
        if (running.For(ns, stored.ExecuteScalar() is long value ? (int)value : null) is not { } limit)
            return false;
        var count = context.Command("SELECT COUNT(*) FROM (SELECT 1 FROM generations WHERE namespace = $namespace AND status = 'processing' LIMIT $cap)");
        count.Parameters.Add("$namespace", ns);
        count.Parameters.Add("$cap", limit);
        return (long)count.ExecuteScalar()! >= limit;
    }

    public Task<LeaseState> HeartbeatAsync(Lease lease, TimeSpan leaseDuration, GenerationProgress? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ValidateLease(leaseDuration);

        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            var command = context.Command(progress is null ? HeartbeatSql : HeartbeatWithProgressSql);
            AddLease(command, lease, now);
            command.Parameters.Add("$expires_at", now + (long)leaseDuration.TotalMilliseconds);
            if (progress is not null)
            {
                command.Parameters.Add("$phase", progress.Phase);
                command.Parameters.Add("$percent", progress.Percent);
                command.Parameters.Add("$eta", progress.EtaSeconds);
            }
            if (command.ExecuteNonQuery() == 1)
                return LeaseState.Held;

            var select = context.Command(StatusSql);
            select.Parameters.Add("$id", SqliteValues.IdText(lease.GenerationId));
            using var reader = select.ExecuteReader();
            return reader.Read() && reader.GetString(1) == "cancelled" ? LeaseState.Cancelled : LeaseState.Lost;
        }, cancellationToken);
    }

    public Task<bool> CompleteAsync(Lease lease, string outputKey, EventDraft completedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputKey);
        return FinishAsync(lease, GenerationStatus.Succeeded, outputKey, failure: null, completedEvent, cancellationToken);
    }

    public Task<bool> FailAsync(Lease lease, GenerationFailure failure, EventDraft failedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(failure.Message);
        return FinishAsync(lease, GenerationStatus.Failed, outputKey: null, failure, failedEvent, cancellationToken);
    }

    public Task<bool> RetryLaterAsync(Lease lease, DateTimeOffset notBefore, string statusMessage, EventDraft requeuedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(statusMessage);
        ArgumentNullException.ThrowIfNull(requeuedEvent);
        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            var command = context.Command(RetryLaterSql);
            AddLease(command, lease, now);
            command.Parameters.Add("$retry_at", SqliteValues.ToUnixMilliseconds(notBefore));
            command.Parameters.Add("$status_message", statusMessage);
            if (command.ExecuteNonQuery() != 1)
                return false;
            EventRows.Append(context, requeuedEvent, now);
            return true;
        }, cancellationToken);
    }

    public Task<LeaseState> CheckpointAsync(Lease lease, RemoteJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(job);
        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            var command = context.Command(CheckpointSql);
            AddLease(command, lease, now);
            command.Parameters.Add("$remote_job", job.ToJson());
            if (command.ExecuteNonQuery() == 1)
                return LeaseState.Held;
            if (job.Id is null)
                return LeaseState.Lost;
            var afterCancel = context.Command(CheckpointAfterCancelSql);
            afterCancel.Parameters.Add("$id", SqliteValues.IdText(lease.GenerationId));
            afterCancel.Parameters.Add("$attempt", lease.Attempt);
            afterCancel.Parameters.Add("$remote_job", job.ToJson());
            return afterCancel.ExecuteNonQuery() == 1 ? LeaseState.Cancelled : LeaseState.Lost;
        }, cancellationToken);
    }

    public Task<bool> IsRemoteJobRecordedAsync(string backend, string remoteId, Guid exceptGenerationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(remoteId);
        return _database.ReadAsync(connection =>
        {
            // A scan of the table's remote jobs: asked only when an attempt resumes without the id its predecessor got.
                        var command = connection.Command(RemoteJobRecordedSql);
            command.Parameters.Add("$except", SqliteValues.IdText(exceptGenerationId));
            command.Parameters.Add("$backend", backend);
            command.Parameters.Add("$remote_id", remoteId);
            return (long)command.ExecuteScalar()! == 1;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<PendingRemoteCancel>> PendingRemoteCancelsAsync(IReadOnlyCollection<string> backends, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _database.ReadAsync<IReadOnlyList<PendingRemoteCancel>>(connection =>
        {
                        var command = connection.Command(PendingRemoteCancelsSql);
            // Pending cancels are few (they are carried out within seconds): filtering by backend here is cheap.
            command.Parameters.Add("$limit", limit * 8);
            using var reader = command.ExecuteReader();
            var pending = new List<PendingRemoteCancel>();
            while (reader.Read() && pending.Count < limit)
            {
                if (RemoteJob.FromJson(reader.GetNullableString(2)) is { Id: not null } job && backends.Contains(job.Backend))
                    pending.Add(new PendingRemoteCancel(Guid.Parse(reader.GetString(0)), reader.GetString(1), job));
            }
            return pending;
        }, cancellationToken);
    }

    public Task<bool> RecordRemoteCancelAsync(Guid id, RemoteCancelOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.State == RemoteCancelState.Pending)
            throw new ArgumentException("a recorded remote cancel has an outcome, not Pending", nameof(outcome));
        return _database.WriteAsync(context =>
        {
            var command = context.Command(RecordRemoteCancelSql);
            command.Parameters.Add("$id", SqliteValues.IdText(id));
            command.Parameters.Add("$state", outcome.State == RemoteCancelState.Cancelled ? "cancelled" : "refused");
            command.Parameters.Add("$message", outcome.Message);
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);
    }

    public Task<bool> ReleaseAsync(Lease lease, EventDraft requeuedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(requeuedEvent);
        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            var command = context.Command(ReleaseSql);
            AddLease(command, lease, now);
            if (command.ExecuteNonQuery() != 1)
                return false;
            context.WorkQueued(null);
            EventRows.Append(context, requeuedEvent, now);
            return true;
        }, cancellationToken);
    }

    public Task<int> RecoverExpiredLeasesAsync(int maxAttempts, Func<Generation, EventDraft> failedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentNullException.ThrowIfNull(failedEvent);

        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            var select = context.Command(ExpiredSql);
            select.Parameters.Add("$now", now);
            var expired = GenerationRows.ReadAll(select);
            foreach (var row in expired)
            {
                // Attempts that count: neither hand-backs on shutdown nor retries after a retryable failure.
                var attempts = row.Generation.Attempt - row.Generation.Retries;
                if (attempts >= maxAttempts)
                {
                    var message = $"gave up after {attempts} {(attempts == 1 ? "attempt" : "attempts")}: the worker stopped responding";
                    var giveUp = context.Command(GiveUpSql);
                    giveUp.Parameters.Add("$rowid", row.RowId);
                    giveUp.Parameters.Add("$now", now);
                    giveUp.Parameters.Add("$error_message", message);
                    giveUp.ExecuteNonQuery();
                    var failed = row.Generation with
                    {
                        Status = GenerationStatus.Failed,
                        CompletedAt = SqliteValues.FromUnixMilliseconds(now),
                        ErrorMessage = message,
                        ErrorType = FailureKind.EngineError,
                        Progress = null,
                    };
                    EventRows.Append(context, failedEvent(failed), now);
                }
                else
                {
                    var requeue = context.Command(RequeueSql);
                    requeue.Parameters.Add("$rowid", row.RowId);
                    requeue.ExecuteNonQuery();
                    context.WorkQueued(row.Generation.Model);
                }
            }
            return expired.Count;
        }, cancellationToken);
    }

    private Task<bool> FinishAsync(Lease lease, GenerationStatus status, string? outputKey, GenerationFailure? failure, EventDraft finishedEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(finishedEvent);

        return _database.WriteAsync(context =>
        {
            var now = NowMilliseconds();
            var command = context.Command(FinishSql);
            AddLease(command, lease, now);
            command.Parameters.Add("$status", status.ToWire());
            command.Parameters.Add("$output_key", outputKey);
            command.Parameters.Add("$error_message", failure?.Message);
            command.Parameters.Add("$error_type", failure?.Kind.ToWire());
            command.Parameters.Add("$error_code", failure?.Code);
            if (command.ExecuteNonQuery() != 1)
                return false;
            EventRows.Append(context, finishedEvent, now);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Fills the queue position of the page's queued rows with a few seeks per sub-lane rather than one per row: each
    /// sub-lane's head, the lane's turns, and the rank of its oldest row on the page; every newer row's rank follows from
    /// the one before it (<see cref="GenerationRows.RankAfter"/>), with no seek at all when their numbers are adjacent.
    /// </summary>
    private static List<Generation> WithQueuePositions(SqliteReadContext connection, List<GenerationRow> rows)
    {
        var result = rows.ConvertAll(row => row.Generation);
        // A page is one namespace's: its sub-lanes differ only by lane and priority. Each one's queued rows, oldest first.
        Dictionary<(string Lane, int Priority), List<int>>? subLanes = null;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Generation.Status != GenerationStatus.Queued)
                continue;
            subLanes ??= [];
            var key = (rows[i].Lane, rows[i].Priority);
            if (!subLanes.TryGetValue(key, out var members))
                subLanes[key] = members = [];
            members.Add(i);
        }
        if (subLanes is null)
            return result;

        var lanes = new Dictionary<string, List<QueueTurn>>(StringComparer.Ordinal);
        foreach (var ((lane, priority), members) in subLanes)
        {
            // A newest-first page holds a sub-lane's rows in descending numbers, an oldest-first one ascending: sort only otherwise.
            if (IsDescending(rows, members)) members.Reverse();
            else members.Sort((a, b) => rows[a].LaneSeq.CompareTo(rows[b].LaneSeq));
            if (!lanes.TryGetValue(lane, out var turns))
                lanes[lane] = turns = GenerationRows.LaneTurns(connection, lane);
            var previous = rows[members[0]];
            var rank = GenerationRows.Rank(connection, previous);
            foreach (var i in members)
            {
                var row = rows[i];
                if (!ReferenceEquals(row.Generation, previous.Generation))
                    rank = GenerationRows.RankAfter(connection, previous, rank, row);
                result[i] = result[i] with { QueuePosition = FairQueue.Position(rank, row.Generation.Namespace, priority, turns) };
                previous = row;
            }
        }
        return result;
    }

    private static bool IsDescending(List<GenerationRow> rows, List<int> members)
    {
        for (var i = 1; i < members.Count; i++)
        {
            if (rows[members[i]].LaneSeq >= rows[members[i - 1]].LaneSeq) return false;
        }
        return true;
    }

    /// <summary>A new queued row (a row starts with no attempt, lease or start time: the columns' defaults).</summary>
    private static void Insert(SqliteWriteContext context, NewGeneration generation, long now)
    {
        var lane = generation.Lane ?? generation.Model;
        // The round's first row of a sub-lane takes its number from the table; the next ones count on (written with the counters).
        if (!context.TryNextLaneSeq(lane, generation.Priority, generation.Namespace, out var laneSeq))
        {
            var seq = context.StatementLeavingCountsPending(NextLaneSeqSql);
            seq.Bind("$lane", lane);
            seq.Bind("$priority", generation.Priority);
            seq.Bind("$namespace", generation.Namespace);
            laneSeq = seq.ScalarInt64() ?? throw new InvalidOperationException("the sub-lane's next number came back empty");
        }

        var insert = context.StatementLeavingCountsPending(InsertSql);
        insert.Bind("$id", SqliteValues.IdText(generation.Id));
        insert.Bind("$namespace", generation.Namespace);
        insert.Bind("$model", generation.Model);
        insert.Bind("$media_type", generation.MediaType);
        insert.Bind("$parameters", generation.Parameters);
        insert.Bind("$enqueued_at", now);
        insert.Bind("$lane", lane);
        insert.Bind("$lane_seq", laneSeq);
        insert.Bind("$trace_parent", generation.TraceParent);
        insert.Bind("$priority", generation.Priority);
        insert.Bind("$api_key_id", generation.ApiKeyId);
        insert.Bind("$resolution", generation.Resolution ?? "");
        insert.Bind("$video_seconds", generation.VideoSeconds);
        insert.Run();
        context.Inserted(generation, lane, laneSeq, now);
        context.WorkQueued(generation.Model);
    }

    private static void AddLease(SqliteCommand command, Lease lease, long now)
    {
        command.Parameters.Add("$id", SqliteValues.IdText(lease.GenerationId));
        command.Parameters.Add("$worker", lease.WorkerId);
        command.Parameters.Add("$attempt", lease.Attempt);
        command.Parameters.Add("$now", now);
    }

    private static void Validate(NewGeneration generation)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(generation.Namespace);
        ArgumentNullException.ThrowIfNull(generation.Model);
        ArgumentNullException.ThrowIfNull(generation.MediaType);
        ArgumentNullException.ThrowIfNull(generation.Parameters);
    }

    private static void ValidateLease(TimeSpan leaseDuration) =>
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);

    private long NowMilliseconds() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
