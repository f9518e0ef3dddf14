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
        Assert.Equal(14, SqliteStore.SchemaVersion);
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
