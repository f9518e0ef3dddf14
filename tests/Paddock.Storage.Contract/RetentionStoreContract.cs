using Paddock.Core.Files;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Paddock.Core.Retention;

namespace Paddock.Storage.Contract;

/// <summary>Pinning, expiry and deletion, as every backend must keep them for the retention sweep and the API.</summary>
public abstract class RetentionStoreContract<TBackend> : StoreContract<TBackend>
    where TBackend : IStoreBackend, new()
{
    private static CommittedFile File(string path, string hash) => new(path, hash, 1234, "image/png");

    private static ExpiryScope All(DateTimeOffset before) => new(null, [], before);

    /// <summary>A succeeded row of <paramref name="ns"/>, completed now, with its output at a key of its own.</summary>
    private async Task<(Guid Id, string Key)> SucceededAsync(StoreUnderTest store, string ns)
    {
        var generation = NewGeneration(ns);
        await store.Generations.EnqueueAsync([generation]);
        var claim = await store.Generations.ClaimNextAsync("worker", TimeSpan.FromMinutes(1));
        Assert.Equal(generation.Id, claim!.Generation.Id);
        var key = $"outputs/{ns}/{generation.Id:N}-1.mp4";
        Assert.True(await store.Generations.CompleteAsync(claim.Lease, key, Completed(ns, generation.Id)));
        return (generation.Id, key);
    }

    [Fact]
    public async Task Outputs_completed_before_the_scope_time_expire_once_and_lose_their_key_unless_pinned()
    {
        var store = await OpenAsync();
        var old = await SucceededAsync(store, "alice");
        var pinned = await SucceededAsync(store, "alice");
        Time.Advance(TimeSpan.FromHours(2));
        var recent = await SucceededAsync(store, "alice");
        var pinnedRow = await store.Generations.SetPinnedAsync("alice", pinned.Id, pinned: true);
        Assert.True(pinnedRow!.Pinned);
        Assert.Null(await store.Generations.SetPinnedAsync("bob", old.Id, pinned: true)); // another namespace's: absent

        var expired = await store.Generations.ExpireOutputsAsync(All(Time.GetUtcNow() - TimeSpan.FromHours(1)), 100);
        Assert.Equal([new ExpiredOutput(old.Id, "alice", old.Key)], expired);
        var row = (await store.Generations.GetAsync("alice", old.Id))!;
        Assert.Equal((GenerationStatus.Succeeded, (string?)null, (DateTimeOffset?)Time.GetUtcNow(), false), (row.Status, row.OutputKey, row.ExpiredAt, row.Pinned));
        Assert.Equal(pinned.Key, (await store.Generations.GetAsync("alice", pinned.Id))!.OutputKey);
        Assert.Equal(recent.Key, (await store.Generations.GetAsync("alice", recent.Id))!.OutputKey);
        // Marked once: a second sweep finds nothing.
        Assert.Empty(await store.Generations.ExpireOutputsAsync(All(Time.GetUtcNow()), 100).ContinueWith(t => t.Result.Where(e => e.Id == old.Id).ToList()));
        // An expired row cannot be pinned back.
        Assert.False((await store.Generations.SetPinnedAsync("alice", old.Id, pinned: true))!.Pinned);
    }

    [Fact]
    public async Task A_scope_expires_only_its_namespaces()
    {
        var store = await OpenAsync();
        var alice = await SucceededAsync(store, "alice");
        var bob = await SucceededAsync(store, "bob");
        var carol = await SucceededAsync(store, "carol");
        Time.Advance(TimeSpan.FromDays(1));
        var now = Time.GetUtcNow();

        Assert.Equal([bob.Id], (await store.Generations.ExpireOutputsAsync(new ExpiryScope("bob", [], now), 100)).Select(e => e.Id));
        // The rest but alice (who has a setting of her own).
        Assert.Equal([carol.Id], (await store.Generations.ExpireOutputsAsync(new ExpiryScope(null, ["alice", "bob"], now), 100)).Select(e => e.Id));
        Assert.Equal(alice.Key, (await store.Generations.GetAsync("alice", alice.Id))!.OutputKey);
    }

    [Fact]
    public async Task A_batch_is_bounded_and_the_next_takes_the_rest()
    {
        var store = await OpenAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add((await SucceededAsync(store, "alice")).Id);
        Time.Advance(TimeSpan.FromMinutes(1));
        var first = await store.Generations.ExpireOutputsAsync(All(Time.GetUtcNow()), 3);
        var second = await store.Generations.ExpireOutputsAsync(All(Time.GetUtcNow()), 3);
        Assert.Equal(3, first.Count);
        Assert.Equal(2, second.Count);
        Assert.Equal(ids.Order(), first.Concat(second).Select(e => e.Id).Order());
    }

    [Fact]
    public async Task Two_sweepers_on_one_database_mark_each_output_once()
    {
        var one = await OpenAsync();
        var two = await OpenAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 40; i++) ids.Add((await SucceededAsync(one, "alice")).Id);
        Time.Advance(TimeSpan.FromMinutes(1));
        var before = Time.GetUtcNow();

        async Task<List<ExpiredOutput>> SweepAsync(StoreUnderTest store)
        {
            var all = new List<ExpiredOutput>();
            IReadOnlyList<ExpiredOutput> batch;
            do
            {
                batch = await store.Generations.ExpireOutputsAsync(All(before), 3);
                all.AddRange(batch);
            }
            while (batch.Count > 0);
            return all;
        }

        var results = await Task.WhenAll(Task.Run(() => SweepAsync(one)), Task.Run(() => SweepAsync(two)));
        var handedOut = results.SelectMany(r => r).Select(e => e.Id).ToList();
        Assert.Equal(ids.Order(), handedOut.Order()); // every row once: none twice, none missed
    }

    [Fact]
    public async Task A_row_pinned_before_it_completes_never_expires()
    {
        var store = await OpenAsync();
        var generation = NewGeneration("alice");
        await store.Generations.EnqueueAsync([generation]);
        Assert.True((await store.Generations.SetPinnedAsync("alice", generation.Id, pinned: true))!.Pinned);
        var claim = await store.Generations.ClaimNextAsync("worker", TimeSpan.FromMinutes(1));
        Assert.True(await store.Generations.CompleteAsync(claim!.Lease, "outputs/alice/x-1.mp4", Completed("alice", generation.Id)));
        Time.Advance(TimeSpan.FromDays(365));
        Assert.Empty(await store.Generations.ExpireOutputsAsync(All(Time.GetUtcNow()), 100));
        var row = (await store.Generations.GetAsync("alice", generation.Id))!;
        Assert.Equal((true, "outputs/alice/x-1.mp4"), (row.Pinned, row.OutputKey));
    }

    [Fact]
    public async Task Files_expire_unless_pinned_and_their_content_is_in_use_while_a_live_file_holds_it()
    {
        var store = await OpenAsync();
        await store.Files.CommitAsync("alice", "refs", "main", "m", "alice", [File("a.png", "aa"), File("keep.png", "kk"), File("only.png", "oo")]);
        await store.Files.CommitAsync("bob", "refs", "main", "m", "bob", [File("a.png", "aa")]);
        Assert.True((await store.Files.SetPinnedAsync("alice", "refs", "main", "keep.png", pinned: true))!.Pinned);
        Assert.Null(await store.Files.SetPinnedAsync("bob", "refs", "main", "keep.png", pinned: true));
        Time.Advance(TimeSpan.FromDays(2));

        var expired = await store.Files.ExpireAsync(new ExpiryScope("alice", [], Time.GetUtcNow() - TimeSpan.FromDays(1)), 100);
        Assert.Equal(["a.png", "only.png"], expired.Select(f => f.Path).Order());
        Assert.All(expired, f => Assert.Equal(Time.GetUtcNow(), f.ExpiredAt));
        Assert.Equal(Time.GetUtcNow(), (await store.Files.GetAsync("alice", "refs", "main", "only.png"))!.ExpiredAt);
        Assert.Null((await store.Files.GetAsync("alice", "refs", "main", "keep.png"))!.ExpiredAt);
        Assert.Empty(await store.Files.ExpireAsync(new ExpiryScope("alice", [], Time.GetUtcNow()), 100).ContinueWith(t => t.Result.Where(f => f.Path != "keep.png").ToList()));

        Assert.True(await store.Files.IsContentInUseAsync("aa")); // bob's a.png holds the same bytes
        Assert.False(await store.Files.IsContentInUseAsync("oo"));
        Assert.True(await store.Files.IsContentInUseAsync("kk"));

        // An upload to an expired path writes it anew.
        await store.Files.CommitAsync("alice", "refs", "main", "again", "alice", [File("only.png", "oo")]);
        Assert.Null((await store.Files.GetAsync("alice", "refs", "main", "only.png"))!.ExpiredAt);
        Assert.True(await store.Files.IsContentInUseAsync("oo"));
    }

    [Fact]
    public async Task Deleting_a_file_removes_only_the_namespaces_own()
    {
        var store = await OpenAsync();
        await store.Files.CommitAsync("alice", "refs", "main", "m", "alice", [File("a.png", "aa")]);
        Assert.Null(await store.Files.DeleteAsync("bob", "refs", "main", "a.png"));
        Assert.NotNull(await store.Files.GetAsync("alice", "refs", "main", "a.png"));
        var deleted = await store.Files.DeleteAsync("alice", "refs", "main", "a.png");
        Assert.Equal("aa", deleted!.ContentHash);
        Assert.Null(await store.Files.GetAsync("alice", "refs", "main", "a.png"));
        Assert.False(await store.Files.IsContentInUseAsync("aa"));
        Assert.Null(await store.Files.DeleteAsync("alice", "refs", "main", "a.png"));
    }
}
