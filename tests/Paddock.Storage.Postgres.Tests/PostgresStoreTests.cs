using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Paddock.Core.Storage;
using Paddock.Testing;

namespace Paddock.Storage.Postgres.Tests;

/// <summary>What is particular to the PostgreSQL backend: migrations, the group-committing writer, connection loss, and signals across processes.</summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly PostgresTestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<PostgresStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<PostgresStore> OpenAsync()
    {
        var store = await _database.OpenPostgresAsync(_time);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task Processes_migrating_a_fresh_database_at_the_same_moment_make_one_schema_without_error()
    {
        var connectionString = await _database.ConnectionStringAsync();
        using var go = new ManualResetEventSlim();
        // Each store opens its own connections, as a process of its own would; all start on one signal.
        var starting = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
        {
            go.Wait();
            return new PostgresStore(connectionString, _time);
        })).ToList();
        go.Set();
        var stores = await Task.WhenAll(starting);
        _stores.AddRange(stores);

        Assert.Equal(Enumerable.Range(1, PostgresStore.SchemaVersion), await ColumnAsync<int>(connectionString, "SELECT version FROM schema_version ORDER BY version"));
        Assert.Equal(["api_keys", "event_sequence", "events", "file_commits", "generation_count_deltas", "generation_counts", "generation_webhooks", "generations", "idempotency_keys", "key_queues", "queue_lanes", "quota_limits", "repo_files", "schema_version", "usage_records", "video_budget", "webhook_cursor", "webhook_deliveries", "webhook_endpoints"],
            await ColumnAsync<string>(connectionString, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"));
        // Every one of them works on the one schema.
        foreach (var store in stores) await store.Generations.EnqueueAsync([NewGeneration()]);
        Assert.Equal(stores.Length, (await stores[0].Generations.QueryAsync(new GenerationQuery("alice", Limit: 0))).TotalEntries);
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused_with_what_to_do()
    {
        var connectionString = await _database.ConnectionStringAsync();
        await using (await _database.OpenPostgresAsync(_time))
        {
        }
        await ColumnAsync<int>(connectionString, "INSERT INTO schema_version (version, applied_at) VALUES (99, now()) RETURNING version");

        var error = Assert.Throws<Paddock.Core.Hosting.StartupException>(() => new PostgresStore(connectionString, _time));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade Paddock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_stops_the_start_with_a_message_that_hides_the_password()
    {
        var closed = new NpgsqlConnectionStringBuilder(await _database.ConnectionStringAsync()) { Port = 1, Password = "s3cret-pass", Timeout = 2 };

        var error = Assert.Throws<Paddock.Core.Hosting.StartupException>(() => new PostgresStore(closed.ConnectionString, _time));

        Assert.Contains($"127.0.0.1:1/{closed.Database}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Paddock:Storage:Postgres:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_write_undoes_only_itself_and_the_rest_of_its_round_commits()
    {
        var store = await OpenAsync();
        var existing = NewGeneration();
        await store.Generations.EnqueueAsync([existing]);

        // Sent together, so they share rounds: every tenth carries a duplicate id.
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
        await Task.WhenAll(writes.Select(async w => { try { await w; } catch (PostgresException) { } }));

        Assert.Equal(doomed.Count, writes.Count(w => w.Exception?.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }));
        foreach (var row in doomed)
            Assert.Null(await store.Generations.GetAsync("alice", row.Id));
        foreach (var row in good)
            Assert.NotNull(await store.Generations.GetAsync("alice", row.Id));
        // Lanes stay dense: the undone rows gave their numbers back, so the last row is 271st in line.
        Assert.Equal(good.Count + 1, (await store.Generations.GetAsync("alice", good[^1].Id))!.QueuePosition);
    }

    [Fact]
    public async Task Totals_are_the_same_before_and_after_the_counts_are_folded()
    {
        var store = await OpenAsync();
        var rows = Enumerable.Range(0, 12).Select(i => NewGeneration(i % 3 == 0 ? "bob" : "alice")).ToList();
        await store.Generations.EnqueueAsync(rows);
        for (var i = 0; i < 5; i++)
        {
            var lease = (await store.Generations.ClaimNextAsync("w", Lease))!.Lease;
            if (i % 2 == 0) await store.Generations.CompleteAsync(lease, "out.mp4", new EventDraft("alice", EventTypes.Completed, "{}"));
        }

        async Task<long[]> Totals() =>
        [
            .. await Task.WhenAll(new[]
            {
                new GenerationQuery("alice", Limit: 0), new GenerationQuery("bob", Limit: 0),
                new GenerationQuery("alice", [GenerationStatus.Queued], Limit: 0), new GenerationQuery("alice", [GenerationStatus.Processing, GenerationStatus.Succeeded], Limit: 0),
            }.Select(async q => (await store.Generations.QueryAsync(q)).TotalEntries)),
        ];

        var before = await Totals();
        await store.FoldCountsAsync();
        Assert.Equal(before, await Totals());
        Assert.Equal(0, (await ColumnAsync<long>(await _database.ConnectionStringAsync(), "SELECT COUNT(*) FROM generation_count_deltas"))[0]);
        // alice 8, bob 4; the namespaces take turns (bob first: his row came first), so of alice's, 6 are still queued
        // and 2 processing.
        Assert.Equal([8L, 4, 6, 2], before);
    }

    [Fact]
    public async Task A_stopped_server_is_reported_as_unavailable_and_the_store_reconnects_by_itself()
    {
        await using var cluster = await PostgresCluster.StartOwnAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        var store = new PostgresStore(connectionString, _time);
        _stores.Add(store);
        var first = NewGeneration();
        await store.Generations.EnqueueAsync([first]);

        // Every session of the database ends (an administrator, a network failure): the idle writer's connection is
        // found broken when next used, and its round runs again on a new one, so the caller sees nothing.
        await cluster.TerminateSessionsAsync(connectionString);
        var second = NewGeneration();
        await store.Generations.EnqueueAsync([second]);
        Assert.NotNull(await store.Generations.GetAsync("alice", second.Id));

        // A stopped server: writes and reads are refused as "unavailable" (never a driver's exception), naming no server.
        await cluster.StopAsync();
        var refused = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.Generations.EnqueueAsync([NewGeneration()]));
        Assert.DoesNotContain("127.0.0.1", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.Generations.GetAsync("alice", first.Id));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.Events.LatestSequenceAsync());

        // Started again: the same store instance works, and kept everything acknowledged.
        await cluster.StartAsync();
        var third = NewGeneration();
        await store.Generations.EnqueueAsync([third]);
        Assert.Equal(GenerationStatus.Queued, (await store.Generations.GetAsync("alice", third.Id))!.Status);
        Assert.Equal(3, (await store.Generations.QueryAsync(new GenerationQuery("alice", Limit: 0))).TotalEntries);
        Assert.Equal(first.Id, (await store.Generations.ClaimNextAsync("w", Lease))!.Lease.GenerationId);
    }

    [Fact]
    public async Task A_change_committed_by_one_process_is_signalled_to_another_even_after_its_listener_lost_its_connection()
    {
        var writer = await OpenAsync();
        var watcher = await OpenAsync();
        var heard = new System.Collections.Concurrent.ConcurrentQueue<StoreSignal>();
        using var subscription = watcher.Signals.Subscribe(heard.Enqueue);
        Assert.True(watcher.Signals.SignalsOtherProcesses);
        await WaitUntilAsync(() => ((Signals.PostgresSignals)watcher.Signals).Listening);

        heard.Clear();
        await writer.Generations.EnqueueAsync([NewGeneration() with { Model = "wan2.1-vace-r2v" }]);
        await writer.Events.AppendAsync(new EventDraft("alice", "test", "{}"));
        await WaitUntilAsync(() => heard.Contains(new StoreSignal(StoreChange.WorkQueued, "wan2.1-vace-r2v")) && heard.Contains(new StoreSignal(StoreChange.EventsAppended)));
        var cancelled = NewGeneration();
        await writer.Generations.EnqueueAsync([cancelled]);
        await writer.Generations.CancelAsync("alice", cancelled.Id, new EventDraft("alice", EventTypes.Cancelled, "{}"));
        await WaitUntilAsync(() => heard.Contains(new StoreSignal(StoreChange.Cancelled, GenerationId: cancelled.Id)));

        // The listener's session ends: it reconnects by itself and hears the next change.
        await (await PostgresCluster.SharedAsync()).TerminateSessionsAsync(await _database.ConnectionStringAsync(), "paddock listener");
        await WaitUntilAsync(() => !((Signals.PostgresSignals)watcher.Signals).Listening);
        await WaitUntilAsync(() => ((Signals.PostgresSignals)watcher.Signals).Listening);
        heard.Clear();
        await writer.Generations.EnqueueAsync([NewGeneration() with { Model = "phantom-wan-r2v" }]);
        await WaitUntilAsync(() => heard.Contains(new StoreSignal(StoreChange.WorkQueued, "phantom-wan-r2v")));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Not a timing check: a generous bound only keeps a broken build from hanging.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never became true");
            await Task.Delay(20);
        }
    }

    private static async Task<List<T>> ColumnAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var values = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    private static NewGeneration NewGeneration(string ns = "alice") =>
        new(Guid.NewGuid(), ns, "happyhorse-1.0-t2v", "video", """{"prompt":"p"}""");
}
