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
