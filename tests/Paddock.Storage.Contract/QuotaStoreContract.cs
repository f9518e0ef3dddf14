using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Paddock.Core.Quotas;

namespace Paddock.Storage.Contract;

/// <summary>Stored limits, admission in the enqueue's transaction, the video budget ledger and usage records, as every backend must show them.</summary>
public abstract class QuotaStoreContract<TBackend> : StoreContract<TBackend>
    where TBackend : IStoreBackend, new()
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stored_limits_read_back_replace_and_delete_per_scope()
    {
        var store = await OpenAsync();
        var limits = new QuotaLimits(RequestsPerMinute: 60, MaxQueued: 5, Priority: 2,
            Budgets: [new VideoBudget("1080P", BudgetPeriod.Day, 600), new VideoBudget("720P", BudgetPeriod.Month, 9000)]);
        await store.Quotas.SetLimitsAsync(QuotaScope.Namespace("acme"), limits);
        await store.Quotas.SetLimitsAsync(QuotaScope.Key("key_1"), new QuotaLimits(MaxRunning: 1));

        var read = await store.Quotas.GetLimitsAsync(QuotaScope.Namespace("acme"));
        Assert.Equal((60, (int?)null, 5, 2), (read!.RequestsPerMinute!.Value, read.MaxRunning, read.MaxQueued!.Value, read.Priority!.Value));
        Assert.Equal(limits.Budgets, read.Budgets);
        Assert.Equal(1, (await store.Quotas.GetLimitsAsync(QuotaScope.Key("key_1")))!.MaxRunning);
        Assert.Null(await store.Quotas.GetLimitsAsync(QuotaScope.Key("acme")));

        await store.Quotas.SetLimitsAsync(QuotaScope.Namespace("acme"), new QuotaLimits(MaxQueued: 7));
        read = await store.Quotas.GetLimitsAsync(QuotaScope.Namespace("acme"));
        Assert.Equal((7, (IReadOnlyList<VideoBudget>?)null), (read!.MaxQueued!.Value, read.Budgets));
        Assert.True(await store.Quotas.DeleteLimitsAsync(QuotaScope.Namespace("acme")));
        Assert.False(await store.Quotas.DeleteLimitsAsync(QuotaScope.Namespace("acme")));
        Assert.Null(await store.Quotas.GetLimitsAsync(QuotaScope.Namespace("acme")));
    }

    [Fact]
    public async Task A_refused_submission_writes_nothing_and_leaves_its_idempotency_key_unused()
    {
        var store = await OpenAsync();
        AdmissionCheck atMostThree = reader => reader.QueuedRows("alice", null, 3) + 2 > 3
            ? new QuotaRefusal("max_queued", QuotaScope.Namespace("alice"), 429, "max_queued", null)
            : null;
        var first = new[] { Row(), Row() };
        Assert.Equal(IdempotencyResult.Created, (await store.Generations.EnqueueAdmittedAsync(first, null, atMostThree)).Result);

        var second = new[] { Row(), Row() };
        var claim = new IdempotencyClaim("alice", "retry-1", "fp", Time.GetUtcNow() + TimeSpan.FromHours(1));
        var refused = await store.Generations.EnqueueAdmittedAsync(second, claim, atMostThree);
        Assert.Equal((IdempotencyResult.Refused, "max_queued"), (refused.Result, refused.Refusal!.Limit));
        Assert.Empty(refused.GenerationIds);
        Assert.Null(await store.Generations.GetAsync("alice", second[0].Id));
        Assert.Equal(2, (await store.Generations.QueryAsync(new GenerationQuery("alice"))).TotalEntries);

        // Once a queued row starts, the same request with the same key goes in; its repeat replays without a check.
        await store.Generations.ClaimNextAsync("w", LeaseDuration);
        var accepted = await store.Generations.EnqueueAdmittedAsync(second, claim, atMostThree);
        Assert.Equal(IdempotencyResult.Created, accepted.Result);
        var replayed = await store.Generations.EnqueueAdmittedAsync([Row(), Row()], claim, atMostThree);
        Assert.Equal(IdempotencyResult.Replayed, replayed.Result);
        Assert.Equal(second.Select(g => g.Id), replayed.GenerationIds);
    }

    [Fact]
    public async Task Queued_rows_are_counted_per_namespace_and_per_key_up_to_the_cap()
    {
        var store = await OpenAsync();
        await store.Generations.EnqueueAsync([Row(key: "key_a"), Row(key: "key_a"), Row(key: "key_b"), Row("bob", key: "key_c")]);
        (long, long, long, long, long) counts = default;
        await store.Generations.EnqueueAdmittedAsync([], null, reader =>
        {
            counts = (reader.QueuedRows("alice", null, 100), reader.QueuedRows("alice", null, 2), reader.QueuedRows("alice", "key_a", 100),
                      reader.QueuedRows("alice", "key_b", 100), reader.QueuedRows("bob", null, 100));
            return null;
        });
        Assert.Equal((3L, 2L, 2L, 1L, 1L), counts);
    }

    [Fact]
    public async Task The_queued_counts_follow_every_way_a_row_leaves_or_reenters_the_queue()
    {
        var store = await OpenAsync();
        var rows = new[] { Row(key: "key_a"), Row(key: "key_a"), Row(key: "key_a"), Row(key: "key_a"), Row(key: "key_b") };
        await store.Generations.EnqueueAsync(rows);
        Assert.Equal((5L, 4L, 1L), await QueuedAsync(store));

        // A claim takes one out and a hand-back puts it back; a cancel takes one out for good; a queued row cannot be deleted.
        var claimed = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!;
        Assert.Equal((4L, 3L, 1L), await QueuedAsync(store));
        Assert.True(await store.Generations.ReleaseAsync(claimed.Lease, Requeued("alice", claimed.Generation.Id)));
        Assert.Equal((5L, 4L, 1L), await QueuedAsync(store));
        var queuedOfA = rows.Where(r => r.ApiKeyId == "key_a" && r.Id != claimed.Generation.Id).ToList();
        await store.Generations.CancelAsync("alice", queuedOfA[0].Id, Cancelled("alice", queuedOfA[0].Id));
        Assert.Equal((4L, 3L, 1L), await QueuedAsync(store));
        Assert.Equal(DeleteOutcome.StillActive, await store.Generations.DeleteAsync("alice", rows[4].Id));
        Assert.Equal((4L, 3L, 1L), await QueuedAsync(store));
        await store.Generations.CancelAsync("alice", rows[4].Id, Cancelled("alice", rows[4].Id));
        Assert.Equal(DeleteOutcome.Deleted, await store.Generations.DeleteAsync("alice", rows[4].Id));
        Assert.Equal((3L, 3L, 0L), await QueuedAsync(store));
    }

    private static async Task<(long Namespace, long KeyA, long KeyB)> QueuedAsync(StoreUnderTest store)
    {
        (long, long, long) counts = default;
        await store.Generations.EnqueueAdmittedAsync([], null, reader =>
        {
            counts = (reader.QueuedRows("alice", null, 1000), reader.QueuedRows("alice", "key_a", 1000), reader.QueuedRows("alice", "key_b", 1000));
            return null;
        });
        return counts;
    }

    [Fact]
    public async Task The_budget_ledger_charges_seconds_by_resolution_at_enqueue_and_gives_back_failed_and_cancelled_ones()
    {
        var store = await OpenAsync();
        var rows = new[] { Row(key: "key_a", seconds: 5), Row(key: "key_a", seconds: 10), Row(key: "key_b", seconds: 3), Row(key: "key_a", seconds: 7, resolution: "720P") };
        await store.Generations.EnqueueAsync(rows);
        var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
        Assert.Equal((18L, 15L, 3L, 7L, 0L), await Charged(store, today));

        // One succeeds (stays charged), one fails and one is cancelled (given back).
        var first = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        await store.Generations.CompleteAsync(first, "a.mp4", Completed("alice", first.GenerationId));
        var second = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        await store.Generations.FailAsync(second, Failure("the model refused"), Completed("alice", second.GenerationId, "failed"));
        await store.Generations.CancelAsync("alice", rows[3].Id, Cancelled("alice", rows[3].Id));
        Assert.Equal((8L, 5L, 3L, 0L, 0L), await Charged(store, today));

        // The next day starts empty; a month counts both days.
        Time.Advance(TimeSpan.FromDays(1));
        await store.Generations.EnqueueAsync([Row(key: "key_a", seconds: 4)]);
        Assert.Equal((4L, 4L, 0L, 0L, 8L), await Charged(store, today.AddDays(1)));
        long month = 0;
        await store.Generations.EnqueueAdmittedAsync([], null, reader =>
        {
            month = reader.VideoSecondsCharged(QuotaScope.Namespace("alice"), "1080P", today, today.AddDays(30));
            return null;
        });
        Assert.Equal(12, month);
    }

    [Fact]
    public async Task Every_generation_that_ends_records_its_usage_grouped_by_day_and_model()
    {
        var store = await OpenAsync();
        var start = Time.GetUtcNow();
        var today = DateOnly.FromDateTime(start.UtcDateTime);
        var t2v = new[] { Row(seconds: 5), Row(seconds: 10), Row(seconds: 3) };
        var r2v = Row(seconds: 8, model: "happyhorse-1.0-r2v", resolution: "720P");
        await store.Generations.EnqueueAsync([.. t2v, r2v]);

        // t2v[0]: succeeds after 2 s; t2v[1]: its lease runs out after 31 s, and it succeeds 4 s into a second attempt
        // (its wall time counts from its first start: 35 s); t2v[2]: fails after 1 s; r2v: cancelled while queued.
        var lease = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        Time.Advance(TimeSpan.FromSeconds(2));
        await store.Generations.CompleteAsync(lease, "0.mp4", Completed("alice", lease.GenerationId));
        await store.Generations.CancelAsync("alice", r2v.Id, Cancelled("alice", r2v.Id));
        lease = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        Assert.Equal(t2v[1].Id, lease.GenerationId);
        Time.Advance(LeaseDuration + TimeSpan.FromSeconds(1));
        await store.Generations.RecoverExpiredLeasesAsync(3, g => Completed("alice", g.Id, "failed"));
        lease = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        Assert.Equal(t2v[1].Id, lease.GenerationId);
        Time.Advance(TimeSpan.FromSeconds(4));
        await store.Generations.CompleteAsync(lease, "1.mp4", Completed("alice", lease.GenerationId));
        lease = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Generations.FailAsync(lease, Failure("no"), Completed("alice", lease.GenerationId, "failed"));
        // Another namespace's and another day's usage stay out of the report.
        await store.Generations.EnqueueAsync([Row("bob", seconds: 5)]);
        var bob = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        await store.Generations.CompleteAsync(bob, "b.mp4", Completed("bob", bob.GenerationId));

        var usage = await store.Quotas.UsageAsync("alice", today, today);
        Assert.Equal(
            [
                new UsageEntry(today, "happyhorse-1.0-r2v", "happyhorse-1.0-r2v", "720P", 1, 0, 0, 1, 0, 0, 0),
                new UsageEntry(today, "happyhorse-1.0-t2v", "happyhorse-1.0-t2v", "1080P", 3, 2, 1, 0, 15, 2 + 35 + 1, 4),
            ],
            usage);
        Assert.Empty(await store.Quotas.UsageAsync("alice", today.AddDays(1), today.AddDays(3)));
        Assert.Equal(5, (await store.Quotas.UsageAsync("bob", today.AddDays(-1), today)).Single().VideoSeconds);
    }

    [Fact]
    public async Task Usage_of_all_namespaces_is_grouped_by_namespace_day_and_model_within_the_range()
    {
        var store = await OpenAsync();
        var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
        await EndAsync(store, Row("bob", seconds: 4), succeed: true);
        await EndAsync(store, Row("alice", seconds: 6), succeed: true);
        await EndAsync(store, Row("alice", seconds: 9, model: "happyhorse-1.0-r2v", resolution: "720P"), succeed: false);
        Time.Advance(TimeSpan.FromDays(1));
        await EndAsync(store, Row("carol", seconds: 2), succeed: true);

        var usage = await store.Quotas.UsageOfAllAsync(today, today);

        Assert.Equal(
            [
                new NamespaceUsage("alice", new UsageEntry(today, "happyhorse-1.0-r2v", "happyhorse-1.0-r2v", "720P", 1, 0, 1, 0, 0, 0, 1)),
                new NamespaceUsage("alice", new UsageEntry(today, "happyhorse-1.0-t2v", "happyhorse-1.0-t2v", "1080P", 1, 1, 0, 0, 6, 0, 1)),
                new NamespaceUsage("bob", new UsageEntry(today, "happyhorse-1.0-t2v", "happyhorse-1.0-t2v", "1080P", 1, 1, 0, 0, 4, 0, 1)),
            ],
            usage);
        Assert.Equal(["alice", "alice", "bob", "carol"], (await store.Quotas.UsageOfAllAsync(today, today.AddDays(1))).Select(u => u.Namespace));
    }

    [Fact]
    public async Task Seconds_charged_to_date_are_summed_per_namespace_over_days_and_resolutions()
    {
        var store = await OpenAsync();
        Assert.Empty(await store.Quotas.ChargedVideoSecondsAsync());
        await store.Generations.EnqueueAsync([Row("alice", key: "key_a", seconds: 5), Row("alice", seconds: 7, resolution: "720P"), Row("bob", seconds: 3)]);
        Time.Advance(TimeSpan.FromDays(1));
        var cancelled = Row("bob", seconds: 11);
        await store.Generations.EnqueueAsync([Row("alice", seconds: 2), cancelled]);
        await store.Generations.CancelAsync("bob", cancelled.Id, Cancelled("bob", cancelled.Id));

        var charged = await store.Quotas.ChargedVideoSecondsAsync();

        Assert.Equal(new Dictionary<string, long> { ["alice"] = 14, ["bob"] = 3 }, charged.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary());
    }

    /// <summary>Enqueues the row alone and ends it at once: succeeded or failed.</summary>
    private static async Task EndAsync(StoreUnderTest store, NewGeneration row, bool succeed)
    {
        await store.Generations.EnqueueAsync([row]);
        var lease = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        Assert.Equal(row.Id, lease.GenerationId);
        if (succeed) await store.Generations.CompleteAsync(lease, "o.mp4", Completed(row.Namespace, row.Id));
        else await store.Generations.FailAsync(lease, Failure("no"), Completed(row.Namespace, row.Id, "failed"));
    }

    [Fact]
    public async Task A_namespace_at_its_running_limit_is_passed_over_until_one_of_its_renders_ends()
    {
        var store = await OpenAsync();
        var alice = new[] { Row(), Row(), Row() };
        var bob = new[] { Row("bob"), Row("bob") };
        await store.Generations.EnqueueAsync(alice);
        await store.Generations.EnqueueAsync(bob);
        var oneEach = new RunningLimits(1, new Dictionary<string, int>());

        var first = (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneEach))!.Lease;
        Assert.Equal(alice[0].Id, first.GenerationId);
        Assert.Equal(bob[0].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneEach))!.Lease.GenerationId);
        Assert.Null(await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneEach));

        // A limit stored for bob wins over the configured one; alice's next waits until her render ends.
        await store.Quotas.SetLimitsAsync(QuotaScope.Namespace("bob"), new QuotaLimits(MaxRunning: 2));
        Assert.Equal(bob[1].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneEach))!.Lease.GenerationId);
        Assert.Null(await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneEach));
        await store.Generations.CompleteAsync(first, "a.mp4", Completed("alice", first.GenerationId));
        Assert.Equal(alice[1].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneEach))!.Lease.GenerationId);
        // One namespace's own configured limit.
        Assert.Equal(alice[2].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneEach with { PerNamespace = new Dictionary<string, int> { ["alice"] = 2 } }))!.Lease.GenerationId);
    }

    [Fact]
    public async Task A_key_at_its_running_limit_has_its_rows_passed_over_while_the_namespaces_other_keys_start()
    {
        var store = await OpenAsync();
        var rows = new[] { Row(key: "key_a"), Row(key: "key_a"), Row(key: "key_b"), Row(key: "key_a"), Row() };
        await store.Generations.EnqueueAsync(rows);
        var oneForKeyA = new RunningLimits(null, new Dictionary<string, int>(), PerKey: new Dictionary<string, int> { ["key_a"] = 1 });

        var first = (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneForKeyA))!.Lease;
        Assert.Equal(rows[0].Id, first.GenerationId);
        // key_a renders its one: its next rows wait, and the namespace's other rows (another key's, a keyless one) go ahead.
        Assert.Equal(rows[2].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneForKeyA))!.Lease.GenerationId);
        Assert.Equal(rows[4].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneForKeyA))!.Lease.GenerationId);
        Assert.Null(await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneForKeyA));

        // Once its render ends, key_a's next starts; a limit stored for the key wins over the configured one.
        await store.Generations.CompleteAsync(first, "a.mp4", Completed("alice", first.GenerationId));
        Assert.Equal(rows[1].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneForKeyA))!.Lease.GenerationId);
        Assert.Null(await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneForKeyA));
        await store.Quotas.SetLimitsAsync(QuotaScope.Key("key_a"), new QuotaLimits(MaxRunning: 2));
        Assert.Equal(rows[3].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, running: oneForKeyA))!.Lease.GenerationId);
    }

    private static async Task<(long Alice, long KeyA, long KeyB, long KeyA720, long Yesterday)> Charged(StoreUnderTest store, DateOnly day)
    {
        (long, long, long, long, long) charged = default;
        await store.Generations.EnqueueAdmittedAsync([], null, reader =>
        {
            charged = (reader.VideoSecondsCharged(QuotaScope.Namespace("alice"), "1080P", day, day),
                       reader.VideoSecondsCharged(QuotaScope.Key("key_a"), "1080P", day, day),
                       reader.VideoSecondsCharged(QuotaScope.Key("key_b"), "1080P", day, day),
                       reader.VideoSecondsCharged(QuotaScope.Key("key_a"), "720P", day, day),
                       reader.VideoSecondsCharged(QuotaScope.Namespace("alice"), "1080P", day.AddDays(-1), day.AddDays(-1)));
            return null;
        });
        return charged;
    }

    private static NewGeneration Row(string ns = "alice", string? key = null, int seconds = 5, string resolution = "1080P", string model = "happyhorse-1.0-t2v") =>
        NewGeneration(ns, model) with { ApiKeyId = key, VideoSeconds = seconds, Resolution = resolution };
}
