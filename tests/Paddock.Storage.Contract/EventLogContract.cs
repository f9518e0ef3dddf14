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
}
