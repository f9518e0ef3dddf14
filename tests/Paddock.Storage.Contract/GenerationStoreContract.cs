using System.Collections.Concurrent;
using System.Diagnostics;
using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Xunit.Abstractions;

namespace Paddock.Storage.Contract;

/// <summary>The queue's behaviour, as every <see cref="IGenerationStore"/> backend must show it.</summary>
public abstract class GenerationStoreContract<TBackend>(ITestOutputHelper output) : StoreContract<TBackend>
    where TBackend : IStoreBackend, new()
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    // ---- enqueue and read back ----

    [Fact]
    public async Task Enqueued_row_reads_back_with_every_field()
    {
        var store = await OpenAsync();
        var generation = NewGeneration(parameters: """{"prompt":"ein Pferd am Strand — 海边的马","seed":7,"duration":5}""");
        var enqueuedAt = Time.GetUtcNow();

        await store.Generations.EnqueueAsync([generation]);
        var row = await store.Generations.GetAsync("alice", generation.Id);

        Assert.Equal(new Generation(
            generation.Id, "alice", generation.Model, "video", GenerationStatus.Queued, generation.Parameters,
            EnqueuedAt: enqueuedAt, StartedAt: null, CompletedAt: null, ErrorMessage: null, OutputKey: null,
            Progress: null, Attempt: 0, QueuePosition: 1), row! with { Version = 0 });
        Assert.NotEqual(0, row.Version);
    }

    /// <summary>
    /// Reads may keep a row as they made it, by its id and version: each kind of write must give the row another version,
    /// and the read after it (the row alone and on a page) must show the write, never the row as an earlier read kept it.
    /// </summary>
    [Fact]
    public async Task A_row_read_after_each_kind_of_write_shows_the_write_under_a_new_version()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var versions = new List<long>();

        async Task<Generation> ReadTwiceAsync()
        {
            // The row alone, again (a second read may come from what the first kept), and on a page: the same row.
            var row = (await store.Generations.GetAsync("alice", generation.Id))!;
            Assert.Equal(row, await store.Generations.GetAsync("alice", generation.Id));
            var page = await store.Generations.QueryAsync(new GenerationQuery("alice", null, null, null, Limit: 10));
            Assert.Equal(row, Assert.Single(page.Items));
            Assert.NotEqual(0, row.Version);
            Assert.DoesNotContain(row.Version, versions);
            versions.Add(row.Version);
            return row;
        }

        Assert.Equal(GenerationStatus.Queued, (await ReadTwiceAsync()).Status);
        var claim = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!;
        Assert.Equal(GenerationStatus.Processing, (await ReadTwiceAsync()).Status);
        await store.Generations.HeartbeatAsync(claim.Lease, LeaseDuration, new GenerationProgress("rendering", 40, 12));
        Assert.Equal(new GenerationProgress("rendering", 40, 12), (await ReadTwiceAsync()).Progress);
        await store.Generations.HeartbeatAsync(claim.Lease, LeaseDuration, new GenerationProgress("rendering", 41, 11));
        Assert.Equal(new GenerationProgress("rendering", 41, 11), (await ReadTwiceAsync()).Progress);
        await store.Generations.CheckpointAsync(claim.Lease, new RemoteJob("comfy", "prompt-1"));
        Assert.Equal("prompt-1", (await ReadTwiceAsync()).RemoteJob!.Id);
        await store.Generations.SetPinnedAsync("alice", generation.Id, pinned: true);
        Assert.True((await ReadTwiceAsync()).Pinned);
        await store.Generations.CancelAsync("alice", generation.Id, Cancelled("alice", generation.Id));
        var cancelled = await ReadTwiceAsync();
        Assert.Equal((GenerationStatus.Cancelled, RemoteCancelState.Pending), (cancelled.Status, cancelled.RemoteCancel!.Value));
        await store.Generations.RecordRemoteCancelAsync(generation.Id, new RemoteCancelOutcome(RemoteCancelState.Refused, "the task had started"));
        var refused = await ReadTwiceAsync();
        Assert.Equal((RemoteCancelState.Refused, "the task had started"), (refused.RemoteCancel!.Value, refused.StatusMessage));
        await store.Generations.SetPinnedAsync("alice", generation.Id, pinned: false);
        Assert.False((await ReadTwiceAsync()).Pinned);

        // A finished row's output expiring under retention.
        var second = NewGeneration();
        await store.Generations.EnqueueAsync([second]);
        var secondClaim = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!;
        await store.Generations.CompleteAsync(secondClaim.Lease, "outputs/alice/second.mp4", Completed("alice", second.Id));
        Assert.Equal("outputs/alice/second.mp4", (await store.Generations.GetAsync("alice", second.Id))!.OutputKey);
        var before = (await store.Generations.GetAsync("alice", second.Id))!;
        Time.Advance(TimeSpan.FromHours(1));
        Assert.Single(await store.Generations.ExpireOutputsAsync(new Paddock.Core.Retention.ExpiryScope(null, [], Time.GetUtcNow()), 10));
        var expired = (await store.Generations.GetAsync("alice", second.Id))!;
        Assert.Equal(((string?)null, (DateTimeOffset?)Time.GetUtcNow()), (expired.OutputKey, expired.ExpiredAt));
        Assert.NotEqual(before.Version, expired.Version);
        var page = await store.Generations.QueryAsync(new GenerationQuery("alice", [GenerationStatus.Succeeded], null, null, Limit: 10));
        Assert.Equal(expired, Assert.Single(page.Items));
    }

    [Fact]
    public async Task The_submitters_trace_context_reaches_the_worker_that_claims_the_row()
    {
        var store = await OpenAsync();
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var traced = NewGeneration() with { TraceParent = traceParent };
        var untraced = NewGeneration();
        await store.Generations.EnqueueAsync([traced, untraced]);

        Assert.Equal(traceParent, (await store.Generations.GetAsync("alice", traced.Id))!.TraceParent);
        var first = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);
        var second = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);
        Assert.Equal(traceParent, first!.Generation.TraceParent);
        Assert.Null(second!.Generation.TraceParent);
    }

    [Fact]
    public async Task Queued_rows_are_counted_per_model_across_namespaces()
    {
        var store = await OpenAsync();
        Assert.Empty(await store.Generations.CountQueuedByModelAsync());
        await store.Generations.EnqueueAsync([NewGeneration("alice", "model-a"), NewGeneration("bob", "model-a"), NewGeneration("alice", "model-b")]);
        Assert.Equal(new Dictionary<string, long> { ["model-a"] = 2, ["model-b"] = 1 }, await store.Generations.CountQueuedByModelAsync());

        // A claimed row has left the queue; a model whose queue is empty is absent.
        await store.Generations.ClaimNextAsync("worker-1", LeaseDuration, ["model-b"]);
        Assert.Equal(new Dictionary<string, long> { ["model-a"] = 2 }, await store.Generations.CountQueuedByModelAsync());
    }

    [Fact]
    public async Task The_queue_overview_counts_by_status_finds_the_oldest_queued_row_and_the_load_of_each_worker()
    {
        var store = await OpenAsync();
        Assert.Empty(await store.Generations.CountByStatusAsync());
        Assert.Empty(await store.Generations.ProcessingByWorkerAsync());
        Assert.Null(await store.Generations.OldestQueuedAsync("alice", "model-a"));

        var first = Time.GetUtcNow();
        var a1 = NewGeneration("alice", "model-a");
        await store.Generations.EnqueueAsync([a1]);
        Time.Advance(TimeSpan.FromSeconds(1));
        var a2 = NewGeneration("alice", "model-b");
        var b1 = NewGeneration("bob", "model-a");
        await store.Generations.EnqueueAsync([a2, b1]);
        Time.Advance(TimeSpan.FromSeconds(1));
        var last = Time.GetUtcNow();
        await store.Generations.EnqueueAsync([NewGeneration("alice", "model-a")]);

        Assert.Equal(first, await store.Generations.OldestQueuedAsync("alice", "model-a"));
        Assert.Equal(first + TimeSpan.FromSeconds(1), await store.Generations.OldestQueuedAsync("alice", "model-b"));
        Assert.Null(await store.Generations.OldestQueuedAsync("bob", "model-b"));

        var b = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration, ["model-b"]))!;
        Assert.Equal(a2.Id, b.Lease.GenerationId);
        var claimed = new[]
        {
            (await store.Generations.ClaimNextAsync("worker-2", LeaseDuration, ["model-a"]))!.Lease.GenerationId,
            (await store.Generations.ClaimNextAsync("worker-2", LeaseDuration, ["model-a"]))!.Lease.GenerationId,
        };
        Assert.Equal(new HashSet<Guid> { a1.Id, b1.Id }, claimed.ToHashSet());
        await store.Generations.CompleteAsync(b.Lease, "b.mp4", Completed("alice", a2.Id));

        Assert.Equal(last, await store.Generations.OldestQueuedAsync("alice", "model-a"));
        Assert.Null(await store.Generations.OldestQueuedAsync("alice", "model-b"));
        Assert.Equal([new WorkerLoad("worker-2", 2)], await store.Generations.ProcessingByWorkerAsync());
        Assert.Equal(
            [
                new StatusCount("alice", "model-a", "processing", 1),
                new StatusCount("alice", "model-a", "queued", 1),
                new StatusCount("alice", "model-b", "succeeded", 1),
                new StatusCount("bob", "model-a", "processing", 1),
            ],
            await store.Generations.CountByStatusAsync());
    }

    [Fact]
    public async Task Row_records_its_whole_life()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        var enqueuedAt = Time.GetUtcNow();
        await store.Generations.EnqueueAsync([generation]);

        Time.Advance(TimeSpan.FromSeconds(2));
        var startedAt = Time.GetUtcNow();
        var claim = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);
        Assert.NotNull(claim);
        Assert.Equal(new Lease(generation.Id, "worker-1", 1), claim.Lease);
        Assert.Equal(GenerationStatus.Processing, claim.Generation.Status);
        Assert.Equal(startedAt, claim.Generation.StartedAt);
        Assert.Equal(1, claim.Generation.Attempt);

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LeaseState.Held, await store.Generations.HeartbeatAsync(claim.Lease, LeaseDuration, new GenerationProgress("rendering", 40, 12)));
        var running = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(new GenerationProgress("rendering", 40, 12), running!.Progress);
        Assert.Null(running.QueuePosition);

        // A heartbeat without progress keeps the last one.
        Assert.Equal(LeaseState.Held, await store.Generations.HeartbeatAsync(claim.Lease, LeaseDuration, null));
        Assert.Equal(new GenerationProgress("rendering", 40, 12), (await store.Generations.GetAsync("alice", generation.Id))!.Progress);
        Assert.Equal(LeaseState.Held, await store.Generations.HeartbeatAsync(claim.Lease, LeaseDuration, new GenerationProgress("encoding", 95)));
        Assert.Equal(new GenerationProgress("encoding", 95), (await store.Generations.GetAsync("alice", generation.Id))!.Progress);

        Time.Advance(TimeSpan.FromSeconds(3));
        var completedAt = Time.GetUtcNow();
        Assert.True(await store.Generations.CompleteAsync(claim.Lease, "outputs/alice/video.mp4", Completed("alice", generation.Id)));

        var done = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(new Generation(
            generation.Id, "alice", generation.Model, "video", GenerationStatus.Succeeded, generation.Parameters,
            EnqueuedAt: enqueuedAt, StartedAt: startedAt, CompletedAt: completedAt, ErrorMessage: null,
            OutputKey: "outputs/alice/video.mp4", Progress: null, Attempt: 1), done! with { Version = 0 });
    }

    [Fact]
    public async Task Failed_row_keeps_its_error_message()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var claim = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);

        Assert.True(await store.Generations.FailAsync(claim!.Lease,
            new GenerationFailure(FailureKind.InvalidInput, "reference image 2 is not a PNG or JPEG", "BadImage"), Completed("alice", generation.Id, "failed")));

        var row = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Failed, row!.Status);
        Assert.Equal("reference image 2 is not a PNG or JPEG", row.ErrorMessage);
        Assert.Equal(FailureKind.InvalidInput, row.ErrorType);
        Assert.Equal("BadImage", row.ErrorCode);
        Assert.Null(row.OutputKey);
        Assert.Equal(Time.GetUtcNow(), row.CompletedAt);
    }

    [Fact]
    public async Task Enqueue_of_several_rows_is_all_or_nothing()
    {
        var store = await OpenAsync();
        var existing = NewGeneration();
        await store.Generations.EnqueueAsync([existing]);
        var fresh = NewGeneration();

        await Assert.ThrowsAnyAsync<Exception>(() => store.Generations.EnqueueAsync([fresh, existing with { Parameters = "{}" }]));

        Assert.Null(await store.Generations.GetAsync("alice", fresh.Id));
        Assert.Equal(1, (await store.Generations.QueryAsync(new GenerationQuery("alice"))).TotalEntries);
    }

    // ---- idempotency ----

    [Fact]
    public async Task An_idempotency_key_creates_rows_once_and_expires()
    {
        var store = await OpenAsync();
        var claim = new IdempotencyClaim("alice", "k1", "fp-a", Time.GetUtcNow() + TimeSpan.FromHours(24));
        var first = NewGeneration();
        var created = await store.Generations.EnqueueOnceAsync([first], claim);
        Assert.Equal(IdempotencyResult.Created, created.Result);
        Assert.Equal([first.Id], created.GenerationIds);

        var replay = await store.Generations.EnqueueOnceAsync([NewGeneration()], claim);
        Assert.Equal(IdempotencyResult.Replayed, replay.Result);
        Assert.Equal([first.Id], replay.GenerationIds);
        var conflict = await store.Generations.EnqueueOnceAsync([NewGeneration()], claim with { Fingerprint = "fp-b" });
        Assert.Equal(IdempotencyResult.Conflict, conflict.Result);
        Assert.Equal(IdempotencyResult.Created, (await store.Generations.EnqueueOnceAsync([NewGeneration("bob")], claim with { Namespace = "bob" })).Result);
        Assert.Equal(1, (await store.Generations.QueryAsync(new GenerationQuery("alice"))).TotalEntries);

        Time.Advance(TimeSpan.FromHours(25));
        var later = NewGeneration();
        Assert.Equal(IdempotencyResult.Created, (await store.Generations.EnqueueOnceAsync([later], claim with { ExpiresAt = Time.GetUtcNow() + TimeSpan.FromHours(24) })).Result);
        Assert.Equal(2, (await store.Generations.QueryAsync(new GenerationQuery("alice"))).TotalEntries);
    }

    // ---- namespaces ----

    [Fact]
    public async Task Another_namespace_cannot_see_or_cancel_a_row()
    {
        var store = await OpenAsync();
        var generation = NewGeneration("alice");
        await store.Generations.EnqueueAsync([generation]);

        Assert.Null(await store.Generations.GetAsync("bob", generation.Id));
        Assert.Equal(CancelOutcome.NotFound, await store.Generations.CancelAsync("bob", generation.Id, Cancelled("bob", generation.Id)));
        var bobs = await store.Generations.QueryAsync(new GenerationQuery("bob"));
        Assert.Empty(bobs.Items);
        Assert.Equal(0, bobs.TotalEntries);

        Assert.Equal(GenerationStatus.Queued, (await store.Generations.GetAsync("alice", generation.Id))!.Status);
        Assert.Empty(await store.Events.ReadAfterAsync("bob", 0, 100));
    }

    [Fact]
    public async Task Unknown_id_is_not_found()
    {
        var store = await OpenAsync();
        Assert.Null(await store.Generations.GetAsync("alice", Guid.NewGuid()));
        Assert.Equal(CancelOutcome.NotFound, await store.Generations.CancelAsync("alice", Guid.NewGuid(), Cancelled("alice", Guid.NewGuid())));
    }

    // ---- claims ----

    [Fact]
    public async Task Claims_take_the_oldest_row_first()
    {
        var store = await OpenAsync();
        var first = NewGeneration("bob");
        var second = NewGeneration("alice");
        var third = NewGeneration("bob");
        await store.Generations.EnqueueAsync([first]);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await store.Generations.EnqueueAsync([second]);
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Generations.EnqueueAsync([third]);

        Assert.Equal(first.Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);
        Assert.Equal(second.Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);
        Assert.Equal(third.Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);
        Assert.Null(await store.Generations.ClaimNextAsync("w", LeaseDuration));
    }

    [Fact]
    public async Task Rows_enqueued_in_the_same_instant_are_claimed_in_enqueue_order()
    {
        var store = await OpenAsync();
        var rows = Enumerable.Range(0, 5).Select(_ => NewGeneration()).ToList();
        await store.Generations.EnqueueAsync(rows.Take(3).ToList());
        await store.Generations.EnqueueAsync(rows.Skip(3).ToList());

        foreach (var expected in rows)
            Assert.Equal(expected.Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);
    }

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_row()
    {
        var store = await OpenAsync();
        var rows = Enumerable.Range(0, 200).Select(i => NewGeneration(i % 2 == 0 ? "alice" : "bob")).ToList();
        await store.Generations.EnqueueAsync(rows);

        var claimed = new ConcurrentBag<ClaimedGeneration>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            while (await store.Generations.ClaimNextAsync($"worker-{worker}", LeaseDuration) is { } claim)
                claimed.Add(claim);
        })));

        Assert.Equal(200, claimed.Count);
        Assert.Equal(rows.Select(r => r.Id).Order(), claimed.Select(c => c.Lease.GenerationId).Order());
        Assert.All(claimed, c => Assert.Equal(1, c.Lease.Attempt));
        var processing = await store.Generations.QueryAsync(new GenerationQuery("alice", [GenerationStatus.Processing]));
        Assert.Equal(100, processing.TotalEntries);
    }

    // ---- heartbeats ----

    [Fact]
    public async Task Heartbeat_extends_the_lease()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var claim = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);

        Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(LeaseState.Held, await store.Generations.HeartbeatAsync(claim!.Lease, LeaseDuration, null));
        Time.Advance(TimeSpan.FromSeconds(20)); // 40 s after the claim, 20 s after the heartbeat

        Assert.Equal(0, await store.Generations.RecoverExpiredLeasesAsync(3, g => Completed(g.Namespace, g.Id, "failed")));
        Assert.Equal(LeaseState.Held, await store.Generations.HeartbeatAsync(claim.Lease, LeaseDuration, null));
        Assert.True(await store.Generations.CompleteAsync(claim.Lease, "out.mp4", Completed("alice", generation.Id)));
    }

    [Fact]
    public async Task Heartbeat_on_a_cancelled_row_says_cancelled()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var claim = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);
        await store.Generations.CancelAsync("alice", generation.Id, Cancelled("alice", generation.Id));

        Assert.Equal(LeaseState.Cancelled, await store.Generations.HeartbeatAsync(claim!.Lease, LeaseDuration, new GenerationProgress("rendering", 50)));
        Assert.Null((await store.Generations.GetAsync("alice", generation.Id))!.Progress);
    }

    [Fact]
    public async Task Heartbeat_after_expiry_or_by_another_holder_is_lost()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var claim = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);
        var lease = claim!.Lease;

        Assert.Equal(LeaseState.Lost, await store.Generations.HeartbeatAsync(lease with { WorkerId = "worker-2" }, LeaseDuration, null));
        Assert.Equal(LeaseState.Lost, await store.Generations.HeartbeatAsync(lease with { Attempt = 2 }, LeaseDuration, null));
        Assert.Equal(LeaseState.Lost, await store.Generations.HeartbeatAsync(lease with { GenerationId = Guid.NewGuid() }, LeaseDuration, null));

        Time.Advance(LeaseDuration);
        Assert.Equal(LeaseState.Lost, await store.Generations.HeartbeatAsync(lease, LeaseDuration, new GenerationProgress("rendering", 99)));
        var row = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Null(row!.Progress);
    }

    // ---- fencing ----

    [Fact]
    public async Task Expired_lease_can_neither_complete_nor_fail()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var claim = await store.Generations.ClaimNextAsync("worker-1", LeaseDuration);
        var before = await store.Generations.GetAsync("alice", generation.Id);

        Time.Advance(LeaseDuration + TimeSpan.FromMilliseconds(1));

        Assert.False(await store.Generations.CompleteAsync(claim!.Lease, "out.mp4", Completed("alice", generation.Id)));
        Assert.False(await store.Generations.FailAsync(claim.Lease, Failure("boom"), Completed("alice", generation.Id, "failed")));
        Assert.Equal(before, await store.Generations.GetAsync("alice", generation.Id));
        Assert.Empty(await store.Events.ReadAfterAsync("alice", 0, 100));
    }

    [Fact]
    public async Task After_recovery_only_the_new_lease_can_finish_the_row()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var old = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;

        Time.Advance(LeaseDuration);
        Assert.Equal(1, await store.Generations.RecoverExpiredLeasesAsync(3, g => Completed(g.Namespace, g.Id, "failed")));
        // The same worker id claims again: only the attempt tells the two leases apart.
        var fresh = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        Assert.Equal(2, fresh.Attempt);

        Assert.False(await store.Generations.CompleteAsync(old, "stale.mp4", Completed("alice", generation.Id)));
        Assert.False(await store.Generations.FailAsync(old, Failure("stale"), Completed("alice", generation.Id, "failed")));
        Assert.Equal(LeaseState.Lost, await store.Generations.HeartbeatAsync(old, LeaseDuration, null));
        Assert.True(await store.Generations.CompleteAsync(fresh, "fresh.mp4", Completed("alice", generation.Id)));

        var row = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Succeeded, row!.Status);
        Assert.Equal("fresh.mp4", row.OutputKey);
        Assert.Equal(2, row.Attempt);
        Assert.Single(await store.Events.ReadAfterAsync("alice", 0, 100));
    }

    [Fact]
    public async Task A_finished_row_cannot_be_finished_again()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;

        Assert.True(await store.Generations.CompleteAsync(lease, "out.mp4", Completed("alice", generation.Id)));
        Assert.False(await store.Generations.CompleteAsync(lease, "again.mp4", Completed("alice", generation.Id)));
        Assert.False(await store.Generations.FailAsync(lease, Failure("late failure"), Completed("alice", generation.Id, "failed")));

        Assert.Equal("out.mp4", (await store.Generations.GetAsync("alice", generation.Id))!.OutputKey);
        Assert.Single(await store.Events.ReadAfterAsync("alice", 0, 100));
    }

    // ---- handing back on shutdown ----

    [Fact]
    public async Task A_row_handed_back_is_queued_at_once_with_its_event_and_the_old_lease_fenced_off()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var first = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!;
        await store.Generations.HeartbeatAsync(first.Lease, LeaseDuration, new GenerationProgress("rendering", 60));

        Assert.True(await store.Generations.ReleaseAsync(first.Lease, Requeued("alice", generation.Id)));

        var row = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Queued, row!.Status);
        Assert.Null(row.Progress);
        Assert.Equal(1, row.QueuePosition);
        Assert.Equal(first.Generation.StartedAt, row.StartedAt);
        Assert.Equal(EventTypes.Requeued, Assert.Single(await store.Events.ReadAfterAsync("alice", 0, 100)).Type);

        // The next claim has a higher attempt, so nothing the first holder might still send can land.
        var second = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!;
        Assert.Equal(2, second.Lease.Attempt);
        Assert.False(await store.Generations.ReleaseAsync(first.Lease, Requeued("alice", generation.Id)));
        Assert.False(await store.Generations.CompleteAsync(first.Lease, "stale.mp4", Completed("alice", generation.Id)));
        Assert.Equal(LeaseState.Lost, await store.Generations.HeartbeatAsync(first.Lease, LeaseDuration, null));
        Assert.True(await store.Generations.CompleteAsync(second.Lease, "out.mp4", Completed("alice", generation.Id)));
        Assert.Equal(GenerationStatus.Succeeded, (await store.Generations.GetAsync("alice", generation.Id))!.Status);
    }

    [Fact]
    public async Task A_row_handed_back_shows_only_the_attempts_that_count_while_its_lease_still_fences_every_claim()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var first = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!;
        Assert.Equal(1, first.Generation.Attempt);
        Assert.True(await store.Generations.ReleaseAsync(first.Lease, Requeued("alice", generation.Id)));

        // Handed back on a graceful stop: the README promises it does not count, so the row does not show it.
        Assert.Equal(0, (await store.Generations.GetAsync("alice", generation.Id))!.Attempt);

        var second = (await store.Generations.ClaimNextAsync("worker-2", LeaseDuration))!;
        Assert.Equal(1, second.Generation.Attempt);
        Assert.Equal(2, second.Lease.Attempt); // the fencing token still tells the two claims apart
        Assert.True(await store.Generations.CompleteAsync(second.Lease, "out.mp4", Completed("alice", generation.Id)));
        Assert.Equal(1, (await store.Generations.GetAsync("alice", generation.Id))!.Attempt);
        Assert.Equal(1, (await store.Generations.QueryAsync(new GenerationQuery("alice"))).Items.Single().Attempt);
    }

    [Fact]
    public async Task Attempts_handed_back_do_not_count_against_the_limit()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        for (var i = 0; i < 3; i++)
        {
            var lease = (await store.Generations.ClaimNextAsync($"worker-{i}", LeaseDuration))!.Lease;
            Assert.True(await store.Generations.ReleaseAsync(lease, Requeued("alice", generation.Id)));
        }

        // Three attempts handed back, then one that dies: with a limit of 2 that is one counted attempt, so it is requeued.
        Assert.Equal(4, (await store.Generations.ClaimNextAsync("worker-3", LeaseDuration))!.Lease.Attempt);
        Time.Advance(LeaseDuration);
        Assert.Equal(1, await store.Generations.RecoverExpiredLeasesAsync(2, g => Completed(g.Namespace, g.Id, "failed")));
        Assert.Equal(GenerationStatus.Queued, (await store.Generations.GetAsync("alice", generation.Id))!.Status);

        var last = (await store.Generations.ClaimNextAsync("worker-4", LeaseDuration))!;
        Assert.Equal(5, last.Lease.Attempt);
        Time.Advance(LeaseDuration);
        Assert.Equal(1, await store.Generations.RecoverExpiredLeasesAsync(2, g => Completed(g.Namespace, g.Id, "failed")));
        var failed = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Failed, failed!.Status);
        Assert.Equal("gave up after 2 attempts: the worker stopped responding", failed.ErrorMessage);
    }

    [Fact]
    public async Task A_row_cancelled_or_expired_cannot_be_handed_back()
    {
        var store = await OpenAsync();
        var cancelled = NewGeneration();
        var expired = NewGeneration();
        await store.Generations.EnqueueAsync([cancelled, expired]);
        var cancelledLease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        var expiredLease = (await store.Generations.ClaimNextAsync("worker-2", LeaseDuration))!.Lease;
        await store.Generations.CancelAsync("alice", cancelledLease.GenerationId, Cancelled("alice", cancelledLease.GenerationId));
        Time.Advance(LeaseDuration);

        Assert.False(await store.Generations.ReleaseAsync(cancelledLease, Requeued("alice", cancelledLease.GenerationId)));
        Assert.False(await store.Generations.ReleaseAsync(expiredLease, Requeued("alice", expiredLease.GenerationId)));
        Assert.Equal(GenerationStatus.Cancelled, (await store.Generations.GetAsync("alice", cancelledLease.GenerationId))!.Status);
        Assert.Equal(GenerationStatus.Processing, (await store.Generations.GetAsync("alice", expiredLease.GenerationId))!.Status);
        Assert.DoesNotContain(await store.Events.ReadAfterAsync("alice", 0, 100), e => e.Type == EventTypes.Requeued);
    }

    // ---- recovery ----

    [Fact]
    public async Task Expired_leases_are_requeued_then_failed_at_max_attempts()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        var healthy = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Generations.EnqueueAsync([healthy]);
        var seen = new List<Generation>();
        EventDraft FailedEvent(Generation g)
        {
            seen.Add(g);
            return new EventDraft(g.Namespace, EventTypes.Completed, $$"""{"generation_id":"{{g.Id}}","status":"failed","error":"{{g.ErrorMessage}}"}""");
        }

        var first = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!;
        Assert.Equal(generation.Id, first.Lease.GenerationId);
        await store.Generations.HeartbeatAsync(first.Lease, LeaseDuration, new GenerationProgress("rendering", 30));
        var other = (await store.Generations.ClaimNextAsync("worker-2", TimeSpan.FromHours(1)))!;
        Assert.Equal(healthy.Id, other.Lease.GenerationId);

        Assert.Equal(0, await store.Generations.RecoverExpiredLeasesAsync(2, FailedEvent));
        Time.Advance(LeaseDuration);
        Assert.Equal(1, await store.Generations.RecoverExpiredLeasesAsync(2, FailedEvent));

        var requeued = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Queued, requeued!.Status);
        Assert.Equal(1, requeued.Attempt);
        Assert.Null(requeued.Progress);
        Assert.Null(requeued.CompletedAt);
        Assert.Equal(1, requeued.QueuePosition);
        Assert.Equal(GenerationStatus.Processing, (await store.Generations.GetAsync("alice", healthy.Id))!.Status);
        Assert.Empty(seen);

        var second = (await store.Generations.ClaimNextAsync("worker-3", LeaseDuration))!;
        Assert.Equal(new Lease(generation.Id, "worker-3", 2), second.Lease);
        Assert.Equal(first.Generation.StartedAt, second.Generation.StartedAt);
        Time.Advance(LeaseDuration);
        Assert.Equal(1, await store.Generations.RecoverExpiredLeasesAsync(2, FailedEvent));

        var failed = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Failed, failed!.Status);
        Assert.Equal("gave up after 2 attempts: the worker stopped responding", failed.ErrorMessage);
        Assert.Equal(Time.GetUtcNow(), failed.CompletedAt);
        Assert.Equal(2, failed.Attempt);
        var given = Assert.Single(seen);
        Assert.Equal(GenerationStatus.Failed, given.Status);
        Assert.Equal(failed.ErrorMessage, given.ErrorMessage);
        var stored = Assert.Single(await store.Events.ReadAfterAsync("alice", 0, 100));
        Assert.Equal(EventTypes.Completed, stored.Type);
        Assert.Contains("gave up after 2 attempts", stored.Data, StringComparison.Ordinal);

        Assert.Equal(0, await store.Generations.RecoverExpiredLeasesAsync(2, FailedEvent));
        Assert.Null(await store.Generations.ClaimNextAsync("worker-3", LeaseDuration));
    }

    // ---- cancel ----

    [Fact]
    public async Task Cancelling_a_queued_row_keeps_it_from_being_claimed()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(CancelOutcome.Cancelled, await store.Generations.CancelAsync("alice", generation.Id, Cancelled("alice", generation.Id)));

        var row = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Cancelled, row!.Status);
        Assert.Equal(Time.GetUtcNow(), row.CompletedAt);
        Assert.Null(row.QueuePosition);
        Assert.Null(await store.Generations.ClaimNextAsync("worker-1", LeaseDuration));
        var stored = Assert.Single(await store.Events.ReadAfterAsync("alice", 0, 100));
        Assert.Equal(EventTypes.Cancelled, stored.Type);
    }

    [Fact]
    public async Task Cancelling_a_processing_row_fences_out_its_worker()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;

        Assert.Equal(CancelOutcome.Cancelled, await store.Generations.CancelAsync("alice", generation.Id, Cancelled("alice", generation.Id)));

        Assert.False(await store.Generations.CompleteAsync(lease, "out.mp4", Completed("alice", generation.Id)));
        Assert.False(await store.Generations.FailAsync(lease, Failure("stopped"), Completed("alice", generation.Id, "failed")));
        Assert.Equal(LeaseState.Cancelled, await store.Generations.HeartbeatAsync(lease, LeaseDuration, null));
        Time.Advance(LeaseDuration * 2);
        Assert.Equal(0, await store.Generations.RecoverExpiredLeasesAsync(1, g => Completed(g.Namespace, g.Id, "failed")));
        var row = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Cancelled, row!.Status);
        Assert.Null(row.OutputKey);
        Assert.Single(await store.Events.ReadAfterAsync("alice", 0, 100));
    }

    [Fact]
    public async Task Cancelling_a_terminal_row_changes_nothing()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        await store.Generations.CompleteAsync(lease, "out.mp4", Completed("alice", generation.Id));
        var finished = await store.Generations.GetAsync("alice", generation.Id);
        Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(CancelOutcome.AlreadyTerminal, await store.Generations.CancelAsync("alice", generation.Id, Cancelled("alice", generation.Id)));
        Assert.Equal(finished, await store.Generations.GetAsync("alice", generation.Id));

        var cancelled = NewGeneration();
        await store.Generations.EnqueueAsync([cancelled]);
        Assert.Equal(CancelOutcome.Cancelled, await store.Generations.CancelAsync("alice", cancelled.Id, Cancelled("alice", cancelled.Id)));
        Assert.Equal(CancelOutcome.AlreadyTerminal, await store.Generations.CancelAsync("alice", cancelled.Id, Cancelled("alice", cancelled.Id)));

        var events = await store.Events.ReadAfterAsync("alice", 0, 100);
        Assert.Equal([EventTypes.Completed, EventTypes.Cancelled], events.Select(e => e.Type));
    }

    // ---- delete (the OpenAI face's DELETE /v1/videos/{id}) ----

    [Fact]
    public async Task Deleting_takes_only_a_terminal_row_of_the_namespace_and_the_totals_follow()
    {
        var store = await OpenAsync();
        var finished = NewGeneration();
        var waiting = NewGeneration();
        await store.Generations.EnqueueAsync([finished]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        await store.Generations.CompleteAsync(lease, "out.mp4", Completed("alice", finished.Id));
        await store.Generations.EnqueueAsync([waiting]);

        Assert.Equal(DeleteOutcome.NotFound, await store.Generations.DeleteAsync("bob", finished.Id));
        Assert.Equal(DeleteOutcome.NotFound, await store.Generations.DeleteAsync("alice", Guid.NewGuid()));
        Assert.Equal(DeleteOutcome.StillActive, await store.Generations.DeleteAsync("alice", waiting.Id));
        Assert.Equal(DeleteOutcome.Deleted, await store.Generations.DeleteAsync("alice", finished.Id));

        Assert.Null(await store.Generations.GetAsync("alice", finished.Id));
        Assert.Equal(DeleteOutcome.NotFound, await store.Generations.DeleteAsync("alice", finished.Id));
        var page = await store.Generations.QueryAsync(new GenerationQuery("alice"));
        Assert.Equal(waiting.Id, Assert.Single(page.Items).Id);
        Assert.Equal(1, page.TotalEntries);
        Assert.Equal(0, (await store.Generations.QueryAsync(new GenerationQuery("alice", [GenerationStatus.Succeeded]))).TotalEntries);
        Assert.NotNull(await store.Generations.GetAsync("alice", waiting.Id));
    }

    // ---- events appended with status changes ----

    [Fact]
    public async Task Completion_appends_exactly_its_event()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        var draft = Completed("alice", generation.Id);
        Time.Advance(TimeSpan.FromSeconds(9));

        Assert.True(await store.Generations.CompleteAsync(lease, "out.mp4", draft));

        var stored = Assert.Single(await store.Events.ReadAfterAsync("alice", 0, 100));
        Assert.Equal(new StoredEvent(stored.Sequence, "alice", draft.Type, draft.Data, Time.GetUtcNow()), stored);
        Assert.Equal(stored.Sequence, await store.Events.LatestSequenceAsync());
    }

    [Fact]
    public async Task Status_change_is_undone_when_its_event_cannot_be_stored()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        var unstorable = new EventDraft("alice", EventTypes.Completed, null!);

        await Assert.ThrowsAnyAsync<Exception>(() => store.Generations.CompleteAsync(lease, "out.mp4", unstorable));
        await Assert.ThrowsAnyAsync<Exception>(() => store.Generations.CancelAsync("alice", generation.Id, unstorable));

        var row = await store.Generations.GetAsync("alice", generation.Id);
        Assert.Equal(GenerationStatus.Processing, row!.Status);
        Assert.Null(row.OutputKey);
        Assert.Equal(0, await store.Events.LatestSequenceAsync());
        Assert.True(await store.Generations.CompleteAsync(lease, "out.mp4", Completed("alice", generation.Id)));
    }

    // ---- query ----

    [Fact]
    public async Task Query_filters_and_lists_newest_first()
    {
        var store = await OpenAsync();
        var a = NewGeneration(model: "m1", mediaType: "video");
        var b = NewGeneration(model: "m2", mediaType: "video");
        var c = NewGeneration(model: "m1", mediaType: "image");
        var d = NewGeneration(model: "m1", mediaType: "video");
        foreach (var g in new[] { a, b, c, d })
        {
            await store.Generations.EnqueueAsync([g]);
            Time.Advance(TimeSpan.FromSeconds(1));
        }
        await store.Generations.EnqueueAsync([NewGeneration("bob", model: "m1")]);
        var lease = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease; // a
        await store.Generations.CompleteAsync(lease, "a.mp4", Completed("alice", a.Id));
        await store.Generations.ClaimNextAsync("w", LeaseDuration); // b
        await store.Generations.CancelAsync("alice", c.Id, Cancelled("alice", c.Id));

        async Task<Guid[]> Ids(GenerationQuery query) =>
            (await store.Generations.QueryAsync(query)).Items.Select(g => g.Id).ToArray();

        Assert.Equal([d.Id, c.Id, b.Id, a.Id], await Ids(new GenerationQuery("alice")));
        Assert.Equal([d.Id, c.Id, b.Id, a.Id], await Ids(new GenerationQuery("alice", Statuses: [])));
        Assert.Equal([d.Id, b.Id], await Ids(new GenerationQuery("alice", [GenerationStatus.Queued, GenerationStatus.Processing])));
        Assert.Equal([a.Id], await Ids(new GenerationQuery("alice", [GenerationStatus.Succeeded])));
        Assert.Equal([d.Id, c.Id, a.Id], await Ids(new GenerationQuery("alice", Model: "m1")));
        Assert.Equal([c.Id], await Ids(new GenerationQuery("alice", MediaType: "image")));
        Assert.Equal([d.Id], await Ids(new GenerationQuery("alice", [GenerationStatus.Queued], Model: "m1", MediaType: "video")));
        Assert.Empty(await Ids(new GenerationQuery("alice", [GenerationStatus.Failed])));
    }

    [Fact]
    public async Task Query_pages_with_the_total_of_all_matches()
    {
        var store = await OpenAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            var g = NewGeneration();
            ids.Add(g.Id);
            await store.Generations.EnqueueAsync([g]);
        }
        await store.Generations.EnqueueAsync([NewGeneration("bob")]);
        ids.Reverse();

        var pages = new List<Guid>();
        for (var offset = 0; offset < 9; offset += 3)
        {
            var page = await store.Generations.QueryAsync(new GenerationQuery("alice", Offset: offset, Limit: 3));
            Assert.Equal(7, page.TotalEntries);
            pages.AddRange(page.Items.Select(g => g.Id));
        }
        Assert.Equal(ids, pages);

        var empty = await store.Generations.QueryAsync(new GenerationQuery("alice", Offset: 0, Limit: 0));
        Assert.Empty(empty.Items);
        Assert.Equal(7, empty.TotalEntries);
        var beyond = await store.Generations.QueryAsync(new GenerationQuery("alice", Offset: 50, Limit: 10));
        Assert.Empty(beyond.Items);
        Assert.Equal(7, beyond.TotalEntries);
    }

    [Fact]
    public async Task Queued_rows_show_their_place_in_the_whole_queue()
    {
        var store = await OpenAsync();
        var rows = new List<NewGeneration>();
        for (var i = 0; i < 6; i++)
        {
            var g = NewGeneration(i % 2 == 0 ? "alice" : "bob");
            rows.Add(g);
            await store.Generations.EnqueueAsync([g]);
            if (i != 2)
                Time.Advance(TimeSpan.FromMilliseconds(500)); // rows 2 and 3 share an instant
        }

        // alice: rows 0, 2, 4 at places 1, 3, 5 among everyone's.
        var page = await store.Generations.QueryAsync(new GenerationQuery("alice"));
        Assert.Equal([(rows[4].Id, 5L), (rows[2].Id, 3L), (rows[0].Id, 1L)], page.Items.Select(g => (g.Id, g.QueuePosition!.Value)));
        Assert.Equal(4, (await store.Generations.GetAsync("bob", rows[3].Id))!.QueuePosition);

        await store.Generations.ClaimNextAsync("w", LeaseDuration); // row 0
        await store.Generations.CancelAsync("bob", rows[1].Id, Cancelled("bob", rows[1].Id));

        // alice has had a claim and bob none, so bob's turn comes first: 3, 2, 5, 4.
        page = await store.Generations.QueryAsync(new GenerationQuery("alice"));
        Assert.Equal([(rows[4].Id, (long?)4), (rows[2].Id, 2), (rows[0].Id, null)], page.Items.Select(g => (g.Id, g.QueuePosition)));
        page = await store.Generations.QueryAsync(new GenerationQuery("bob", Limit: 1));
        Assert.Equal([(rows[5].Id, (long?)3)], page.Items.Select(g => (g.Id, g.QueuePosition)));
        page = await store.Generations.QueryAsync(new GenerationQuery("bob"));
        Assert.Equal([(rows[5].Id, (long?)3), (rows[3].Id, 1), (rows[1].Id, null)], page.Items.Select(g => (g.Id, g.QueuePosition)));
        Assert.Equal(1, (await store.Generations.GetAsync("bob", rows[3].Id))!.QueuePosition);
        Assert.Equal([rows[3].Id, rows[2].Id, rows[5].Id, rows[4].Id], await ClaimAllAsync(store));
    }

    // ---- fair scheduling (FairQueue) ----

    [Fact]
    public async Task A_namespace_with_one_row_is_claimed_next_even_behind_another_namespaces_hundred()
    {
        var store = await OpenAsync();
        var many = Enumerable.Range(0, 100).Select(_ => NewGeneration("alice")).ToList();
        await store.Generations.EnqueueAsync(many);
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(many[0].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);
        Assert.Equal(many[1].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);

        var one = NewGeneration("bob");
        await store.Generations.EnqueueAsync([one]);
        Assert.Equal(1, (await store.Generations.GetAsync("bob", one.Id))!.QueuePosition);
        Assert.Equal(2, (await store.Generations.GetAsync("alice", many[2].Id))!.QueuePosition);
        Assert.Equal(99, (await store.Generations.GetAsync("alice", many[99].Id))!.QueuePosition);
        Assert.Equal(one.Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);
    }

    [Fact]
    public async Task Namespaces_take_turns_and_every_position_is_the_order_claims_then_take()
    {
        var store = await OpenAsync();
        // carol enqueues 6 first, then alice 4, then dave 1; a claim takes carol's head; bob enqueues 3; one of carol's
        // and one of alice's are cancelled; alice also has a row in another lane, which counts there only.
        var rows = new List<NewGeneration>();
        async Task Enqueue(string ns, int count)
        {
            var batch = Enumerable.Range(0, count).Select(_ => NewGeneration(ns) with { Lane = "builtin" }).ToList();
            await store.Generations.EnqueueAsync(batch);
            rows.AddRange(batch);
            Time.Advance(TimeSpan.FromMilliseconds(3));
        }
        await Enqueue("carol", 6);
        await Enqueue("alice", 4);
        await Enqueue("dave", 1);
        var otherLane = NewGeneration("alice", model: "wan2.1-vace-r2v") with { Lane = "gpus" };
        await store.Generations.EnqueueAsync([otherLane]);
        Assert.Equal(rows[0].Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, ["happyhorse-1.0-t2v"]))!.Lease.GenerationId);
        await Enqueue("bob", 3);
        await store.Generations.CancelAsync("carol", rows[2].Id, Cancelled("carol", rows[2].Id));
        await store.Generations.CancelAsync("alice", rows[7].Id, Cancelled("alice", rows[7].Id));

        var positions = new Dictionary<Guid, long>();
        foreach (var row in rows)
        {
            if ((await store.Generations.GetAsync(row.Namespace, row.Id))!.QueuePosition is { } position)
                positions[row.Id] = position;
        }
        foreach (var ns in new[] { "alice", "bob", "carol", "dave" })
        {
            foreach (var listed in (await store.Generations.QueryAsync(new GenerationQuery(ns, [GenerationStatus.Queued]))).Items.Where(g => g.Model != otherLane.Model))
                Assert.Equal(positions[listed.Id], listed.QueuePosition);
        }
        Assert.Equal(1, (await store.Generations.GetAsync("alice", otherLane.Id))!.QueuePosition);

        var claimed = await ClaimAllAsync(store, ["happyhorse-1.0-t2v"]);
        // Round 1: the namespaces never claimed from, in the order they first enqueued (alice, dave, bob), then carol;
        // round 2: the same order among those with a second row, and so on.
        string[] expected = ["alice", "dave", "bob", "carol", "alice", "bob", "carol", "alice", "bob", "carol", "carol"];
        Assert.Equal(expected, claimed.Select(id => rows.First(r => r.Id == id).Namespace));
        Assert.Equal(claimed.Select((id, i) => (id, (long)i + 1)), claimed.Select(id => (id, positions[id])));
    }

    [Fact]
    public async Task A_higher_priority_goes_first_and_namespaces_take_turns_within_a_priority()
    {
        var store = await OpenAsync();
        var low = Enumerable.Range(0, 3).Select(_ => NewGeneration("alice")).ToList();
        var urgent = Enumerable.Range(0, 2).Select(_ => NewGeneration("bob") with { Priority = 5 }).ToList();
        var alsoUrgent = NewGeneration("alice") with { Priority = 5 };
        await store.Generations.EnqueueAsync(low);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await store.Generations.EnqueueAsync(urgent);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await store.Generations.EnqueueAsync([alsoUrgent]);

        Assert.Equal(4, (await store.Generations.GetAsync("alice", low[0].Id))!.QueuePosition);
        Assert.Equal(2, (await store.Generations.GetAsync("alice", alsoUrgent.Id))!.QueuePosition);
        Assert.Equal(3, (await store.Generations.GetAsync("bob", urgent[1].Id))!.QueuePosition);
        Assert.Equal([urgent[0].Id, alsoUrgent.Id, urgent[1].Id, low[0].Id, low[1].Id, low[2].Id], await ClaimAllAsync(store));
    }

    private static async Task<List<Guid>> ClaimAllAsync(StoreUnderTest store, IReadOnlyCollection<string>? models = null)
    {
        var claimed = new List<Guid>();
        while (await store.Generations.ClaimNextAsync("w", LeaseDuration, models) is { } next)
            claimed.Add(next.Lease.GenerationId);
        return claimed;
    }

    // ---- engines for real models: retries, remote checkpoints, remote cancels, claims per backend ----

    [Fact]
    public async Task A_retry_queues_the_row_again_after_its_pause_without_counting_a_lost_attempt()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        var notBefore = Time.GetUtcNow() + TimeSpan.FromSeconds(10);

        Assert.True(await store.Generations.RetryLaterAsync(lease, notBefore, "waiting: throttled; retry 1 of 5", Requeued("alice", generation.Id)));

        var waiting = (await store.Generations.GetAsync("alice", generation.Id))!;
        Assert.Equal((GenerationStatus.Queued, 1, (DateTimeOffset?)notBefore, "waiting: throttled; retry 1 of 5"), (waiting.Status, waiting.Retries, waiting.RetryAt, waiting.StatusMessage));
        Assert.Equal(["media_generation_requeued"], (await store.Events.ReadAfterAsync("alice", 0, 10)).Select(e => e.Type));
        // Not claimable during its pause; claimable after, with the pause and its message cleared.
        Assert.Null(await store.Generations.ClaimNextAsync("worker-1", LeaseDuration));
        Time.Advance(TimeSpan.FromSeconds(10));
        var again = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!;
        Assert.Equal((2, (DateTimeOffset?)null, (string?)null), (again.Lease.Attempt, again.Generation.RetryAt, again.Generation.StatusMessage));
        // The retried attempt is not held against the row: its second claim is only its first lost attempt, so with
        // MaxAttempts 2 an expired lease is requeued rather than failed.
        Time.Advance(LeaseDuration);
        Assert.Equal(1, await store.Generations.RecoverExpiredLeasesAsync(2, g => Completed(g.Namespace, g.Id, "failed")));
        Assert.Equal(GenerationStatus.Queued, (await store.Generations.GetAsync("alice", generation.Id))!.Status);
        // A retry is fenced like every write of a lease holder.
        Assert.False(await store.Generations.RetryLaterAsync(again.Lease, notBefore, "late", Requeued("alice", generation.Id)));
    }

    [Fact]
    public async Task A_checkpoint_is_kept_across_attempts_and_fenced_by_the_lease()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var first = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        var job = new RemoteJob("dashscope", "task-1", new System.Text.Json.Nodes.JsonObject { ["region"] = "intl" });

        Assert.Equal(LeaseState.Held, await store.Generations.CheckpointAsync(first, job));
        Time.Advance(LeaseDuration);
        await store.Generations.RecoverExpiredLeasesAsync(3, g => Completed(g.Namespace, g.Id, "failed"));
        var second = (await store.Generations.ClaimNextAsync("worker-2", LeaseDuration))!;

        Assert.Equal(job.ToJson(), second.Generation.RemoteJob!.ToJson());
        Assert.Equal("intl", second.Generation.RemoteJob.DataString("region"));
        Assert.Equal(LeaseState.Lost, await store.Generations.CheckpointAsync(first, job with { Id = "task-2" }));
        Assert.Equal("task-1", (await store.Generations.GetAsync("alice", generation.Id))!.RemoteJob!.Id);
    }

    [Fact]
    public async Task A_cancel_of_a_row_with_remote_work_marks_it_for_a_remote_cancel_until_one_is_recorded()
    {
        var store = await OpenAsync();
        var withJob = NewGeneration();
        var withoutJob = NewGeneration();
        await store.Generations.EnqueueAsync([withJob, withoutJob]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        await store.Generations.CheckpointAsync(lease, new RemoteJob("comfy", "prompt-1"));

        await store.Generations.CancelAsync("alice", withJob.Id, Cancelled("alice", withJob.Id));
        await store.Generations.CancelAsync("alice", withoutJob.Id, Cancelled("alice", withoutJob.Id));

        Assert.Equal(RemoteCancelState.Pending, (await store.Generations.GetAsync("alice", withJob.Id))!.RemoteCancel);
        Assert.Null((await store.Generations.GetAsync("alice", withoutJob.Id))!.RemoteCancel);
        Assert.Empty(await store.Generations.PendingRemoteCancelsAsync(["other-backend"], 10));
        var pending = Assert.Single(await store.Generations.PendingRemoteCancelsAsync(["comfy"], 10));
        Assert.Equal((withJob.Id, "alice", "prompt-1"), (pending.GenerationId, pending.Namespace, pending.Job.Id));

        Assert.True(await store.Generations.RecordRemoteCancelAsync(withJob.Id, new RemoteCancelOutcome(RemoteCancelState.Refused, "the task had started")));
        var row = (await store.Generations.GetAsync("alice", withJob.Id))!;
        Assert.Equal((RemoteCancelState.Refused, "the task had started", GenerationStatus.Cancelled), (row.RemoteCancel!.Value, row.StatusMessage, row.Status));
        Assert.Empty(await store.Generations.PendingRemoteCancelsAsync(["comfy"], 10));
        Assert.False(await store.Generations.RecordRemoteCancelAsync(withJob.Id, new RemoteCancelOutcome(RemoteCancelState.Cancelled, "again")));
    }

    [Fact]
    public async Task Remote_work_recorded_just_after_a_cancel_is_kept_and_marked_for_cancelling()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        await store.Generations.CancelAsync("alice", generation.Id, Cancelled("alice", generation.Id));

        // The engine submitted its task just before the cancel and checkpoints it just after: that task must not be lost.
        Assert.Equal(LeaseState.Cancelled, await store.Generations.CheckpointAsync(lease, new RemoteJob("dashscope", "task-9")));
        var row = (await store.Generations.GetAsync("alice", generation.Id))!;
        Assert.Equal(("task-9", (RemoteCancelState?)RemoteCancelState.Pending, GenerationStatus.Cancelled), (row.RemoteJob!.Id, row.RemoteCancel, row.Status));
        // A second checkpoint does not replace the recorded job.
        Assert.Equal(LeaseState.Lost, await store.Generations.CheckpointAsync(lease, new RemoteJob("dashscope", "task-10")));
    }

    [Fact]
    public async Task A_task_id_recorded_after_a_cancel_replaces_the_note_that_a_submit_was_starting()
    {
        var store = await OpenAsync();
        var generation = NewGeneration();
        await store.Generations.EnqueueAsync([generation]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        // The engine notes that it is about to create a task (no id yet), the row is cancelled while the create call
        // runs, and the provider's answer brings the id: that task is the one to cancel, not forgotten.
        Assert.Equal(LeaseState.Held, await store.Generations.CheckpointAsync(lease, new RemoteJob("dashscope", null)));
        await store.Generations.CancelAsync("alice", generation.Id, Cancelled("alice", generation.Id));
        Assert.Null((await store.Generations.GetAsync("alice", generation.Id))!.RemoteCancel);

        Assert.Equal(LeaseState.Cancelled, await store.Generations.CheckpointAsync(lease, new RemoteJob("dashscope", "task-11")));
        var row = (await store.Generations.GetAsync("alice", generation.Id))!;
        Assert.Equal(("task-11", (RemoteCancelState?)RemoteCancelState.Pending), (row.RemoteJob!.Id, row.RemoteCancel));
        Assert.Equal("task-11", Assert.Single(await store.Generations.PendingRemoteCancelsAsync(["dashscope"], 10)).Job.Id);
    }

    [Fact]
    public async Task A_remote_job_is_known_as_recorded_only_on_another_row_of_the_same_backend()
    {
        var store = await OpenAsync();
        var owner = NewGeneration();
        var other = NewGeneration();
        await store.Generations.EnqueueAsync([owner, other]);
        var lease = (await store.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        Assert.Equal(owner.Id, lease.GenerationId);
        await store.Generations.CheckpointAsync(lease, new RemoteJob("dashscope", "task-1"));

        Assert.True(await store.Generations.IsRemoteJobRecordedAsync("dashscope", "task-1", other.Id));
        Assert.False(await store.Generations.IsRemoteJobRecordedAsync("dashscope", "task-1", owner.Id));
        Assert.False(await store.Generations.IsRemoteJobRecordedAsync("dashscope-cn", "task-1", other.Id));
        Assert.False(await store.Generations.IsRemoteJobRecordedAsync("dashscope", "task-2", other.Id));
    }

    [Fact]
    public async Task A_claim_for_some_models_takes_the_oldest_row_of_those_models_only()
    {
        var store = await OpenAsync();
        var t2v = NewGeneration(model: "happyhorse-1.0-t2v");
        var vace = NewGeneration(model: "wan2.1-vace-r2v");
        await store.Generations.EnqueueAsync([t2v]);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await store.Generations.EnqueueAsync([vace]);

        Assert.Null(await store.Generations.ClaimNextAsync("w", LeaseDuration, []));
        Assert.Equal(vace.Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration, ["wan2.1-vace-r2v", "phantom-wan-r2v"]))!.Lease.GenerationId);
        Assert.Null(await store.Generations.ClaimNextAsync("w", LeaseDuration, ["wan2.1-vace-r2v"]));
        Assert.Equal(t2v.Id, (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease.GenerationId);
    }

    // ---- reads that do not grow with the table ----

    [Fact]
    public async Task Queue_positions_stay_exact_when_rows_leave_out_of_order_and_count_within_a_lane()
    {
        var store = await OpenAsync();
        var rows = new List<NewGeneration>();
        for (var i = 0; i < 8; i++)
        {
            rows.Add(NewGeneration(i % 2 == 0 ? "alice" : "bob") with { Lane = "builtin" });
            await store.Generations.EnqueueAsync([rows[^1]]);
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }
        var other = NewGeneration(model: "wan2.1-vace-r2v") with { Lane = "gpus" };
        await store.Generations.EnqueueAsync([other]);

        // Out of order: row 2 cancelled, row 5 claimed past the head (another worker's model filter), row 0 pausing for
        // a retry stays at the head and keeps its place.
        var head = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
        await store.Generations.RetryLaterAsync(head, Time.GetUtcNow() + TimeSpan.FromMinutes(1), "waiting", Requeued("alice", rows[0].Id));
        await store.Generations.CancelAsync("alice", rows[2].Id, Cancelled("alice", rows[2].Id));
        await store.Generations.EnqueueAsync([]);
        var claimedPast = await store.Generations.ClaimNextAsync("w", LeaseDuration, ["happyhorse-1.0-t2v"]);
        Assert.Equal(rows[1].Id, claimedPast!.Lease.GenerationId);

        // Every queued row's position is the count of queued rows ahead of it in its lane, plus one.
        var expected = new Dictionary<Guid, long> { [rows[0].Id] = 1, [rows[3].Id] = 2, [rows[4].Id] = 3, [rows[5].Id] = 4, [rows[6].Id] = 5, [rows[7].Id] = 6 };
        foreach (var (id, position) in expected)
        {
            var row = (await store.Generations.GetAsync(rows.First(r => r.Id == id).Namespace, id))!;
            Assert.True(position == row.QueuePosition, $"row {rows.FindIndex(r => r.Id == id)}: expected {position}, got {row.QueuePosition}");
        }
        Assert.Equal(1, (await store.Generations.GetAsync("alice", other.Id))!.QueuePosition);
        var page = await store.Generations.QueryAsync(new GenerationQuery("bob", [GenerationStatus.Queued]));
        Assert.Equal([(rows[7].Id, (long?)6), (rows[5].Id, 4), (rows[3].Id, 2)], page.Items.Select(g => (g.Id, g.QueuePosition)));
    }

    [Fact]
    public async Task Cursor_pages_walk_every_row_once_newest_first_with_totals_from_counters()
    {
        var store = await OpenAsync();
        var rows = new List<NewGeneration>();
        for (var i = 0; i < 25; i++)
        {
            // Several rows share an instant (a num_generations burst), the rest are spread out.
            var burst = Enumerable.Range(0, i % 5 == 0 ? 3 : 1).Select(_ => NewGeneration(model: i % 3 == 0 ? "happyhorse-1.0-r2v" : "happyhorse-1.0-t2v")).ToList();
            await store.Generations.EnqueueAsync(burst);
            rows.AddRange(burst);
            Time.Advance(TimeSpan.FromMilliseconds(i % 4));
        }
        await store.Generations.EnqueueAsync([NewGeneration("bob")]);
        for (var i = 0; i < 7; i++)
        {
            var lease = (await store.Generations.ClaimNextAsync("w", LeaseDuration))!.Lease;
            if (i % 2 == 0) await store.Generations.CompleteAsync(lease, "out.mp4", Completed("alice", lease.GenerationId));
        }
        await store.Generations.CancelAsync("alice", rows[^1].Id, Cancelled("alice", rows[^1].Id));

        foreach (var statuses in new IReadOnlyList<GenerationStatus>?[] { null, [GenerationStatus.Queued, GenerationStatus.Processing], [GenerationStatus.Succeeded, GenerationStatus.Cancelled, GenerationStatus.Queued] })
        {
            var all = (await store.Generations.QueryAsync(new GenerationQuery("alice", statuses, Limit: 1000))).Items;
            Assert.Equal(all.Count, (await store.Generations.QueryAsync(new GenerationQuery("alice", statuses, Limit: 1))).TotalEntries);
            var walked = new List<Guid>();
            string? cursor = null;
            do
            {
                var page = await store.Generations.QueryAsync(new GenerationQuery("alice", statuses, Limit: 4, After: cursor));
                Assert.Equal(all.Count, page.TotalEntries);
                walked.AddRange(page.Items.Select(g => g.Id));
                cursor = page.NextCursor;
            } while (cursor is not null);
            Assert.Equal(all.Select(g => g.Id), walked);

            // Oldest first: the same rows the other way round, page by page, with the queued rows' positions as in the other order.
            var oldest = new List<Generation>();
            cursor = null;
            do
            {
                var page = await store.Generations.QueryAsync(new GenerationQuery("alice", statuses, Limit: 4, After: cursor, OldestFirst: true));
                Assert.Equal(all.Count, page.TotalEntries);
                oldest.AddRange(page.Items);
                cursor = page.NextCursor;
            } while (cursor is not null);
            Assert.Equal(Enumerable.Reverse(all).Select(g => (g.Id, g.QueuePosition)), oldest.Select(g => (g.Id, g.QueuePosition)));
        }
        // Newest first, burst rows in reverse order of insertion; the model filter's total is its own.
        var newestFirst = (await store.Generations.QueryAsync(new GenerationQuery("alice"))).Items.Select(g => g.Id).ToList();
        Assert.Equal(Enumerable.Reverse(rows).Select(r => r.Id), newestFirst);
        Assert.Equal(rows.Count(r => r.Model == "happyhorse-1.0-r2v"), (await store.Generations.QueryAsync(new GenerationQuery("alice", Model: "happyhorse-1.0-r2v", Limit: 0))).TotalEntries);
        await Assert.ThrowsAsync<InvalidCursorException>(() => store.Generations.QueryAsync(new GenerationQuery("alice", After: "bm90LWEtY3Vyc29y")));

        // Paging after a row named by its id gives the rows after it, as its cursor would; another namespace's row is no place.
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var afterId = await store.Generations.QueryAsync(new GenerationQuery("alice", Limit: 3, AfterId: newestFirst[i]));
            Assert.Equal(newestFirst.Skip(i + 1).Take(3), afterId.Items.Select(g => g.Id));
            var afterIdOldestFirst = await store.Generations.QueryAsync(new GenerationQuery("alice", Limit: 3, AfterId: newestFirst[i], OldestFirst: true));
            Assert.Equal(Enumerable.Reverse(newestFirst.Take(i)).Take(3), afterIdOldestFirst.Items.Select(g => g.Id));
        }
        var carols = NewGeneration("carol");
        await store.Generations.EnqueueAsync([carols]);
        await Assert.ThrowsAsync<InvalidCursorException>(() => store.Generations.QueryAsync(new GenerationQuery("alice", AfterId: carols.Id)));
        await Assert.ThrowsAsync<InvalidCursorException>(() => store.Generations.QueryAsync(new GenerationQuery("alice", AfterId: Guid.NewGuid())));
    }

    // ---- durability ----

    [Fact]
    public async Task A_new_instance_reads_what_the_last_one_wrote()
    {
        var first = await OpenAsync();
        var queued = NewGeneration();
        var finished = NewGeneration("bob");
        await first.Generations.EnqueueAsync([finished]);
        await first.Generations.EnqueueAsync([queued]);
        var lease = (await first.Generations.ClaimNextAsync("worker-1", LeaseDuration))!.Lease;
        await first.Generations.CompleteAsync(lease, "bob.mp4", Completed("bob", finished.Id));
        var before = (await first.Generations.GetAsync("alice", queued.Id), await first.Generations.GetAsync("bob", finished.Id));
        var latest = await first.Events.LatestSequenceAsync();
        await first.DisposeAsync();

        var second = await OpenAsync();
        Assert.Equal(before, (await second.Generations.GetAsync("alice", queued.Id), await second.Generations.GetAsync("bob", finished.Id)));
        Assert.Equal(latest, await second.Events.LatestSequenceAsync());
        Assert.Equal(queued.Id, (await second.Generations.ClaimNextAsync("worker-2", LeaseDuration))!.Lease.GenerationId);
        var appended = await second.Events.AppendAsync(new EventDraft("bob", "test", "{}"));
        Assert.True(appended.Sequence > latest);
    }

    [Fact]
    public async Task Concurrent_enqueues_are_all_durable()
    {
        const int Count = 2000;
        var store = await OpenAsync();
        var rows = Enumerable.Range(0, Count).Select(i => NewGeneration($"ns{i % 10}")).ToList();

        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(rows.Select(row => Task.Run(() => store.Generations.EnqueueAsync([row]))));
        stopwatch.Stop();
        output.WriteLine($"{Count} concurrent single-row enqueues in {stopwatch.Elapsed.TotalMilliseconds:F0} ms: {Count / stopwatch.Elapsed.TotalSeconds:F0} rows/s");
        await store.DisposeAsync();

        var reopened = await OpenAsync();
        long total = 0;
        for (var ns = 0; ns < 10; ns++)
            total += (await reopened.Generations.QueryAsync(new GenerationQuery($"ns{ns}", Limit: 0))).TotalEntries;
        Assert.Equal(Count, total);
        foreach (var row in rows.Where((_, i) => i % 97 == 0))
            Assert.Equal(row.Parameters, (await reopened.Generations.GetAsync(row.Namespace, row.Id))!.Parameters);
    }
}
