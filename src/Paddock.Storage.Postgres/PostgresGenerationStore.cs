using System.Data;
using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Paddock.Core.Quotas;
using Paddock.Core.Retention;
using Paddock.Storage.Postgres.Internal;
using Paddock.Storage.Postgres.Writing;

namespace Paddock.Storage.Postgres;

/// <summary>
/// The generation queue in the <c>generations</c> table; obtained from <see cref="PostgresStore.Generations"/>. Every
/// change runs in this process's writer; claims across processes are kept apart by <c>FOR UPDATE SKIP LOCKED</c> and
/// every write by a lease holder is fenced in its <c>WHERE</c>. Every time comes from the store's <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>Progress describes running work: it is cleared whenever a row leaves processing.</remarks>
public sealed class PostgresGenerationStore : IGenerationStore
{
    /// <summary>
    /// One row with the next number of its sub-lane, taken in the same statement (the sub-lane's row stays locked until
    /// commit, so its numbers are dense). A new sub-lane's turn is a newcomer's: below every turn a claim gives, after
    /// the newcomers before it.
    /// </summary>
    private const string InsertSql = """
        WITH lane AS (
            INSERT INTO queue_lanes AS l (lane, priority, namespace, last_seq, last_turn)
            VALUES (@lane, @priority, @namespace, 1, nextval('queue_newcomers'))
            ON CONFLICT (lane, priority, namespace) DO UPDATE SET last_seq = l.last_seq + 1
            RETURNING last_seq
        )
        INSERT INTO generations (id, namespace, model, media_type, status, parameters, enqueued_at, lane, lane_seq, trace_parent,
                                 priority, api_key_id, resolution, video_seconds)
        SELECT @id, @namespace, @model, @media_type, 'queued', @parameters, @enqueued_at, @lane, lane.last_seq, @trace_parent,
               @priority, @api_key_id, @resolution, @video_seconds FROM lane
        """;

    /// <summary>Sub-lanes with queued rows in the order they take turns (<see cref="FairQueue"/>), across lanes.</summary>
    private const string TurnOrderSql = """
        SELECT lane, priority, namespace FROM queue_lanes WHERE queued > 0
        ORDER BY priority DESC, last_turn, namespace COLLATE "C"
        LIMIT @limit OFFSET @offset
        """;

    /// <summary>Sub-lanes read at a time: the first almost always has a claimable row.</summary>
    private const int TurnPage = 16;

    /// <summary>The claim of a sub-lane's oldest claimable row; <c>{0}</c> is the filter of models and of keys at their running limit (empty, or <c>AND ...</c> on <c>c</c>).</summary>
    private const string ClaimSqlFormat = """
        UPDATE generations AS g
        SET status = 'processing', attempt = g.attempt + 1, lease_owner = @worker, lease_expires_at = @expires_at,
            started_at = COALESCE(g.started_at, @now), retry_at = NULL, status_message = NULL
        WHERE g.id = (SELECT c.id FROM generations c
                      WHERE c.lane = @lane AND c.priority = @priority AND c.namespace = @namespace AND c.status = 'queued'
                        AND (c.retry_at IS NULL OR c.retry_at <= @now){0}
                      ORDER BY c.lane_seq
                      LIMIT 1
                      FOR UPDATE SKIP LOCKED)
        RETURNING {1}
        """;

    /// <summary>The claimed sub-lane's turn moves to the end.</summary>
    private const string TakeTurnSql = """
        UPDATE queue_lanes SET last_turn = nextval('queue_turns')
        WHERE lane = @lane AND priority = @priority AND namespace = @namespace
        """;

    /// <summary>The fence of every write by a lease holder: still processing, same worker, same attempt, not expired.</summary>
    private const string LeaseHeld =
        "id = @id AND status = 'processing' AND lease_owner = @worker AND attempt = @attempt AND lease_expires_at > @now";

    private const string HeartbeatSql = $"UPDATE generations SET lease_expires_at = @expires_at WHERE {LeaseHeld}";

    private const string HeartbeatWithProgressSql = $"""
        UPDATE generations
        SET lease_expires_at = @expires_at, progress_phase = @phase, progress_percent = @percent, progress_eta = @eta
        WHERE {LeaseHeld}
        """;

    private const string FinishSql = $"""
        UPDATE generations
        SET status = @status, completed_at = @now, output_key = @output_key, error_message = @error_message,
            error_type = @error_type, error_code = @error_code, status_message = NULL,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE {LeaseHeld}
        """;

    private const string RetryLaterSql = $"""
        UPDATE generations
        SET status = 'queued', retries = retries + 1, retry_at = @retry_at, status_message = @status_message,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE {LeaseHeld}
        """;

    private const string CheckpointSql = $"UPDATE generations SET remote_job = @remote_job WHERE {LeaseHeld}";

