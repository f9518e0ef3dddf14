using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Queue;

namespace Paddock.Storage.Sqlite.Tests;

/// <summary>What is particular to the SQLite backend: the file, the schema, and the single writer.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly SqliteTestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Opening_an_existing_file_keeps_its_schema_and_data()
    {
        var generation = NewGeneration();
        await using (var first = _database.OpenSqlite(_time))
            await first.Generations.EnqueueAsync([generation]);

        await using var second = _database.OpenSqlite(_time);

        Assert.NotNull(await second.Generations.GetAsync("alice", generation.Id));
        using var connection = OpenRaw();
        Assert.Equal(Enumerable.Range(1, SqliteStore.SchemaVersion).Select(v => (object)(long)v), Column(connection, "SELECT version FROM schema_version ORDER BY version"));
        Assert.Equal(15, SqliteStore.SchemaVersion);
        Assert.Equal(["wal"], Column(connection, "PRAGMA journal_mode"));
        Assert.Subset(
            new HashSet<object>(Column(connection, "SELECT name FROM sqlite_master WHERE type = 'index'")),
            new HashSet<object> { "ix_generations_namespace", "ix_generations_namespace_status", "ix_generations_lease", "ix_generations_key_processing", "ix_generations_sublane_queued", "ix_events_namespace" });
        // Version 13: an index no statement read is gone (an enqueue wrote it for nothing).
        Assert.DoesNotContain("ix_generations_claim", Column(connection, "SELECT name FROM sqlite_master WHERE type = 'index'"));
    }

    [Fact]
    public async Task A_file_from_a_newer_version_is_refused()
    {
        await using (_database.OpenSqlite(_time))
        {
        }
        using (var connection = OpenRaw())
            Column(connection, "INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");

        // A start names the file, the versions and what to do, in one line (the server prints it and exits 4).
        var error = Assert.Throws<Paddock.Core.Hosting.StartupException>(() => _database.OpenSqlite(_time));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade Paddock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_memory_databases_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SqliteStore(":memory:", _time));
    }

    [Fact]
    public async Task A_failing_write_undoes_only_itself_and_the_rest_of_its_batch_commits()
    {
        await using var store = _database.OpenSqlite(_time);
        var existing = NewGeneration();
        await store.Generations.EnqueueAsync([existing]);

        // Queued together, so they share transactions: every tenth carries a duplicate id.
        var good = new List<NewGeneration>();
        var doomed = new List<NewGeneration>();
        var writes = new List<Task>();
        for (var i = 0; i < 300; i++)
        {
            var row = NewGeneration();
            if (i % 10 == 0)
            {
                doomed.Add(row);
                writes.Add(store.Generations.EnqueueAsync([row, existing]));
            }
            else
            {
                good.Add(row);
                writes.Add(store.Generations.EnqueueAsync([row]));
            }
        }
        await Task.WhenAll(writes.Select(async w => { try { await w; } catch (SqliteException) { } }));

        Assert.Equal(doomed.Count, writes.Count(w => w.Exception?.InnerException is SqliteException { SqliteErrorCode: 19 }));
        foreach (var row in doomed)
            Assert.Null(await store.Generations.GetAsync("alice", row.Id));
        foreach (var row in good)
            Assert.NotNull(await store.Generations.GetAsync("alice", row.Id));
        // The doomed rows were inserted before their duplicates failed: what they added to the counters went with them.
        using var connection = OpenRaw();
        AssertCountersMatchRows(connection);
        Assert.Equal([(long)good.Count + 1], Column(connection, "SELECT count FROM generation_counts WHERE namespace = 'alice' AND status = 'queued'"));
    }

    [Fact]
    public async Task Counters_stay_exact_when_one_round_enqueues_cancels_and_claims_the_same_rows()
    {
        // Enqueues add to the counters once per round (schema version 15); a cancel or claim in the same round must
        // count from the rows enqueued before it, or a counter drifts for good.
        await using var store = _database.OpenSqlite(_time);
        // Every fourth row is the first of its namespace and key, so its counters do not exist until its round adds them.
        var rows = Enumerable.Range(0, 240).Select(i => new NewGeneration(
            Guid.NewGuid(), i % 4 == 1 ? $"solo-{i}" : i % 3 == 0 ? "bob" : "alice", "happyhorse-1.0-t2v", "video", """{"prompt":"p"}""",
            ApiKeyId: i % 4 == 1 ? $"key-{i}" : i % 2 == 0 ? "key-even" : null, Resolution: i % 4 < 2 ? "720P" : "1080P",
            VideoSeconds: 1 + i % 5, Priority: i % 7 == 0 ? 1 : 0)).ToList();
        var work = new List<Task>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            work.Add(store.Generations.EnqueueAsync([row]));
            // Queued right behind its enqueue (the writer runs them in order), so most land in the same round.
            if (i % 4 == 1)
                work.Add(store.Generations.CancelAsync(row.Namespace, row.Id, new EventDraft(row.Namespace, "generation.cancelled", "{}")));
            if (i % 4 == 2)
                work.Add(store.Generations.ClaimNextAsync("worker-" + i, Lease));
        }
        await Task.WhenAll(work);

        using var connection = OpenRaw();
        AssertCountersMatchRows(connection);
        Assert.Equal([(long)rows.Count], Column(connection, "SELECT SUM(count) FROM generation_counts"));
        Assert.Equal([60L], Column(connection, "SELECT COUNT(*) FROM generations WHERE status = 'cancelled'"));
    }

    [Fact]
    public async Task A_throwing_event_builder_fails_only_that_recovery()
    {
        await using var store = _database.OpenSqlite(_time);
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        await store.Generations.ClaimNextAsync("worker-1", Lease);
        _time.Advance(Lease);

        var recovery = store.Generations.RecoverExpiredLeasesAsync(1, _ => throw new FormatException("bad event"));
        var other = NewGeneration("bob");
        var enqueue = store.Generations.EnqueueAsync([other]);

        await Assert.ThrowsAsync<FormatException>(() => recovery);
        await enqueue;
        Assert.Equal(GenerationStatus.Processing, (await store.Generations.GetAsync("alice", generation.Id))!.Status);
        Assert.NotNull(await store.Generations.GetAsync("bob", other.Id));
        Assert.Equal(1, await store.Generations.RecoverExpiredLeasesAsync(1, g => new EventDraft(g.Namespace, EventTypes.Completed, "{}")));
        Assert.Equal(GenerationStatus.Failed, (await store.Generations.GetAsync("alice", generation.Id))!.Status);
        Assert.Equal("gave up after 1 attempt: the worker stopped responding", (await store.Generations.GetAsync("alice", generation.Id))!.ErrorMessage);
    }

    [Fact]
    public async Task Dispose_commits_every_write_already_accepted()
    {
        var store = _database.OpenSqlite(_time);
        var rows = Enumerable.Range(0, 300).Select(_ => NewGeneration()).ToList();
        var writes = rows.Select(row => store.Generations.EnqueueAsync([row])).ToList();

        await store.DisposeAsync();
        await Task.WhenAll(writes);

        await using var reopened = _database.OpenSqlite(_time);
        Assert.Equal(300, (await reopened.Generations.QueryAsync(new GenerationQuery("alice", Limit: 0))).TotalEntries);
    }

    [Fact]
    public async Task A_disposed_store_refuses_reads_and_writes()
    {
        var store = _database.OpenSqlite(_time);
        await store.DisposeAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.Generations.EnqueueAsync([NewGeneration()]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.Generations.GetAsync("alice", Guid.NewGuid()));
    }

    [Fact]
    public async Task A_write_cancelled_before_it_runs_changes_nothing()
    {
        await using var store = _database.OpenSqlite(_time);
        var generation = NewGeneration();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.Generations.EnqueueAsync([generation], new CancellationToken(canceled: true)));

        Assert.Null(await store.Generations.GetAsync("alice", generation.Id));
    }

    [Fact]
    public async Task The_file_is_written_where_asked_with_its_folder()
    {
        await using var store = _database.OpenSqlite(_time);
        Assert.Equal(Path.GetFullPath(_database.FilePath), store.DatabasePath);
        Assert.True(File.Exists(store.DatabasePath));
    }

    /// <summary>Every counter a list total, queue limit or budget reads equals a count of the rows themselves, and every sub-lane's numbering is whole.</summary>
    private static void AssertCountersMatchRows(SqliteConnection connection)
    {
        Assert.Empty(Column(connection, """
            SELECT namespace || '/' || status FROM (
                SELECT namespace, model, media_type, status, COUNT(*) AS n FROM generations GROUP BY 1, 2, 3, 4) AS rows
            FULL JOIN generation_counts USING (namespace, model, media_type, status)
            WHERE COALESCE(rows.n, 0) <> COALESCE(generation_counts.count, 0)
            """));
        Assert.Empty(Column(connection, """
            SELECT lane FROM queue_lanes
            WHERE queued <> (SELECT COUNT(*) FROM generations g
                             WHERE g.lane = queue_lanes.lane AND g.priority = queue_lanes.priority AND g.namespace = queue_lanes.namespace AND g.status = 'queued')
            """));
        // A sub-lane's rows are numbered 1, 2, 3, ... (none twice, none skipped), and its last number is the highest given.
        Assert.Empty(Column(connection, """
            SELECT lane FROM generations GROUP BY lane, priority, namespace
            HAVING COUNT(DISTINCT lane_seq) <> COUNT(*) OR MIN(lane_seq) <> 1 OR MAX(lane_seq) <> COUNT(*)
            """));
        Assert.Empty(Column(connection, """
            SELECT lane FROM queue_lanes
            WHERE last_seq <> (SELECT COALESCE(MAX(lane_seq), 0) FROM generations g
                               WHERE g.lane = queue_lanes.lane AND g.priority = queue_lanes.priority AND g.namespace = queue_lanes.namespace)
            """));
        Assert.Empty(Column(connection, """
            SELECT api_key_id FROM key_queues
            WHERE queued <> (SELECT COUNT(*) FROM generations g WHERE g.api_key_id = key_queues.api_key_id AND g.status = 'queued')
            """));
        Assert.Empty(Column(connection, """
            SELECT scope FROM (
                SELECT scope, resolution, date(enqueued_at / 1000, 'unixepoch') AS day, SUM(video_seconds) AS n
                FROM (SELECT 'namespace:' || namespace AS scope, * FROM generations
                      UNION ALL SELECT 'key:' || api_key_id, * FROM generations WHERE api_key_id IS NOT NULL)
                WHERE video_seconds > 0 AND status NOT IN ('failed', 'cancelled') GROUP BY 1, 2, 3) AS rows
            FULL JOIN video_budget USING (scope, resolution, day)
            WHERE COALESCE(rows.n, 0) <> COALESCE(video_budget.seconds, 0)
            """));
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database.FilePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static List<object> Column(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<object>();
        while (reader.Read())
            values.Add(reader.GetValue(0));
        return values;
    }

    private static NewGeneration NewGeneration(string ns = "alice") =>
        new(Guid.NewGuid(), ns, "happyhorse-1.0-t2v", "video", """{"prompt":"p"}""");
}
