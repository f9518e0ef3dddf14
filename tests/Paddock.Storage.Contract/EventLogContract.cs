using Paddock.Core.Events;

namespace Paddock.Storage.Contract;

/// <summary>The append-only event log, as every <see cref="IEventLog"/> backend must show it.</summary>
public abstract class EventLogContract<TBackend> : StoreContract<TBackend>
    where TBackend : IStoreBackend, new()
{
    [Fact]
    public async Task Empty_log_starts_at_zero()
    {
        var store = await OpenAsync();
        Assert.Equal(0, await store.Events.LatestSequenceAsync());
        Assert.Empty(await store.Events.ReadAfterAsync("alice", 0, 100));
    }

    [Fact]
    public async Task Append_returns_the_stored_event()
    {
        var store = await OpenAsync();
        Time.Advance(TimeSpan.FromSeconds(3));
        var draft = new EventDraft("alice", EventTypes.Progress, """{"generation_id":"x","percent":10}""");

        var stored = await store.Events.AppendAsync(draft);

        Assert.True(stored.Sequence > 0);
        Assert.Equal(new StoredEvent(stored.Sequence, "alice", EventTypes.Progress, draft.Data, Time.GetUtcNow()), stored);
        Assert.Equal([stored], await store.Events.ReadAfterAsync("alice", 0, 10));
        Assert.Equal(stored.Sequence, await store.Events.LatestSequenceAsync());
    }

    [Fact]
    public async Task Sequence_increases_across_namespaces_and_reads_stay_in_one()
    {
        var store = await OpenAsync();
        var appended = new List<StoredEvent>();
        for (var i = 0; i < 10; i++)
            appended.Add(await store.Events.AppendAsync(new EventDraft(i % 2 == 0 ? "alice" : "bob", "test", $$"""{"i":{{i}}}""")));

        for (var i = 1; i < appended.Count; i++)
            Assert.True(appended[i].Sequence > appended[i - 1].Sequence);

        var alice = appended.Where(e => e.Namespace == "alice").ToList();
        Assert.Equal(alice, await store.Events.ReadAfterAsync("alice", 0, 100));
        Assert.Equal(alice.Skip(2), await store.Events.ReadAfterAsync("alice", alice[1].Sequence, 100));
        // A sequence from another namespace works as a position too.
        Assert.Equal(alice.Skip(3), await store.Events.ReadAfterAsync("alice", appended[5].Sequence, 100));
        Assert.Equal(alice.Take(2), await store.Events.ReadAfterAsync("alice", 0, 2));
        Assert.Empty(await store.Events.ReadAfterAsync("alice", appended[^1].Sequence, 100));
        Assert.Empty(await store.Events.ReadAfterAsync("carol", 0, 100));
        Assert.Equal(appended[^1].Sequence, await store.Events.LatestSequenceAsync());
    }

    [Fact]
    public async Task Concurrent_appends_get_distinct_sequences_read_in_order()
    {
        var store = await OpenAsync();

        var appended = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(i => Task.Run(() => store.Events.AppendAsync(new EventDraft("alice", "test", $$"""{"i":{{i}}}""")))));

        Assert.Equal(500, appended.Select(e => e.Sequence).Distinct().Count());
        var read = await store.Events.ReadAfterAsync("alice", 0, 1000);
        Assert.Equal(appended.OrderBy(e => e.Sequence), read);
        Assert.Equal(read[^1].Sequence, await store.Events.LatestSequenceAsync());
    }

    /// <summary>
    /// The visibility order rule of <see cref="IEventLog"/>: two instances of the store (two processes) append at once
    /// while a reader keeps reading "after the last sequence it saw", as an event stream and the event hub do. Had a
    /// lower sequence ever committed after a higher one was read, the reader would have skipped it.
    /// </summary>
    [Fact]
    public async Task A_reader_that_reads_after_the_last_sequence_it_saw_misses_nothing_while_two_instances_append()
    {
        const int AppendersPerInstance = 4, EventsPerAppender = 60;
        var first = await OpenAsync();
        var second = await OpenAsync();

        var appenders = new[] { first, second }
            .SelectMany((store, s) => Enumerable.Range(0, AppendersPerInstance).Select(a => Task.Run(async () =>
            {
                var appended = new List<StoredEvent>();
                for (var i = 0; i < EventsPerAppender; i++)
                    appended.Add(await store.Events.AppendAsync(new EventDraft(i % 2 == 0 ? "alice" : "bob", "test", $$"""{"s":{{s}},"a":{{a}},"i":{{i}}}""")));
                return appended;
            })))
            .ToList();
        var allAppended = Task.WhenAll(appenders);

        // Two readers as the server has them: every namespace (the hub's loop) and one namespace (a stream's replay).
        var everything = new List<StoredEvent>();
        var alices = new List<StoredEvent>();
        var done = false;
        while (!done)
        {
            done = allAppended.IsCompleted; // one more pass after the last append returned
            for (var more = true; more;)
            {
                var batch = await first.Events.ReadAllAfterAsync(everything.Count == 0 ? 0 : everything[^1].Sequence, 50);
                everything.AddRange(batch);
                more = batch.Count == 50;
            }
            for (var more = true; more;)
            {
                var batch = await second.Events.ReadAfterAsync("alice", alices.Count == 0 ? 0 : alices[^1].Sequence, 50);
                alices.AddRange(batch);
                more = batch.Count == 50;
            }
        }

        var appendedInOrder = (await allAppended).SelectMany(a => a).OrderBy(e => e.Sequence).ToList();
        Assert.Equal(2 * AppendersPerInstance * EventsPerAppender, appendedInOrder.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(appendedInOrder.Select(e => e.Sequence), everything.Select(e => e.Sequence));
        Assert.Equal(appendedInOrder, everything);
        Assert.Equal(appendedInOrder.Where(e => e.Namespace == "alice"), alices);
        Assert.Equal(appendedInOrder[^1].Sequence, await second.Events.LatestSequenceAsync());
    }
}