    /// <summary>
    /// A job recorded by the attempt that was running when its row was cancelled: kept, and marked to be cancelled. The
    /// row may hold that attempt's own "about to submit" note (a job without an id): the real id replaces it.
    /// </summary>
    private const string CheckpointAfterCancelSql = """
        UPDATE generations SET remote_job = @remote_job, remote_cancel = 'pending'
        WHERE id = @id AND status = 'cancelled' AND attempt = @attempt
          AND (remote_job IS NULL OR (remote_job::json ->> 'id') IS NULL)
        """;

    /// <summary>Another row that records the same remote job (rare: only a resume that lost its task id asks).</summary>
    private const string RemoteJobRecordedSql = """
        SELECT EXISTS (SELECT 1 FROM generations
                       WHERE remote_job IS NOT NULL AND id <> @except
                         AND (remote_job::json ->> 'backend') = @backend AND (remote_job::json ->> 'id') = @remote_id)
        """;

    private const string PendingRemoteCancelsSql = """
        SELECT id, namespace, remote_job FROM generations
        WHERE remote_cancel = 'pending'
        ORDER BY completed_at
        LIMIT @limit
        """;

    private const string RecordRemoteCancelSql = """
        UPDATE generations SET remote_cancel = @state, status_message = @message
        WHERE id = @id AND remote_cancel = 'pending'
        """;

    private const string StatusSql = "SELECT status FROM generations WHERE id = @id";

    private const string CancelSql = """
        UPDATE generations
        SET status = 'cancelled', completed_at = @now, retry_at = NULL, status_message = NULL,
            remote_cancel = CASE WHEN (remote_job::json ->> 'id') IS NOT NULL THEN 'pending' END,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE id = @id AND namespace = @namespace AND status IN ('queued', 'processing')
        """;

    /// <summary>Expired leases, locked so that another process recovering at the same moment skips them.</summary>
    private const string ExpiredSql = $"""
        SELECT {GenerationRows.Columns} FROM generations g
        WHERE g.status = 'processing' AND g.lease_expires_at <= @now
        ORDER BY g.lease_expires_at
        LIMIT 1000
        FOR UPDATE SKIP LOCKED
        """;

    private const string RequeueSql = """
        UPDATE generations
        SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE id = @id
        """;

    private const string ReleaseSql = $"""
        UPDATE generations
        SET status = 'queued', handed_back = handed_back + 1,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE {LeaseHeld}
        RETURNING model
        """;

    private const string GiveUpSql = """
        UPDATE generations
        SET status = 'failed', completed_at = @now, error_message = @error_message, error_type = 'engine_error', error_code = NULL,
            lease_owner = NULL, lease_expires_at = NULL, progress_phase = NULL, progress_percent = NULL, progress_eta = NULL
        WHERE id = @id
        """;

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;

