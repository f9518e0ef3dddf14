using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// The tables and their versions. Each version's script runs once, in order, in one transaction
/// with its row in <c>schema_version</c>; the scripts use IF NOT EXISTS so a half-known database
/// (created by hand, or by a crashed first start) still converges.
/// </summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        // Version 1.
        """
        CREATE TABLE IF NOT EXISTS generations (
            id               TEXT    NOT NULL PRIMARY KEY,
            namespace        TEXT    NOT NULL,
            model            TEXT    NOT NULL,
            media_type       TEXT    NOT NULL,
            status           TEXT    NOT NULL CHECK (status IN ('queued', 'processing', 'succeeded', 'failed', 'cancelled')),
            parameters       TEXT    NOT NULL,
            enqueued_at      INTEGER NOT NULL,
            started_at       INTEGER,
            completed_at     INTEGER,
            error_message    TEXT,
            output_key       TEXT,
            progress_phase   TEXT,
            progress_percent INTEGER,
            progress_eta     INTEGER,
            attempt          INTEGER NOT NULL DEFAULT 0,
            lease_owner      TEXT,
            lease_expires_at INTEGER
        );
        -- Claims and queue positions: the oldest queued row, in (enqueued_at, rowid) order.
        CREATE INDEX IF NOT EXISTS ix_generations_claim ON generations (status, enqueued_at);
        -- Listing newest first: ascending, because scanned backwards it yields (enqueued_at DESC,
        -- rowid DESC) with no sort, where a DESC index would still sort ties by rowid.
        CREATE INDEX IF NOT EXISTS ix_generations_namespace ON generations (namespace, enqueued_at);
        -- Listing and counting one namespace's rows of some statuses (the active list) without
        -- visiting every other namespace's queue.
        CREATE INDEX IF NOT EXISTS ix_generations_namespace_status ON generations (namespace, status, enqueued_at);
        -- Recovery: processing rows whose lease ran out.
        CREATE INDEX IF NOT EXISTS ix_generations_lease ON generations (status, lease_expires_at);

        CREATE TABLE IF NOT EXISTS events (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            namespace  TEXT    NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_events_namespace ON events (namespace, seq);

        CREATE TABLE IF NOT EXISTS api_keys (
            id         TEXT    NOT NULL PRIMARY KEY,
            hash       TEXT    NOT NULL UNIQUE,
            namespace  TEXT    NOT NULL,
            name       TEXT,
            created_at INTEGER NOT NULL
        );
        """,

        // Version 2: hosted files. Bytes live in the blob store by content hash; these rows say
        // which path of which branch holds which content, and which upload (commit) put it there.
        """
        CREATE TABLE IF NOT EXISTS file_commits (
            id         TEXT    NOT NULL PRIMARY KEY,
            namespace  TEXT    NOT NULL,
            repo       TEXT    NOT NULL,
            branch     TEXT    NOT NULL,
            message    TEXT    NOT NULL,
            author     TEXT    NOT NULL,
            parent_id  TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_file_commits_branch ON file_commits (namespace, repo, branch, created_at);

        CREATE TABLE IF NOT EXISTS repo_files (
            namespace    TEXT    NOT NULL,
            repo         TEXT    NOT NULL,
            branch       TEXT    NOT NULL,
            path         TEXT    NOT NULL,
            content_hash TEXT    NOT NULL,
            size         INTEGER NOT NULL,
            content_type TEXT    NOT NULL,
            commit_id    TEXT    NOT NULL,
            updated_at   INTEGER NOT NULL,
            PRIMARY KEY (namespace, repo, branch, path)
        );
        """,

        // Version 3: Idempotency-Key records, committed with the rows they created.
        """
        CREATE TABLE IF NOT EXISTS idempotency_keys (
            namespace      TEXT    NOT NULL,
            key            TEXT    NOT NULL,
            fingerprint    TEXT    NOT NULL,
            generation_ids TEXT    NOT NULL,
            expires_at     INTEGER NOT NULL,
            PRIMARY KEY (namespace, key)
        );
        CREATE INDEX IF NOT EXISTS ix_idempotency_expiry ON idempotency_keys (expires_at);
        """,

        // Version 4: attempts a worker handed back on shutdown. They stay in attempt (the lease's fencing token only
        // grows) but do not count against the limit of attempts.
        """
        ALTER TABLE generations ADD COLUMN handed_back INTEGER NOT NULL DEFAULT 0;
        """,

        // Version 5: engines for real models. A failure's kind and the provider's code beside its message; a status
        // message for a row that waits (a retry pause) or whose remote work was cancelled; retries after a retryable
        // failure (not counted as lost attempts) and the time before which the row is not claimed; the remote job an
        // attempt waits on (JSON: backend, id, data), so a later attempt resumes it; whether that job still has to be
        // cancelled after the row was.
        """
        ALTER TABLE generations ADD COLUMN error_type TEXT;
        ALTER TABLE generations ADD COLUMN error_code TEXT;
        ALTER TABLE generations ADD COLUMN status_message TEXT;
        ALTER TABLE generations ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE generations ADD COLUMN retry_at INTEGER;
        ALTER TABLE generations ADD COLUMN remote_job TEXT;
        ALTER TABLE generations ADD COLUMN remote_cancel TEXT CHECK (remote_cancel IN ('pending', 'cancelled', 'refused'));
        -- Workers look for remote cancels to carry out: only the pending ones are indexed.
        CREATE INDEX IF NOT EXISTS ix_generations_remote_cancel ON generations (completed_at) WHERE remote_cancel = 'pending';
        """,

        // Version 6: reads that do not grow with the table.
        //
        // Queue positions: each row joins a lane (the backend that serves its model, whose workers take the lane's rows
        // in order) with a dense sequence number. A queued row's position is its distance from the lane's oldest queued
        // row, less the rows between them that already left the queue out of order (a cancel, a claim past a row
        // pausing for a retry) — found through an index of departed rows, which rows that left in order never enter
        // the range of. Both are index seeks, not a count of the queue.
        //
        // Totals: a count per (namespace, model, media type, status), kept by triggers in the same transaction as the
        // row change, so a page's total is a sum of a few counters, and no code path can forget it.
        """
        ALTER TABLE generations ADD COLUMN lane TEXT NOT NULL DEFAULT '';
        ALTER TABLE generations ADD COLUMN lane_seq INTEGER NOT NULL DEFAULT 0;
        -- Rows from before lanes share the lane '' in their enqueue order, numbered densely.
        UPDATE generations SET lane_seq = ranked.n
        FROM (SELECT rowid AS rid, ROW_NUMBER() OVER (ORDER BY enqueued_at, rowid) AS n FROM generations) AS ranked
        WHERE generations.rowid = ranked.rid;

        -- The last sequence number given in each lane.
        CREATE TABLE IF NOT EXISTS lanes (
            lane     TEXT    NOT NULL PRIMARY KEY,
            last_seq INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO lanes (lane, last_seq) SELECT '', COUNT(*) FROM generations;

        CREATE INDEX IF NOT EXISTS ix_generations_lane_queued ON generations (lane, lane_seq) WHERE status = 'queued';
        CREATE INDEX IF NOT EXISTS ix_generations_lane_departed ON generations (lane, lane_seq) WHERE status <> 'queued';

        CREATE TABLE IF NOT EXISTS generation_counts (
            namespace  TEXT    NOT NULL,
            model      TEXT    NOT NULL,
            media_type TEXT    NOT NULL,
            status     TEXT    NOT NULL,
            count      INTEGER NOT NULL,
            PRIMARY KEY (namespace, model, media_type, status)
        ) WITHOUT ROWID;
        INSERT OR REPLACE INTO generation_counts (namespace, model, media_type, status, count)
            SELECT namespace, model, media_type, status, COUNT(*) FROM generations GROUP BY namespace, model, media_type, status;

        CREATE TRIGGER IF NOT EXISTS tr_generations_count_insert AFTER INSERT ON generations
        BEGIN
            INSERT INTO generation_counts (namespace, model, media_type, status, count) VALUES (NEW.namespace, NEW.model, NEW.media_type, NEW.status, 1)
            ON CONFLICT (namespace, model, media_type, status) DO UPDATE SET count = count + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_count_status AFTER UPDATE OF status ON generations WHEN OLD.status <> NEW.status
        BEGIN
            UPDATE generation_counts SET count = count - 1
            WHERE namespace = OLD.namespace AND model = OLD.model AND media_type = OLD.media_type AND status = OLD.status;
            INSERT INTO generation_counts (namespace, model, media_type, status, count) VALUES (NEW.namespace, NEW.model, NEW.media_type, NEW.status, 1)
            ON CONFLICT (namespace, model, media_type, status) DO UPDATE SET count = count + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_count_delete AFTER DELETE ON generations
        BEGIN
            UPDATE generation_counts SET count = count - 1
            WHERE namespace = OLD.namespace AND model = OLD.model AND media_type = OLD.media_type AND status = OLD.status;
        END;
        """,

        // Version 7 (webhooks). Endpoints per namespace with their secrets
        // (the previous one kept signing for a while after a rotation; url NULL is the namespace's signer of per-request
        // URLs); a request's own webhook_url per generation; deliveries, each derived from one event of the log for one
        // receiver — (event_seq, endpoint_id) is its identity, so deriving twice makes nothing twice — with the cursor
        // up to which the log was read, advanced in the same transaction as the deliveries it made.
        """
        CREATE TABLE IF NOT EXISTS webhook_endpoints (
            namespace           TEXT    NOT NULL,
            id                  TEXT    NOT NULL,
            url                 TEXT,
            events              TEXT    NOT NULL,
            secret              TEXT    NOT NULL,
            previous_secret     TEXT,
            previous_expires_at INTEGER,
            description         TEXT,
            created_at          INTEGER NOT NULL,
            PRIMARY KEY (namespace, id)
        );

        CREATE TABLE IF NOT EXISTS generation_webhooks (
            generation_id TEXT NOT NULL PRIMARY KEY,
            namespace     TEXT NOT NULL,
            url           TEXT NOT NULL
        );

        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            id               TEXT    NOT NULL PRIMARY KEY,
            namespace        TEXT    NOT NULL,
            endpoint_id      TEXT    NOT NULL,
            url              TEXT    NOT NULL,
            generation_id    TEXT    NOT NULL,
            event_seq        INTEGER NOT NULL,
            event_type       TEXT    NOT NULL,
            data             TEXT    NOT NULL,
            event_at         INTEGER NOT NULL,
            status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  INTEGER NOT NULL,
            retry_until      INTEGER NOT NULL,
            last_attempt_at  INTEGER,
            response_code    INTEGER,
            last_error       TEXT,
            delivered_at     INTEGER,
            lease_owner      TEXT,
            lease_expires_at INTEGER,
            UNIQUE (event_seq, endpoint_id)
        );
        -- The sender's look for due work sees only pending deliveries.
        CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_endpoint ON webhook_deliveries (namespace, endpoint_id, event_seq);
        CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_generation ON webhook_deliveries (namespace, generation_id, event_seq);

        -- Events before webhooks existed have no receivers: the cursor starts at the end of the log.
        CREATE TABLE IF NOT EXISTS webhook_cursor (
            id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            last_seq INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO webhook_cursor (id, last_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM events;
        """,

        // Version 8 (observability): the W3C
        // traceparent of the span that enqueued the row, so the worker that claims it, in whatever process, continues
        // the submitting request's trace. Null for rows from before, and for submitters that were not traced.
        """
        ALTER TABLE generations ADD COLUMN trace_parent TEXT;
        """,

        // Version 9: a shared service (issue 12).
        //
        // Fair claims: a lane's rows are split into sub-lanes, one per (priority, namespace), each with its own dense
        // sequence (lane_seq now counts within the sub-lane), its count of queued rows (kept by triggers) and its turn
        // (when a claim last took from it). A claim takes the head of the sub-lane whose turn is oldest, so namespaces
        // take turns (FairQueue); a position is a rank within the sub-lane (the v6 seeks) plus a sum over the lane's
        // sub-lanes, never a count of the queue.
        //
        // Quotas and usage: each row records its key, resolution and seconds of video; a ledger per (scope, resolution,
        // day) charged at enqueue and refunded when a row fails or is cancelled (triggers, so no path forgets); one usage
        // record per generation that ends; limits per key and per namespace set by an administrator (configuration
        // gives the defaults).
        """
        ALTER TABLE generations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE generations ADD COLUMN api_key_id TEXT;
        ALTER TABLE generations ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
        ALTER TABLE generations ADD COLUMN video_seconds INTEGER NOT NULL DEFAULT 0;

        UPDATE generations SET lane_seq = ranked.n
        FROM (SELECT rowid AS rid, ROW_NUMBER() OVER (PARTITION BY lane, priority, namespace ORDER BY enqueued_at, rowid) AS n FROM generations) AS ranked
        WHERE generations.rowid = ranked.rid;

        CREATE TABLE IF NOT EXISTS queue_lanes (
            lane      TEXT    NOT NULL,
            priority  INTEGER NOT NULL,
            namespace TEXT    NOT NULL,
            last_seq  INTEGER NOT NULL DEFAULT 0,
            queued    INTEGER NOT NULL DEFAULT 0,
            last_turn INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (lane, priority, namespace)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO queue_lanes (lane, priority, namespace, last_seq, queued, last_turn)
            SELECT lane, priority, namespace, MAX(lane_seq), SUM(status = 'queued'),
                   ROW_NUMBER() OVER (ORDER BY MIN(enqueued_at)) - 4611686018427387905
            FROM generations GROUP BY lane, priority, namespace;
        -- Turns: a claim gives the next positive one; a new sub-lane gets the next of the newcomers' (from -2^62), so
        -- sub-lanes never claimed from go first, in the order they first got a row.
        CREATE INDEX IF NOT EXISTS ix_queue_lanes_turn ON queue_lanes (last_turn);
        -- A claim reads the first few sub-lanes in turn order, without sorting them all.
        CREATE INDEX IF NOT EXISTS ix_queue_lanes_order ON queue_lanes (priority DESC, last_turn, namespace) WHERE queued > 0;
        DROP TABLE IF EXISTS lanes;

        DROP INDEX IF EXISTS ix_generations_lane_queued;
        DROP INDEX IF EXISTS ix_generations_lane_departed;
        CREATE INDEX IF NOT EXISTS ix_generations_sublane_queued ON generations (lane, priority, namespace, lane_seq) WHERE status = 'queued';
        CREATE INDEX IF NOT EXISTS ix_generations_sublane_departed ON generations (lane, priority, namespace, lane_seq) WHERE status <> 'queued';
        -- Per-key limits count a key's queued and running rows (up to the limit).
        CREATE INDEX IF NOT EXISTS ix_generations_key_status ON generations (api_key_id, status) WHERE api_key_id IS NOT NULL;

        CREATE TRIGGER IF NOT EXISTS tr_generations_queued_insert AFTER INSERT ON generations WHEN NEW.status = 'queued'
        BEGIN
            INSERT INTO queue_lanes (lane, priority, namespace, queued) VALUES (NEW.lane, NEW.priority, NEW.namespace, 1)
            ON CONFLICT (lane, priority, namespace) DO UPDATE SET queued = queued + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_queued_status AFTER UPDATE OF status ON generations
            WHEN (OLD.status = 'queued') <> (NEW.status = 'queued')
        BEGIN
            UPDATE queue_lanes SET queued = queued + (CASE WHEN NEW.status = 'queued' THEN 1 ELSE -1 END)
            WHERE lane = NEW.lane AND priority = NEW.priority AND namespace = NEW.namespace;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_queued_delete AFTER DELETE ON generations WHEN OLD.status = 'queued'
        BEGIN
            UPDATE queue_lanes SET queued = queued - 1 WHERE lane = OLD.lane AND priority = OLD.priority AND namespace = OLD.namespace;
        END;

        -- Seconds of video charged per scope ('namespace:<ns>' or 'key:<id>'), resolution and UTC day of enqueue.
        CREATE TABLE IF NOT EXISTS video_budget (
            scope      TEXT    NOT NULL,
            resolution TEXT    NOT NULL,
            day        TEXT    NOT NULL,
            seconds    INTEGER NOT NULL,
            PRIMARY KEY (scope, resolution, day)
        ) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS tr_generations_budget_charge AFTER INSERT ON generations WHEN NEW.video_seconds > 0
        BEGIN
            INSERT INTO video_budget (scope, resolution, day, seconds)
                SELECT scope, NEW.resolution, date(NEW.enqueued_at / 1000, 'unixepoch'), NEW.video_seconds
                FROM (SELECT 'namespace:' || NEW.namespace AS scope UNION ALL SELECT 'key:' || NEW.api_key_id WHERE NEW.api_key_id IS NOT NULL)
                WHERE true
            ON CONFLICT (scope, resolution, day) DO UPDATE SET seconds = seconds + excluded.seconds;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_budget_refund AFTER UPDATE OF status ON generations
            WHEN NEW.video_seconds > 0 AND NEW.status IN ('failed', 'cancelled') AND OLD.status IN ('queued', 'processing')
        BEGIN
            UPDATE video_budget SET seconds = seconds - NEW.video_seconds
            WHERE scope IN ('namespace:' || NEW.namespace, 'key:' || COALESCE(NEW.api_key_id, ''))
              AND resolution = NEW.resolution AND day = date(NEW.enqueued_at / 1000, 'unixepoch');
        END;

        -- What each generation consumed, written when it ends (and kept when the row itself is deleted later).
        CREATE TABLE IF NOT EXISTS usage_records (
            generation_id TEXT    NOT NULL PRIMARY KEY,
            namespace     TEXT    NOT NULL,
            api_key_id    TEXT,
            engine        TEXT    NOT NULL,
            model         TEXT    NOT NULL,
            resolution    TEXT    NOT NULL,
            status        TEXT    NOT NULL,
            video_seconds INTEGER NOT NULL,
            wall_ms       INTEGER NOT NULL,
            attempts      INTEGER NOT NULL,
            ended_at      INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_usage_records_namespace ON usage_records (namespace, ended_at);
        CREATE TRIGGER IF NOT EXISTS tr_generations_usage AFTER UPDATE OF status ON generations
            WHEN NEW.status IN ('succeeded', 'failed', 'cancelled') AND OLD.status IN ('queued', 'processing')
        BEGIN
            INSERT OR REPLACE INTO usage_records
                (generation_id, namespace, api_key_id, engine, model, resolution, status, video_seconds, wall_ms, attempts, ended_at)
            VALUES (NEW.id, NEW.namespace, NEW.api_key_id, NEW.lane, NEW.model, NEW.resolution, NEW.status,
                    CASE WHEN NEW.status = 'succeeded' THEN NEW.video_seconds ELSE 0 END,
                    CASE WHEN NEW.started_at IS NULL THEN 0 ELSE MAX(0, COALESCE(NEW.completed_at, NEW.started_at) - NEW.started_at) END,
                    NEW.attempt - NEW.handed_back, COALESCE(NEW.completed_at, NEW.enqueued_at));
        END;

        -- Limits an administrator set for one key or one namespace; a NULL column means the configured default.
        CREATE TABLE IF NOT EXISTS quota_limits (
            scope               TEXT    NOT NULL PRIMARY KEY,
            requests_per_minute INTEGER,
            max_running         INTEGER,
            max_queued          INTEGER,
            priority            INTEGER,
            budgets             TEXT,
            updated_at          INTEGER NOT NULL
        );
        """,

        // Version 10: a limit on queued generations is checked without counting the queue. A namespace's queued rows
        // are the sum of its sub-lanes' counts (queue_lanes, a few rows); a key's are kept here by triggers, like
        // the sub-lanes'. Counting the rows themselves cost each enqueue more the longer the queue grew.
        """
        CREATE INDEX IF NOT EXISTS ix_queue_lanes_namespace ON queue_lanes (namespace);
        CREATE TABLE IF NOT EXISTS key_queues (
            api_key_id TEXT    NOT NULL PRIMARY KEY,
            queued     INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO key_queues (api_key_id, queued)
            SELECT api_key_id, COUNT(*) FROM generations WHERE status = 'queued' AND api_key_id IS NOT NULL GROUP BY api_key_id;
        -- Into the queue (an enqueue, a hand-back, a retry): an upsert, since a row may have been written before this table.
        CREATE TRIGGER IF NOT EXISTS tr_generations_key_queued_insert AFTER INSERT ON generations
            WHEN NEW.status = 'queued' AND NEW.api_key_id IS NOT NULL
        BEGIN
            INSERT INTO key_queues (api_key_id, queued) VALUES (NEW.api_key_id, 1)
            ON CONFLICT (api_key_id) DO UPDATE SET queued = queued + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_key_queued_enter AFTER UPDATE OF status ON generations
            WHEN NEW.api_key_id IS NOT NULL AND NEW.status = 'queued' AND OLD.status <> 'queued'
        BEGIN
            INSERT INTO key_queues (api_key_id, queued) VALUES (NEW.api_key_id, 1)
            ON CONFLICT (api_key_id) DO UPDATE SET queued = queued + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_key_queued_leave AFTER UPDATE OF status ON generations
            WHEN OLD.api_key_id IS NOT NULL AND OLD.status = 'queued' AND NEW.status <> 'queued'
        BEGIN
            UPDATE key_queues SET queued = queued - 1 WHERE api_key_id = OLD.api_key_id;
        END;
        CREATE TRIGGER IF NOT EXISTS tr_generations_key_queued_delete AFTER DELETE ON generations
            WHEN OLD.status = 'queued' AND OLD.api_key_id IS NOT NULL
        BEGIN
            UPDATE key_queues SET queued = queued - 1 WHERE api_key_id = OLD.api_key_id;
        END;
        """,

        // Version 11: the admin API (issue 12). A revoked key is kept, marked, so a list says what became of it (and
        // its usage stays attributed); when a key was last used, written at most about once a minute per key. Usage
        // across namespaces reads a range of days of every namespace at once.
        """
        ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;
        ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
        CREATE INDEX IF NOT EXISTS ix_usage_records_ended ON usage_records (ended_at);
        """,

        // Version 12: retention (issue 12): outputs and uploaded files expire after a configured time per namespace unless pinned.
        // When they expire is computed from the setting as it is now (completed_at / updated_at + the namespace's
        // retention), so only the pin and the fact of expiry are stored: expired_at is set (and the output key cleared)
        // by the sweeper in the same transaction, so a row never points at a blob that is going. The partial indexes
        // hold only what can still expire, so a sweep reads no row it cannot act on.
        """
        ALTER TABLE generations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE generations ADD COLUMN expired_at INTEGER;
        CREATE INDEX IF NOT EXISTS ix_generations_expirable ON generations (completed_at) WHERE status = 'succeeded' AND pinned = 0 AND expired_at IS NULL;

        ALTER TABLE repo_files ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE repo_files ADD COLUMN expired_at INTEGER;
        CREATE INDEX IF NOT EXISTS ix_repo_files_expirable ON repo_files (updated_at) WHERE pinned = 0 AND expired_at IS NULL;
        -- Whether other files still hold a content hash before its blob is deleted.
        CREATE INDEX IF NOT EXISTS ix_repo_files_content ON repo_files (content_hash) WHERE expired_at IS NULL;
        """,

        // Version 13: fewer index entries per enqueue (issue 15). An enqueue wrote eleven B-trees; three of them served
        // only rows that are processing, or nothing: (status, enqueued_at) has had no reader since claims go by sub-lane
        // (version 9), and the lease and per-key indexes are read only for processing rows (expired leases, the load
        // of each worker, keys at their running limit). Partial, they take an entry when a row starts and drop it
        // when it ends, so a queued row never writes them. Measured on SQLite alone: a third less CPU per inserted row.
        """
        DROP INDEX IF EXISTS ix_generations_claim;
        DROP INDEX IF EXISTS ix_generations_lease;
        CREATE INDEX IF NOT EXISTS ix_generations_lease ON generations (lease_expires_at) WHERE status = 'processing';
        DROP INDEX IF EXISTS ix_generations_key_status;
        CREATE INDEX IF NOT EXISTS ix_generations_key_processing ON generations (api_key_id) WHERE status = 'processing' AND api_key_id IS NOT NULL;
        """,

        // Version 14: a row's version (issue 15), which every write of the row changes, so a reader that keeps a row
        // as it was read (the server keeps its JSON) knows from the version alone whether it is still the row. A
        // trigger rather than each UPDATE statement, so no write can forget it. Recursive triggers are off, so the
        // trigger's own UPDATE does not fire it again.
        """
        ALTER TABLE generations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        CREATE TRIGGER IF NOT EXISTS tr_generations_version AFTER UPDATE ON generations
        BEGIN
            UPDATE generations SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
        END;
        """,

        // Version 15: an enqueue's counters added once per round, not once per row (issue 15). The four insert
        // triggers ran a sub-program per row and counter (a third of the writer's CPU per enqueue); the one statement
        // that inserts generations now sums what its rows add, and the writer adds the sums before any other statement
        // and before the commit (InsertedRowCounts), so every reader in or after the transaction sees exact counters.
        // Status changes and deletes keep their triggers.
        """
        DROP TRIGGER IF EXISTS tr_generations_count_insert;
        DROP TRIGGER IF EXISTS tr_generations_queued_insert;
        DROP TRIGGER IF EXISTS tr_generations_budget_charge;
        DROP TRIGGER IF EXISTS tr_generations_key_queued_insert;
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>Brings the database up to <see cref="LatestVersion"/>; safe to run at every start, from any number of processes.</summary>
    public static void Migrate(SqliteConnection connection, long nowUnixMilliseconds)
    {
        Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    INTEGER NOT NULL PRIMARY KEY,
                applied_at INTEGER NOT NULL
            );
            """);

        // IMMEDIATE takes the write lock before reading the version, so two processes starting at
        // once cannot both apply the same migration.
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = CurrentVersion(connection, transaction);
        if (current > LatestVersion)
        {
            throw new Paddock.Core.Hosting.StartupException(
                $"the database {connection.DataSource} is at schema version {current}, newer than this Paddock knows ({LatestVersion}): upgrade Paddock, or use another data directory (--data-dir)");
        }

        for (var version = current + 1; version <= LatestVersion; version++)
        {
            Execute(connection, transaction, Migrations[version - 1]);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $now)";
            record.Parameters.AddWithValue("$version", version);
            record.Parameters.AddWithValue("$now", nowUnixMilliseconds);
            record.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
