using Npgsql;

namespace Paddock.Storage.Postgres.Internal;

/// <summary>
/// The tables and their versions. At every start each process takes one advisory lock, reads the version and applies
/// the scripts it lacks, all in one transaction (PostgreSQL's DDL is transactional): processes starting at once wait
/// for each other, and the first to take the lock migrates while the rest find the work done.
/// </summary>
/// <remarks>The shapes follow the SQLite store's (its schema says why each exists); what differs is said here.</remarks>
internal static class PostgresSchema
{
    /// <summary>The advisory lock key of migrations ("paddock" in ASCII). Other keys use the two-integer form, a separate key space.</summary>
    private const long MigrationLock = 0x70_61_64_64_6f_63_6b;

    private static readonly string[] Migrations =
    [
        // Version 1: everything the SQLite store has at its version 6.
        """
        CREATE TABLE generations (
            id               uuid        NOT NULL PRIMARY KEY,
            -- Enqueue order among rows of one instant, and the keyset cursor's tie-break (SQLite's rowid).
            pos              bigint      NOT NULL GENERATED ALWAYS AS IDENTITY,
            namespace        text        NOT NULL,
            model            text        NOT NULL,
            media_type       text        NOT NULL,
            status           text        NOT NULL CHECK (status IN ('queued', 'processing', 'succeeded', 'failed', 'cancelled')),
            -- Text, not jsonb: a row reads back exactly as it was written.
            parameters       text        NOT NULL,
            enqueued_at      timestamptz NOT NULL,
            started_at       timestamptz,
            completed_at     timestamptz,
            error_message    text,
            error_type       text,
            error_code       text,
            status_message   text,
            output_key       text,
            progress_phase   text,
            progress_percent integer,
            progress_eta     integer,
            attempt          integer     NOT NULL DEFAULT 0,
            handed_back      integer     NOT NULL DEFAULT 0,
            retries          integer     NOT NULL DEFAULT 0,
            retry_at         timestamptz,
            lease_owner      text,
            lease_expires_at timestamptz,
            remote_job       text,
            remote_cancel    text        CHECK (remote_cancel IN ('pending', 'cancelled', 'refused')),
            lane             text        NOT NULL,
            lane_seq         bigint      NOT NULL
        );
        -- Claims: the oldest queued row (only queued rows are indexed, so the index stays as small as the queue).
        CREATE INDEX ix_generations_claim ON generations (enqueued_at, pos) WHERE status = 'queued';
        -- Lists, newest first: one index range per namespace, or per namespace and status.
        CREATE INDEX ix_generations_namespace ON generations (namespace, enqueued_at, pos);
        CREATE INDEX ix_generations_namespace_status ON generations (namespace, status, enqueued_at, pos);
        -- Recovery: processing rows whose lease ran out.
        CREATE INDEX ix_generations_lease ON generations (lease_expires_at) WHERE status = 'processing';
        -- Remote cancels still to carry out.
        CREATE INDEX ix_generations_remote_cancel ON generations (completed_at) WHERE remote_cancel = 'pending';
        -- Queue positions: a lane's head, and the rows between it and a row that left the queue out of order.
        CREATE INDEX ix_generations_lane_queued ON generations (lane, lane_seq) WHERE status = 'queued';
        CREATE INDEX ix_generations_lane_departed ON generations (lane, lane_seq) WHERE status <> 'queued';

        -- The last sequence number given in each lane. Taking one locks the lane's row until the enqueue commits, so
        -- the numbers of a lane are dense (a rolled-back enqueue rolls its number back too).
        CREATE TABLE lanes (
            lane     text   NOT NULL PRIMARY KEY,
            last_seq bigint NOT NULL
        );

        -- Totals. Every row change adds a delta (by trigger, in its own transaction), and a fold moves the deltas into
        -- the counts now and then; a total is the counts plus the deltas not folded yet. Writers only ever insert
        -- deltas, so no two transactions wait on one hot counter row (or deadlock over two of them).
        CREATE TABLE generation_counts (
            namespace  text   NOT NULL,
            model      text   NOT NULL,
            media_type text   NOT NULL,
            status     text   NOT NULL,
            count      bigint NOT NULL,
            PRIMARY KEY (namespace, model, media_type, status)
        );
        CREATE TABLE generation_count_deltas (
            id         bigint  NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            namespace  text    NOT NULL,
            model      text    NOT NULL,
            media_type text    NOT NULL,
            status     text    NOT NULL,
            delta      integer NOT NULL
        );
        CREATE INDEX ix_generation_count_deltas_namespace ON generation_count_deltas (namespace, status);

        CREATE FUNCTION generations_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO generation_count_deltas (namespace, model, media_type, status, delta)
                VALUES (NEW.namespace, NEW.model, NEW.media_type, NEW.status, 1);
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                INSERT INTO generation_count_deltas (namespace, model, media_type, status, delta)
                VALUES (OLD.namespace, OLD.model, OLD.media_type, OLD.status, -1);
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_generations_count_insert AFTER INSERT ON generations
            FOR EACH ROW EXECUTE FUNCTION generations_count_delta();
        CREATE TRIGGER tr_generations_count_status AFTER UPDATE OF status ON generations
            FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION generations_count_delta();
        CREATE TRIGGER tr_generations_count_delete AFTER DELETE ON generations
            FOR EACH ROW EXECUTE FUNCTION generations_count_delta();

        -- Events carry their sequence number from event_sequence, taken at the very end of the appending transaction:
        -- its row lock is held until commit, so numbers are given in commit order (the visibility order rule).
        CREATE TABLE events (
            seq        bigint      NOT NULL PRIMARY KEY,
            namespace  text        NOT NULL,
            type       text        NOT NULL,
            data       text        NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX ix_events_namespace ON events (namespace, seq);
        CREATE TABLE event_sequence (
            id       integer NOT NULL PRIMARY KEY CHECK (id = 1),
            last_seq bigint  NOT NULL
        );
        INSERT INTO event_sequence (id, last_seq) VALUES (1, 0);

        CREATE TABLE api_keys (
            id         text        NOT NULL PRIMARY KEY,
            hash       text        NOT NULL UNIQUE,
            namespace  text        NOT NULL,
            name       text,
            created_at timestamptz NOT NULL
        );

        CREATE TABLE file_commits (
            id         text        NOT NULL PRIMARY KEY,
            pos        bigint      NOT NULL GENERATED ALWAYS AS IDENTITY,
            namespace  text        NOT NULL,
            repo       text        NOT NULL,
            branch     text        NOT NULL,
            message    text        NOT NULL,
            author     text        NOT NULL,
            parent_id  text,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX ix_file_commits_branch ON file_commits (namespace, repo, branch, created_at, pos);

        -- Paths compare byte by byte (collation "C"), so everything below "dir/" lies in ["dir/", "dir0").
        CREATE TABLE repo_files (
            namespace    text        NOT NULL,
            repo         text        NOT NULL,
            branch       text        NOT NULL,
            path         text        COLLATE "C" NOT NULL,
            content_hash text        NOT NULL,
            size         bigint      NOT NULL,
            content_type text        NOT NULL,
            commit_id    text        NOT NULL,
            updated_at   timestamptz NOT NULL,
            PRIMARY KEY (namespace, repo, branch, path)
        );

        CREATE TABLE idempotency_keys (
            namespace      text        NOT NULL,
            key            text        NOT NULL,
            fingerprint    text        NOT NULL,
            generation_ids uuid[]      NOT NULL,
            expires_at     timestamptz NOT NULL,
            PRIMARY KEY (namespace, key)
        );
        CREATE INDEX ix_idempotency_expiry ON idempotency_keys (expires_at);
        """,

        // Version 2 (webhooks; SQLite's version 7): the same tables
        // as SQLite's. Deriving deliveries locks the cursor row first, so processes deriving at once take turns, and each
        // delivery's identity (event_seq, endpoint_id) makes a repeat a no-op.
        """
        CREATE TABLE webhook_endpoints (
            namespace           text        NOT NULL,
            id                  text        NOT NULL,
            url                 text,
            events              text[]      NOT NULL,
            secret              text        NOT NULL,
            previous_secret     text,
            previous_expires_at timestamptz,
            description         text,
            created_at          timestamptz NOT NULL,
            PRIMARY KEY (namespace, id)
        );

        CREATE TABLE generation_webhooks (
            generation_id uuid NOT NULL PRIMARY KEY,
            namespace     text NOT NULL,
            url           text NOT NULL
        );

        CREATE TABLE webhook_deliveries (
            id               text        NOT NULL PRIMARY KEY,
            namespace        text        NOT NULL,
            endpoint_id      text        NOT NULL,
            url              text        NOT NULL,
            generation_id    uuid        NOT NULL,
            event_seq        bigint      NOT NULL,
            event_type       text        NOT NULL,
            data             text        NOT NULL,
            event_at         timestamptz NOT NULL,
            status           text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts         integer     NOT NULL DEFAULT 0,
            next_attempt_at  timestamptz NOT NULL,
            retry_until      timestamptz NOT NULL,
            last_attempt_at  timestamptz,
            response_code    integer,
            last_error       text,
            delivered_at     timestamptz,
            lease_owner      text,
            lease_expires_at timestamptz,
            UNIQUE (event_seq, endpoint_id)
        );
        CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (namespace, endpoint_id, event_seq);
        CREATE INDEX ix_webhook_deliveries_generation ON webhook_deliveries (namespace, generation_id, event_seq);

        CREATE TABLE webhook_cursor (
            id       integer NOT NULL PRIMARY KEY CHECK (id = 1),
            last_seq bigint  NOT NULL
        );
        INSERT INTO webhook_cursor (id, last_seq) SELECT 1, last_seq FROM event_sequence WHERE id = 1;
        """,

        // Version 3 (observability): the traceparent of the span that enqueued the row, as SQLite's version 8.
        """
        ALTER TABLE generations ADD COLUMN trace_parent text;
        """,

        // Version 4: a shared service (issue 12), as the SQLite store's version 9.
        //
        // Fair claims: a lane's rows are split into sub-lanes, one per (priority, namespace), each with its own dense
        // sequence (lane_seq now counts within the sub-lane), its count of queued rows (kept by triggers, on the row an
        // enqueue into the sub-lane locks anyway for its sequence number) and its turn (from queue_turns, when a claim
        // last took from it). A claim takes the head of the sub-lane whose turn is oldest, so namespaces take turns
        // (FairQueue); a position is a rank within the sub-lane plus a sum over the lane's sub-lanes.
        //
        // Quotas and usage: each row records its key, resolution and seconds of video; a ledger per (scope, resolution,
        // day) charged at enqueue and refunded when a row fails or is cancelled; one usage record per generation that
        // ends; limits per key and per namespace set by an administrator (configuration gives the defaults).
        """
        ALTER TABLE generations
            ADD COLUMN priority      integer NOT NULL DEFAULT 0,
            ADD COLUMN api_key_id    text,
            ADD COLUMN resolution    text    NOT NULL DEFAULT '',
            ADD COLUMN video_seconds integer NOT NULL DEFAULT 0;

        UPDATE generations g SET lane_seq = ranked.n
        FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY lane, priority, namespace ORDER BY enqueued_at, pos) AS n FROM generations) AS ranked
        WHERE g.id = ranked.id;

        CREATE TABLE queue_lanes (
            lane      text    NOT NULL,
            priority  integer NOT NULL,
            namespace text    NOT NULL,
            last_seq  bigint  NOT NULL DEFAULT 0,
            queued    bigint  NOT NULL DEFAULT 0,
            last_turn bigint  NOT NULL DEFAULT 0,
            PRIMARY KEY (lane, priority, namespace)
        );
        INSERT INTO queue_lanes (lane, priority, namespace, last_seq, queued, last_turn)
            SELECT lane, priority, namespace, MAX(lane_seq), COUNT(*) FILTER (WHERE status = 'queued'),
                   ROW_NUMBER() OVER (ORDER BY MIN(enqueued_at)) - 4611686018427387905
            FROM generations GROUP BY lane, priority, namespace;
        -- Turns: a claim gives the next positive one; a new sub-lane gets the next of the newcomers' (from -2^62), so
        -- sub-lanes never claimed from go first, in the order they first got a row.
        -- A claim reads the first few sub-lanes in turn order, without sorting them all.
        CREATE INDEX ix_queue_lanes_order ON queue_lanes (priority DESC, last_turn, namespace COLLATE "C") WHERE queued > 0;
        CREATE SEQUENCE queue_turns;
        CREATE SEQUENCE queue_newcomers MINVALUE -4611686018427387904 START -4611686018427387000;
        DROP TABLE lanes;

        DROP INDEX ix_generations_lane_queued;
        DROP INDEX ix_generations_lane_departed;
        CREATE INDEX ix_generations_sublane_queued ON generations (lane, priority, namespace, lane_seq) WHERE status = 'queued';
        CREATE INDEX ix_generations_sublane_departed ON generations (lane, priority, namespace, lane_seq) WHERE status <> 'queued';
        CREATE INDEX ix_generations_key_status ON generations (api_key_id, status) WHERE api_key_id IS NOT NULL;

        CREATE FUNCTION generations_queue_lane() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'queued' THEN
                UPDATE queue_lanes SET queued = queued - 1
                WHERE lane = OLD.lane AND priority = OLD.priority AND namespace = OLD.namespace;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'queued' THEN
                INSERT INTO queue_lanes (lane, priority, namespace, queued) VALUES (NEW.lane, NEW.priority, NEW.namespace, 1)
                ON CONFLICT (lane, priority, namespace) DO UPDATE SET queued = queue_lanes.queued + 1;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_generations_queued_insert AFTER INSERT ON generations
            FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION generations_queue_lane();
        CREATE TRIGGER tr_generations_queued_status AFTER UPDATE OF status ON generations
            FOR EACH ROW WHEN ((OLD.status = 'queued') <> (NEW.status = 'queued')) EXECUTE FUNCTION generations_queue_lane();
        CREATE TRIGGER tr_generations_queued_delete AFTER DELETE ON generations
            FOR EACH ROW WHEN (OLD.status = 'queued') EXECUTE FUNCTION generations_queue_lane();

        -- Seconds of video charged per scope ('namespace:<ns>' or 'key:<id>'), resolution and UTC day of enqueue.
        CREATE TABLE video_budget (
            scope      text    NOT NULL,
            resolution text    NOT NULL,
            day        date    NOT NULL,
            seconds    bigint  NOT NULL,
            PRIMARY KEY (scope, resolution, day)
        );
        CREATE FUNCTION generations_video_budget() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            delta bigint := CASE WHEN TG_OP = 'INSERT' THEN NEW.video_seconds ELSE -NEW.video_seconds END;
            on_day date := (NEW.enqueued_at AT TIME ZONE 'UTC')::date;
        BEGIN
            INSERT INTO video_budget (scope, resolution, day, seconds) VALUES ('namespace:' || NEW.namespace, NEW.resolution, on_day, delta)
            ON CONFLICT (scope, resolution, day) DO UPDATE SET seconds = video_budget.seconds + EXCLUDED.seconds;
            IF NEW.api_key_id IS NOT NULL THEN
                INSERT INTO video_budget (scope, resolution, day, seconds) VALUES ('key:' || NEW.api_key_id, NEW.resolution, on_day, delta)
                ON CONFLICT (scope, resolution, day) DO UPDATE SET seconds = video_budget.seconds + EXCLUDED.seconds;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_generations_budget_charge AFTER INSERT ON generations
            FOR EACH ROW WHEN (NEW.video_seconds > 0) EXECUTE FUNCTION generations_video_budget();
        CREATE TRIGGER tr_generations_budget_refund AFTER UPDATE OF status ON generations
            FOR EACH ROW WHEN (NEW.video_seconds > 0 AND NEW.status IN ('failed', 'cancelled') AND OLD.status IN ('queued', 'processing'))
            EXECUTE FUNCTION generations_video_budget();

        -- What each generation consumed, written when it ends (and kept when the row itself is deleted later).
        CREATE TABLE usage_records (
            generation_id uuid        NOT NULL PRIMARY KEY,
            namespace     text        NOT NULL,
            api_key_id    text,
            engine        text        NOT NULL,
            model         text        NOT NULL,
            resolution    text        NOT NULL,
            status        text        NOT NULL,
            video_seconds integer     NOT NULL,
            wall_ms       bigint      NOT NULL,
            attempts      integer     NOT NULL,
            ended_at      timestamptz NOT NULL
        );
        CREATE INDEX ix_usage_records_namespace ON usage_records (namespace, ended_at);
        CREATE FUNCTION generations_usage() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO usage_records (generation_id, namespace, api_key_id, engine, model, resolution, status, video_seconds, wall_ms, attempts, ended_at)
            VALUES (NEW.id, NEW.namespace, NEW.api_key_id, NEW.lane, NEW.model, NEW.resolution, NEW.status,
                    CASE WHEN NEW.status = 'succeeded' THEN NEW.video_seconds ELSE 0 END,
                    CASE WHEN NEW.started_at IS NULL THEN 0
                         ELSE GREATEST(0, (EXTRACT(EPOCH FROM COALESCE(NEW.completed_at, NEW.started_at) - NEW.started_at) * 1000)::bigint) END,
                    NEW.attempt - NEW.handed_back, COALESCE(NEW.completed_at, NEW.enqueued_at))
            ON CONFLICT (generation_id) DO NOTHING;
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_generations_usage AFTER UPDATE OF status ON generations
            FOR EACH ROW WHEN (NEW.status IN ('succeeded', 'failed', 'cancelled') AND OLD.status IN ('queued', 'processing'))
            EXECUTE FUNCTION generations_usage();

        -- Limits an administrator set for one key or one namespace; a NULL column means the configured default.
        CREATE TABLE quota_limits (
            scope               text        NOT NULL PRIMARY KEY,
            requests_per_minute integer,
            max_running         integer,
            max_queued          integer,
            priority            integer,
            budgets             text,
            updated_at          timestamptz NOT NULL
        );
        """,

        // Version 5: a limit on queued generations is checked without counting the queue. A namespace's queued rows
        // are the sum of its sub-lanes' counts (queue_lanes, a few rows); a key's are kept here by a trigger, like
        // the sub-lanes'. Counting the rows themselves cost each enqueue more the longer the queue grew.
        """
        CREATE INDEX ix_queue_lanes_namespace ON queue_lanes (namespace);
        CREATE TABLE key_queues (
            api_key_id text   NOT NULL PRIMARY KEY,
            queued     bigint NOT NULL DEFAULT 0
        );
        INSERT INTO key_queues (api_key_id, queued)
            SELECT api_key_id, COUNT(*) FROM generations WHERE status = 'queued' AND api_key_id IS NOT NULL GROUP BY api_key_id;

        CREATE FUNCTION generations_key_queue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'queued' AND OLD.api_key_id IS NOT NULL THEN
                UPDATE key_queues SET queued = queued - 1 WHERE api_key_id = OLD.api_key_id;
            END IF;
            -- An upsert: a row may have been written before this table.
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'queued' AND NEW.api_key_id IS NOT NULL THEN
                INSERT INTO key_queues (api_key_id, queued) VALUES (NEW.api_key_id, 1)
                ON CONFLICT (api_key_id) DO UPDATE SET queued = key_queues.queued + 1;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_generations_key_queued_insert AFTER INSERT ON generations
            FOR EACH ROW WHEN (NEW.status = 'queued' AND NEW.api_key_id IS NOT NULL) EXECUTE FUNCTION generations_key_queue();
        CREATE TRIGGER tr_generations_key_queued_status AFTER UPDATE OF status ON generations
            FOR EACH ROW WHEN ((OLD.status = 'queued') <> (NEW.status = 'queued') AND COALESCE(NEW.api_key_id, OLD.api_key_id) IS NOT NULL)
            EXECUTE FUNCTION generations_key_queue();
        CREATE TRIGGER tr_generations_key_queued_delete AFTER DELETE ON generations
            FOR EACH ROW WHEN (OLD.status = 'queued' AND OLD.api_key_id IS NOT NULL) EXECUTE FUNCTION generations_key_queue();
        """,

        // Version 6: the admin API (issue 12), as the SQLite store's version 11.
        """
        ALTER TABLE api_keys
            ADD COLUMN revoked_at   timestamptz,
            ADD COLUMN last_used_at timestamptz;
        CREATE INDEX ix_usage_records_ended ON usage_records (ended_at);
        """,

        // Version 7: retention (issue 12), as the SQLite store's version 12: a pin and the time of expiry on generations and files.
        // Several processes may sweep one database: each marks rows under FOR UPDATE SKIP LOCKED, so a row is marked,
        // and its blob deleted, by one of them.
        """
        ALTER TABLE generations ADD COLUMN pinned boolean NOT NULL DEFAULT false;
        ALTER TABLE generations ADD COLUMN expired_at timestamptz;
        CREATE INDEX ix_generations_expirable ON generations (completed_at) WHERE status = 'succeeded' AND NOT pinned AND expired_at IS NULL;

        ALTER TABLE repo_files ADD COLUMN pinned boolean NOT NULL DEFAULT false;
        ALTER TABLE repo_files ADD COLUMN expired_at timestamptz;
        CREATE INDEX ix_repo_files_expirable ON repo_files (updated_at) WHERE NOT pinned AND expired_at IS NULL;
        CREATE INDEX ix_repo_files_content ON repo_files (content_hash) WHERE expired_at IS NULL;
        """,

        // Version 8: as the SQLite store's version 13, the per-key index holds only processing rows (the only ones it is
        // read for: keys at their running limit), so an enqueue does not write it. The claim and lease indexes were
        // partial from the start.
        """
        DROP INDEX IF EXISTS ix_generations_key_status;
        CREATE INDEX IF NOT EXISTS ix_generations_key_processing ON generations (api_key_id) WHERE status = 'processing' AND api_key_id IS NOT NULL;
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>Brings the database up to <see cref="LatestVersion"/>; safe to run at every start, from any number of processes at once.</summary>
    public static void Migrate(NpgsqlConnection connection, DateTimeOffset now, string where)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    integer     NOT NULL PRIMARY KEY,
                applied_at timestamptz NOT NULL
            )
            """);
        var current = CurrentVersion(connection, transaction);
        if (current > LatestVersion)
        {
            throw new Paddock.Core.Hosting.StartupException(
                $"the PostgreSQL database {where} is at schema version {current}, newer than this Paddock knows ({LatestVersion}): upgrade Paddock, or point Paddock:Storage:Postgres:ConnectionString at another database");
        }

        for (var version = current + 1; version <= LatestVersion; version++)
        {
            Execute(connection, transaction, Migrations[version - 1]);
            using var record = new NpgsqlCommand("INSERT INTO schema_version (version, applied_at) VALUES (@version, @now)", connection, transaction);
            record.Parameters.AddWithValue("version", version);
            record.Parameters.AddWithValue("now", now.ToUniversalTime());
            record.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public static int CurrentVersion(NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
    {
        using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", connection, transaction);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