    internal PostgresGenerationStore(PostgresDatabase database, TimeProvider time)
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
            var now = Now();
            foreach (var generation in generations)
                Insert(context, generation, now);
            return generations.Count;
        }, cancellationToken);
    }

    public Task<EnqueueOutcome> EnqueueOnceAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generations);
        ArgumentNullException.ThrowIfNull(claim);
        foreach (var generation in generations)
            Validate(generation);

        return _database.WriteAsync(context =>
        {
            var now = Now();
            // The key first: a process inserting the same key at the same moment makes this wait for its commit, and then
            // the key is found rather than taken twice. An expired key is taken over (expired keys are purged in the background).
            using (var take = context.Command("""
                INSERT INTO idempotency_keys AS k (namespace, key, fingerprint, generation_ids, expires_at)
                VALUES (@ns, @key, @fingerprint, @ids, @expires)
                ON CONFLICT (namespace, key) DO UPDATE
                    SET fingerprint = excluded.fingerprint, generation_ids = excluded.generation_ids, expires_at = excluded.expires_at
                    WHERE k.expires_at <= @now
                RETURNING 1
                """))
            {
                take.Parameters.Bind("ns", claim.Namespace);
                take.Parameters.Bind("key", claim.Key);
                take.Parameters.Bind("fingerprint", claim.Fingerprint);
                take.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", generations.Select(g => g.Id).ToArray()));
                take.Parameters.Bind("expires", claim.ExpiresAt);
                take.Parameters.Bind("now", now);
                if (take.ExecuteScalar() is not null)
                {
                    foreach (var generation in generations)
                        Insert(context, generation, now);
                    return new EnqueueOutcome(IdempotencyResult.Created, generations.Select(g => g.Id).ToList());
                }
            }

            using var find = context.Command("SELECT fingerprint, generation_ids FROM idempotency_keys WHERE namespace = @ns AND key = @key");
            find.Parameters.Bind("ns", claim.Namespace);
            find.Parameters.Bind("key", claim.Key);
            using var reader = find.ExecuteReader();
            if (!reader.Read())
                throw new InvalidOperationException("the Idempotency-Key row vanished within its own transaction");
            var ids = reader.GetFieldValue<Guid[]>(1);
            return new EnqueueOutcome(reader.GetString(0) == claim.Fingerprint ? IdempotencyResult.Replayed : IdempotencyResult.Conflict, ids);
        }, cancellationToken);
    }

    /// <summary>
    /// Submissions of one namespace take turns across processes (an advisory lock held to the commit), and the round's
    /// earlier inserts are run first, so the check counts every row admitted before it. The key is taken as in
    /// <see cref="EnqueueOnceAsync"/>, and given up again when the check refuses.
    /// </summary>
    public Task<EnqueueOutcome> EnqueueAdmittedAsync(IReadOnlyList<NewGeneration> generations, IdempotencyClaim? claim, AdmissionCheck admission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generations);
        ArgumentNullException.ThrowIfNull(admission);
        foreach (var generation in generations)
            Validate(generation);
        // Nothing to write and no key: the check still runs (it only reads), with nothing to keep apart.
        var ns = claim?.Namespace ?? generations.FirstOrDefault()?.Namespace;

        return _database.WriteAsync(context =>
        {
            var now = Now();
            if (ns is not null)
            {
                using var turn = context.Command("SELECT pg_advisory_xact_lock(@class, @namespace)");
                turn.Parameters.Bind("class", AdvisoryLocks.AdmissionClass);
                turn.Parameters.Bind("namespace", AdvisoryLocks.Key(ns));
                turn.ExecuteNonQuery();
            }
            if (claim is not null)
            {
                using var find = context.Command("SELECT fingerprint, generation_ids FROM idempotency_keys WHERE namespace = @ns AND key = @key AND expires_at > @now");
                find.Parameters.Bind("ns", claim.Namespace);
                find.Parameters.Bind("key", claim.Key);
                find.Parameters.Bind("now", now);
                using var reader = find.ExecuteReader();
                if (reader.Read())
                    return new EnqueueOutcome(reader.GetString(0) == claim.Fingerprint ? IdempotencyResult.Replayed : IdempotencyResult.Conflict, reader.GetFieldValue<Guid[]>(1));
            }

            context.RunDeferred();
            if (admission(new PostgresAdmissionReader(context)) is { } refusal)
                return new EnqueueOutcome(IdempotencyResult.Refused, [], refusal);

            if (claim is not null)
            {
                // Submissions of this namespace (and so of this key) wait on the lock above: the key is free or expired.
                using var take = context.Command("""
                    INSERT INTO idempotency_keys AS k (namespace, key, fingerprint, generation_ids, expires_at)
                    VALUES (@ns, @key, @fingerprint, @ids, @expires)
                    ON CONFLICT (namespace, key) DO UPDATE
                        SET fingerprint = excluded.fingerprint, generation_ids = excluded.generation_ids, expires_at = excluded.expires_at
                    """);
                take.Parameters.Bind("ns", claim.Namespace);
                take.Parameters.Bind("key", claim.Key);
                take.Parameters.Bind("fingerprint", claim.Fingerprint);
                take.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", generations.Select(g => g.Id).ToArray()));
                take.Parameters.Bind("expires", claim.ExpiresAt);
                take.ExecuteNonQuery();
            }
            foreach (var generation in generations)
                Insert(context, generation, now);
            return new EnqueueOutcome(IdempotencyResult.Created, generations.Select(g => g.Id).ToList());
        }, cancellationToken);
    }

    public Task<Generation?> GetAsync(string ns, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        // One statement, so the row and its queue position come from one snapshot.
        return _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT {GenerationRows.Columns}, {GenerationRows.QueuePosition}, {GenerationRows.Version} FROM generations g WHERE g.id = @id AND g.namespace = @namespace",
                connection);
            command.Parameters.Bind("id", id);
            command.Parameters.Bind("namespace", ns);
            var rows = await GenerationRows.ReadAllAsync(command, GenerationRows.NextOrdinal, ct, GenerationRows.NextOrdinal + 1).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0].Generation;
        }, cancellationToken);
    }

    /// <summary>
    /// Rows of the query's namespace, newest first. A null or empty <see cref="GenerationQuery.Statuses"/> means every
    /// status. Queued rows carry their position in their lane (1 = claimed next). The total comes from the counts and
    /// their unfolded deltas; the rows from one index range per status (merged newest first), never a sort of the
    /// namespace; all in one repeatable-read snapshot.
    /// </summary>
    public Task<IReadOnlyDictionary<string, long>> CountQueuedByModelAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyDictionary<string, long>>(async (connection, ct) =>
        {
            // The kept counts plus the deltas not yet folded into them, as the totals of a page are read.
            await using var command = new NpgsqlCommand("""
                SELECT model, SUM(n) FROM (
                    SELECT model, count AS n FROM generation_counts WHERE status = 'queued'
                    UNION ALL
                    SELECT model, delta AS n FROM generation_count_deltas WHERE status = 'queued') AS queued
                GROUP BY model HAVING SUM(n) > 0
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) counts[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            return counts;
        }, cancellationToken);

    public Task<IReadOnlyList<StatusCount>> CountByStatusAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<StatusCount>>(async (connection, ct) =>
        {
            // The kept counts plus the deltas not yet folded into them, as the totals of a page are read.
            await using var command = new NpgsqlCommand("""
                SELECT namespace, model, status, SUM(n) FROM (
                    SELECT namespace, model, status, count AS n FROM generation_counts
                    UNION ALL
                    SELECT namespace, model, status, delta AS n FROM generation_count_deltas) AS counted
                GROUP BY namespace, model, status HAVING SUM(n) > 0
                ORDER BY namespace COLLATE "C", model COLLATE "C", status COLLATE "C"
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var counts = new List<StatusCount>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                counts.Add(new StatusCount(reader.GetString(0), reader.GetString(1), reader.GetString(2), Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture)));
            return counts;
        }, cancellationToken);

    public Task<DateTimeOffset?> OldestQueuedAsync(string ns, string model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(model);
        return _database.ReadAsync(async (connection, ct) =>
        {
            // ix_generations_namespace_status from the namespace's oldest queued row; stops at the first of the model.
            await using var command = new NpgsqlCommand("""
                SELECT enqueued_at FROM generations
                WHERE namespace = @namespace AND status = 'queued' AND model = @model
                ORDER BY enqueued_at, pos LIMIT 1
                """, connection);
            command.Parameters.Bind("namespace", ns);
            command.Parameters.Bind("model", model);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? GenerationRows.Time(reader, 0) : (DateTimeOffset?)null;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WorkerLoad>> ProcessingByWorkerAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<WorkerLoad>>(async (connection, ct) =>
        {
            // ix_generations_lease holds only the processing rows.
            await using var command = new NpgsqlCommand("""
                SELECT COALESCE(lease_owner, ''), COUNT(*) AS n FROM generations WHERE status = 'processing'
                GROUP BY lease_owner ORDER BY n DESC, COALESCE(lease_owner, '') COLLATE "C"
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var loads = new List<WorkerLoad>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) loads.Add(new WorkerLoad(reader.GetString(0), reader.GetInt64(1)));
            return loads;
        }, cancellationToken);

    public Task<GenerationPage> QueryAsync(GenerationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Namespace);
        var after = query.After is null ? ((DateTimeOffset At, long Pos)?)null : ParseCursor(query.After);

        return _database.ReadAsync(async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            var place = query.AfterId is { } afterId ? await PlaceOfAsync(connection, transaction, query.Namespace, afterId, ct).ConfigureAwait(false) : after;
            var total = await CountMatchingAsync(connection, transaction, query, ct).ConfigureAwait(false);
            if (query.Limit <= 0 || total == 0)
                return new GenerationPage([], total);

            IReadOnlyList<string?> statuses = query.Statuses is { Count: > 0 } s ? s.Select(x => (string?)x.ToWire()).Distinct().ToList() : [null];
            var wanted = Math.Max(0, query.Offset) + query.Limit + 1;
            var rows = new List<GenerationRow>();
            foreach (var status in statuses)
                rows.AddRange(await ReadRangeAsync(connection, transaction, query, status, place, wanted, ct).ConfigureAwait(false));
            await transaction.CommitAsync(ct).ConfigureAwait(false);

            var ordered = query.OldestFirst
                ? rows.OrderBy(r => r.Generation.EnqueuedAt).ThenBy(r => r.Position)
                : rows.OrderByDescending(r => r.Generation.EnqueuedAt).ThenByDescending(r => r.Position);
            var page = ordered
                .Skip(Math.Max(0, query.Offset))
                .Take(query.Limit + 1)
                .ToList();
            var more = page.Count > query.Limit;
            if (more) page.RemoveAt(page.Count - 1);
            return new GenerationPage(page.ConvertAll(r => r.Generation), total, more ? Cursor(page[^1]) : null);
        }, cancellationToken);
    }

    private static async Task<long> CountMatchingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, GenerationQuery query, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var where = new StringBuilder("namespace = @namespace");
        command.Parameters.Bind("namespace", query.Namespace);
        if (query.Statuses is { Count: > 0 } statuses)
        {
            where.Append(" AND status = ANY(@statuses)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("statuses", statuses.Select(s => s.ToWire()).ToArray()));
        }
        if (query.Model is not null)
        {
            where.Append(" AND model = @model");
            command.Parameters.Bind("model", query.Model);
        }
        if (query.MediaType is not null)
        {
            where.Append(" AND media_type = @media_type");
            command.Parameters.Bind("media_type", query.MediaType);
        }
        command.CommandText = $"""
            SELECT COALESCE((SELECT SUM(count) FROM generation_counts WHERE {where}), 0)
                 + COALESCE((SELECT SUM(delta) FROM generation_count_deltas WHERE {where}), 0)
            """;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>A row's place in the newest-first order, as a cursor holds it; the namespace must have the row.</summary>
    private static async Task<(DateTimeOffset At, long Pos)> PlaceOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string ns, Guid id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT enqueued_at, pos FROM generations WHERE id = @id AND namespace = @namespace", connection, transaction);
        command.Parameters.Bind("id", id);
        command.Parameters.Bind("namespace", ns);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? (reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1))
            : throw new InvalidCursorException($"no generation {id} in this namespace to continue after");
    }

    private static async Task<List<GenerationRow>> ReadRangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, GenerationQuery query,
        string? status, (DateTimeOffset At, long Pos)? after, int limit, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var where = new StringBuilder("g.namespace = @namespace");
        command.Parameters.Bind("namespace", query.Namespace);
        if (status is not null)
        {
            where.Append(" AND g.status = @status");
            command.Parameters.Bind("status", status);
        }
        if (query.Model is not null)
        {
            where.Append(" AND g.model = @model");
            command.Parameters.Bind("model", query.Model);
        }
        if (query.MediaType is not null)
        {
            where.Append(" AND g.media_type = @media_type");
            command.Parameters.Bind("media_type", query.MediaType);
        }
        if (after is { } cursor)
        {
            where.Append(query.OldestFirst ? " AND (g.enqueued_at, g.pos) > (@after_at, @after_pos)" : " AND (g.enqueued_at, g.pos) < (@after_at, @after_pos)");
            command.Parameters.Bind("after_at", cursor.At);
            command.Parameters.Bind("after_pos", cursor.Pos);
        }
        var direction = query.OldestFirst ? "ASC" : "DESC";
        command.CommandText = $"""
            SELECT {GenerationRows.Columns}, {GenerationRows.QueuePosition}, {GenerationRows.Version} FROM generations g
            WHERE {where}
            ORDER BY g.enqueued_at {direction}, g.pos {direction}
            LIMIT @limit
            """;
        command.Parameters.Bind("limit", limit);
        return await GenerationRows.ReadAllAsync(command, GenerationRows.NextOrdinal, ct, GenerationRows.NextOrdinal + 1).ConfigureAwait(false);
    }

    /// <summary>A page's continuation: the last row's place in the newest-first order, as an opaque token.</summary>
    private static string Cursor(GenerationRow row)
    {
        var micros = (row.Generation.EnqueuedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return Convert.ToBase64String(Encoding.ASCII.GetBytes($"pg1:{micros}:{row.Position}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (DateTimeOffset At, long Pos) ParseCursor(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length == 3 && parts[0] == "pg1"
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pos)
                && micros < (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10)
                return (DateTimeOffset.UnixEpoch.AddTicks(micros * 10), pos);
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
            var now = Now();
            using var update = context.Command(CancelSql);
            update.Parameters.Bind("id", id);
            update.Parameters.Bind("namespace", ns);
            update.Parameters.Bind("now", now);
            if (update.ExecuteNonQuery() == 1)
            {
                context.AppendEvent(cancelledEvent, now);
                context.Cancelled(id);
                return CancelOutcome.Cancelled;
            }
            using var select = context.Command("SELECT 1 FROM generations WHERE id = @id AND namespace = @namespace");
            select.Parameters.Bind("id", id);
            select.Parameters.Bind("namespace", ns);
            return select.ExecuteScalar() is null ? CancelOutcome.NotFound : CancelOutcome.AlreadyTerminal;
        }, cancellationToken);
    }

    public Task<DeleteOutcome> DeleteAsync(string ns, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return _database.WriteAsync(context =>
        {
            // Only a terminal row goes, and not one whose remote work still waits to be cancelled (that would leave the
            // provider rendering, and billing, with nobody to stop it). The count trigger takes the row off its
            // namespace's totals in the same transaction.
            using var delete = context.Command(
                "DELETE FROM generations WHERE id = @id AND namespace = @namespace AND status IN ('succeeded', 'failed', 'cancelled') AND remote_cancel IS DISTINCT FROM 'pending'");
            delete.Parameters.Bind("id", id);
            delete.Parameters.Bind("namespace", ns);
            if (delete.ExecuteNonQuery() == 1) return DeleteOutcome.Deleted;
            using var select = context.Command("SELECT 1 FROM generations WHERE id = @id AND namespace = @namespace");
            select.Parameters.Bind("id", id);
            select.Parameters.Bind("namespace", ns);
            return select.ExecuteScalar() is null ? DeleteOutcome.NotFound : DeleteOutcome.StillActive;
        }, cancellationToken);
    }

    public Task<Generation?> SetPinnedAsync(string ns, Guid id, bool pinned, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return _database.WriteAsync(context =>
        {
            using (var update = context.Command("UPDATE generations SET pinned = @pinned WHERE id = @id AND namespace = @namespace AND expired_at IS NULL"))
            {
                update.Parameters.Bind("pinned", pinned);
                update.Parameters.Bind("id", id);
                update.Parameters.Bind("namespace", ns);
                update.ExecuteNonQuery();
            }
            using var read = context.Command($"SELECT {GenerationRows.Columns} FROM generations g WHERE g.id = @id AND g.namespace = @namespace");
            read.Parameters.Bind("id", id);
            read.Parameters.Bind("namespace", ns);
            using var reader = read.ExecuteReader();
            return reader.Read() ? GenerationRows.Read(reader).Generation : null;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ExpiredOutput>> ExpireOutputsAsync(ExpiryScope scope, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _database.WriteAsync<IReadOnlyList<ExpiredOutput>>(context =>
        {
            // SKIP LOCKED: a row another process's sweep holds is left to it (and then no longer matches), so each row
            // is marked, and its key handed out, once.
            using var command = context.Command($"""
                WITH chosen AS (
                    SELECT id, output_key FROM generations
                    WHERE status = 'succeeded' AND NOT pinned AND expired_at IS NULL AND completed_at <= @before{ScopeFilter(scope)}
                    ORDER BY completed_at LIMIT @limit
                    FOR UPDATE SKIP LOCKED)
                UPDATE generations g SET expired_at = @now, output_key = NULL
                FROM chosen WHERE g.id = chosen.id
                RETURNING g.id, g.namespace, chosen.output_key
                """);
            command.Parameters.Bind("before", scope.Before);
            command.Parameters.Bind("limit", limit);
            command.Parameters.Bind("now", Now());
            BindScope(command, scope);
            var expired = new List<ExpiredOutput>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!reader.IsDBNull(2)) expired.Add(new ExpiredOutput(reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
            }
            return expired;
        }, cancellationToken);
    }

    /// <summary>The SQL that limits rows to a scope's namespaces (bound by <see cref="BindScope"/>).</summary>
    internal static string ScopeFilter(ExpiryScope scope) =>
        scope.Namespace is not null ? " AND namespace = @scope_ns" : scope.Except.Count > 0 ? " AND NOT (namespace = ANY(@scope_except))" : "";

    internal static void BindScope(NpgsqlCommand command, ExpiryScope scope)
    {
        if (scope.Namespace is { } only) command.Parameters.Bind("scope_ns", only);
        else if (scope.Except.Count > 0) command.Parameters.Bind("scope_except", scope.Except.ToArray());
    }

    public Task<ClaimedGeneration?> ClaimNextAsync(string workerId, TimeSpan leaseDuration, IReadOnlyCollection<string>? models = null, CancellationToken cancellationToken = default,
        RunningLimits? running = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ValidateLease(leaseDuration);
        if (models is { Count: 0 })
            return Task.FromResult<ClaimedGeneration?>(null);
        var modelList = models?.ToArray();

        return _database.WriteAsync(context =>
        {
            var now = Now();
            var busyKeys = running is null ? [] : KeysAtRunningLimit(context, running);
            var filter = (modelList is null ? "" : " AND c.model = ANY(@models)")
                + (busyKeys.Count == 0 ? "" : " AND (c.api_key_id IS NULL OR c.api_key_id <> ALL(@busy_keys))");
            var sql = string.Format(CultureInfo.InvariantCulture, ClaimSqlFormat, filter, GenerationRows.Columns);
            // Sub-lanes in turn order; the first with a claimable, unlocked row (of the worker's models) gives it.
            // Claimers in other processes may take from the same sub-lane at once: fair to within a round.
            for (var offset = 0; ; offset += TurnPage)
            {
                var turns = new List<(string Lane, int Priority, string Namespace)>();
                using (var order = context.Command(TurnOrderSql))
                {
                    order.Parameters.Bind("limit", TurnPage);
                    order.Parameters.Bind("offset", offset);
                    using var reader = order.ExecuteReader();
                    while (reader.Read())
                        turns.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2)));
                }
                if (turns.Count == 0)
                    return null;
                foreach (var turn in turns)
                {
                    // Read committed: renders another process claimed a moment ago may not be counted yet (within a claim or two).
                    if (running is not null && AtRunningLimit(context, turn.Namespace, running))
                        continue;
                    List<GenerationRow> rows;
                    using (var command = context.Command(sql))
                    {
                        if (modelList is not null) command.Parameters.Add(new NpgsqlParameter<string[]>("models", modelList));
                        if (busyKeys.Count > 0) command.Parameters.Add(new NpgsqlParameter<string[]>("busy_keys", busyKeys.ToArray()));
                        command.Parameters.Bind("worker", workerId);
                        command.Parameters.Bind("now", now);
                        command.Parameters.Bind("expires_at", now + leaseDuration);
                        command.Parameters.Bind("lane", turn.Lane);
                        command.Parameters.Bind("priority", turn.Priority);
                        command.Parameters.Bind("namespace", turn.Namespace);
                        rows = GenerationRows.ReadAll(command);
                    }
                    if (rows.Count == 0)
                        continue;
                    using (var taken = context.Command(TakeTurnSql))
                    {
                        taken.Parameters.Bind("lane", turn.Lane);
                        taken.Parameters.Bind("priority", turn.Priority);
                        taken.Parameters.Bind("namespace", turn.Namespace);
                        taken.ExecuteNonQuery();
                    }
                    var generation = rows[0].Generation;
                    return new ClaimedGeneration(new Lease(generation.Id, workerId, rows[0].Claims), generation);
                }
            }
        }, cancellationToken);
    }

    /// <summary>The keys with as many rows processing as their limit: only keys with a render running are read (a few rows).</summary>
    private static IReadOnlyList<string> KeysAtRunningLimit(PostgresWriteContext context, RunningLimits running)
    {
        using var command = context.Command("""
            SELECT g.api_key_id, COUNT(*), q.max_running FROM generations g LEFT JOIN quota_limits q ON q.scope = 'key:' || g.api_key_id
            WHERE g.status = 'processing' AND g.api_key_id IS NOT NULL GROUP BY g.api_key_id, q.max_running
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
    private static bool AtRunningLimit(PostgresWriteContext context, string ns, RunningLimits running)
    {
        int? stored;
        using (var read = context.Command("SELECT max_running FROM quota_limits WHERE scope = @scope"))
        {
            read.Parameters.Bind("scope", QuotaScope.Namespace(ns).Stored);
            stored = read.ExecuteScalar() is int value ? value : null;
        }
        if (running.For(ns, stored) is not { } limit)
            return false;
        using var count = context.Command("SELECT COUNT(*) FROM (SELECT 1 FROM generations WHERE namespace = @namespace AND status = 'processing' LIMIT @cap) r");
        count.Parameters.Bind("namespace", ns);
        count.Parameters.Bind("cap", limit);
        return (long)count.ExecuteScalar()! >= limit;
    }

    public Task<LeaseState> HeartbeatAsync(Lease lease, TimeSpan leaseDuration, GenerationProgress? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ValidateLease(leaseDuration);

        return _database.WriteAsync(context =>
        {
            var now = Now();
            using var command = context.Command(progress is null ? HeartbeatSql : HeartbeatWithProgressSql);
            AddLease(command, lease, now);
            command.Parameters.Bind("expires_at", now + leaseDuration);
            if (progress is not null)
            {
                command.Parameters.Bind("phase", progress.Phase);
                command.Parameters.Add(new NpgsqlParameter<int>("percent", progress.Percent));
                command.Parameters.Add(new NpgsqlParameter("eta", NpgsqlDbType.Integer) { Value = (object?)progress.EtaSeconds ?? DBNull.Value });
            }
            if (command.ExecuteNonQuery() == 1)
                return LeaseState.Held;
            return StatusOf(context, lease.GenerationId) == "cancelled" ? LeaseState.Cancelled : LeaseState.Lost;
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
            var now = Now();
            using var command = context.Command(RetryLaterSql);
            AddLease(command, lease, now);
            command.Parameters.Bind("retry_at", notBefore);
            command.Parameters.Bind("status_message", statusMessage);
            if (command.ExecuteNonQuery() != 1)
                return false;
            context.AppendEvent(requeuedEvent, now);
            return true;
        }, cancellationToken);
    }

    public Task<LeaseState> CheckpointAsync(Lease lease, RemoteJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(job);
        return _database.WriteAsync(context =>
        {
            var now = Now();
            using var command = context.Command(CheckpointSql);
            AddLease(command, lease, now);
            command.Parameters.Bind("remote_job", job.ToJson());
            if (command.ExecuteNonQuery() == 1)
                return LeaseState.Held;
            if (job.Id is null)
                return LeaseState.Lost;
            using var afterCancel = context.Command(CheckpointAfterCancelSql);
            afterCancel.Parameters.Bind("id", lease.GenerationId);
            afterCancel.Parameters.Bind("attempt", lease.Attempt);
            afterCancel.Parameters.Bind("remote_job", job.ToJson());
            return afterCancel.ExecuteNonQuery() == 1 ? LeaseState.Cancelled : LeaseState.Lost;
        }, cancellationToken);
    }

    public Task<bool> IsRemoteJobRecordedAsync(string backend, string remoteId, Guid exceptGenerationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(remoteId);
        return _database.ReadAsync(async (connection, ct) =>
        {
            // A scan of the table's remote jobs: asked only when an attempt resumes without the id its predecessor got.
            await using var command = new NpgsqlCommand(RemoteJobRecordedSql, connection);
            command.Parameters.Bind("except", exceptGenerationId);
            command.Parameters.Bind("backend", backend);
            command.Parameters.Bind("remote_id", remoteId);
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<PendingRemoteCancel>> PendingRemoteCancelsAsync(IReadOnlyCollection<string> backends, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _database.ReadAsync<IReadOnlyList<PendingRemoteCancel>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(PendingRemoteCancelsSql, connection);
            // Pending cancels are few (they are carried out within seconds): filtering by backend here is cheap.
            command.Parameters.Bind("limit", limit * 8);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var pending = new List<PendingRemoteCancel>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false) && pending.Count < limit)
            {
                if (RemoteJob.FromJson(GenerationRows.NullableString(reader, 2)) is { Id: not null } job && backends.Contains(job.Backend))
                    pending.Add(new PendingRemoteCancel(reader.GetGuid(0), reader.GetString(1), job));
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
            using var command = context.Command(RecordRemoteCancelSql);
            command.Parameters.Bind("id", id);
            command.Parameters.Bind("state", outcome.State == RemoteCancelState.Cancelled ? "cancelled" : "refused");
            command.Parameters.Bind("message", outcome.Message);
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);
    }

    public Task<bool> ReleaseAsync(Lease lease, EventDraft requeuedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(requeuedEvent);
        return _database.WriteAsync(context =>
        {
            var now = Now();
            using var command = context.Command(ReleaseSql);
            AddLease(command, lease, now);
            if (command.ExecuteScalar() is not string model)
                return false;
            context.WorkQueued(model);
            context.AppendEvent(requeuedEvent, now);
            return true;
        }, cancellationToken);
    }

    public Task<int> RecoverExpiredLeasesAsync(int maxAttempts, Func<Generation, EventDraft> failedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentNullException.ThrowIfNull(failedEvent);

        return _database.WriteAsync(context =>
        {
            var now = Now();
            List<Generation> expired;
            using (var select = context.Command(ExpiredSql))
            {
                select.Parameters.Bind("now", now);
                expired = GenerationRows.ReadAll(select).ConvertAll(r => r.Generation);
            }
            foreach (var row in expired)
            {
                // Attempts that count: neither hand-backs on shutdown nor retries after a retryable failure.
                var attempts = row.Attempt - row.Retries;
                if (attempts >= maxAttempts)
                {
                    var message = $"gave up after {attempts} {(attempts == 1 ? "attempt" : "attempts")}: the worker stopped responding";
                    using var giveUp = context.Command(GiveUpSql);
                    giveUp.Parameters.Bind("id", row.Id);
                    giveUp.Parameters.Bind("now", now);
                    giveUp.Parameters.Bind("error_message", message);
                    giveUp.ExecuteNonQuery();
                    var failed = row with
                    {
                        Status = GenerationStatus.Failed,
                        CompletedAt = now,
                        ErrorMessage = message,
                        ErrorType = FailureKind.EngineError,
                        Progress = null,
                    };
                    context.AppendEvent(failedEvent(failed), now);
                }
                else
                {
                    using var requeue = context.Command(RequeueSql);
                    requeue.Parameters.Bind("id", row.Id);
                    requeue.ExecuteNonQuery();
                    context.WorkQueued(row.Model);
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
            var now = Now();
            using var command = context.Command(FinishSql);
            AddLease(command, lease, now);
            command.Parameters.Bind("status", status.ToWire());
            command.Parameters.Add(new NpgsqlParameter("output_key", NpgsqlDbType.Text) { Value = (object?)outputKey ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("error_message", NpgsqlDbType.Text) { Value = (object?)failure?.Message ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("error_type", NpgsqlDbType.Text) { Value = (object?)failure?.Kind.ToWire() ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("error_code", NpgsqlDbType.Text) { Value = (object?)failure?.Code ?? DBNull.Value });
            if (command.ExecuteNonQuery() != 1)
                return false;
            context.AppendEvent(finishedEvent, now);
            return true;
        }, cancellationToken);
    }

    /// <summary>Deferred: a round's inserts go to the server together, in one round trip, in the order they were made.</summary>
    private static void Insert(PostgresWriteContext context, NewGeneration generation, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(InsertSql);
        command.Parameters.Bind("id", generation.Id);
        command.Parameters.Bind("namespace", generation.Namespace);
        command.Parameters.Bind("model", generation.Model);
        command.Parameters.Bind("media_type", generation.MediaType);
        command.Parameters.Bind("parameters", generation.Parameters);
        command.Parameters.Bind("enqueued_at", now);
        command.Parameters.Bind("lane", generation.Lane ?? generation.Model);
        command.Parameters.Bind("trace_parent", generation.TraceParent);
        command.Parameters.Bind("priority", generation.Priority);
        command.Parameters.Add(new NpgsqlParameter("api_key_id", NpgsqlDbType.Text) { Value = (object?)generation.ApiKeyId ?? DBNull.Value });
        command.Parameters.Bind("resolution", generation.Resolution ?? "");
        command.Parameters.Bind("video_seconds", generation.VideoSeconds);
        context.Defer(command);
        context.WorkQueued(generation.Model);
    }

    private static string? StatusOf(PostgresWriteContext context, Guid id)
    {
        using var select = context.Command(StatusSql);
        select.Parameters.Bind("id", id);
        return select.ExecuteScalar() as string;
    }

    private static void AddLease(NpgsqlCommand command, Lease lease, DateTimeOffset now)
    {
        command.Parameters.Bind("id", lease.GenerationId);
        command.Parameters.Bind("worker", lease.WorkerId);
        command.Parameters.Bind("attempt", lease.Attempt);
        command.Parameters.Bind("now", now);
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

    /// <summary>Now, in whole microseconds (what timestamptz keeps), so a row reads back exactly the time it was given.</summary>
    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
    }
}
