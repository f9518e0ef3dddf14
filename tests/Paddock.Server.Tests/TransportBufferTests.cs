using Paddock.Server.Hosting;

namespace Paddock.Server.Tests;

/// <summary>
/// The transport's buffer pool: a burst that needs thousands of blocks at once leaves only a bounded number behind
/// (Kestrel's own pool kept one per event stream for good), and a block is never handed out twice.
/// </summary>
public sealed class TransportBufferTests
{
    [Fact]
    public void A_burst_of_blocks_leaves_at_most_the_bound_free_and_counts_none_in_use()
    {
        var buffers = new TransportBuffers(TimeProvider.System);
        using var pool = buffers.Create();
        var burst = Enumerable.Range(0, 3 * TransportBuffers.MaxFreeBlocks).Select(_ => pool.Rent()).ToList();
        Assert.Equal(burst.Count, buffers.BlocksInUse);

        foreach (var block in burst) block.Dispose();

        Assert.Equal(TransportBuffers.MaxFreeBlocks, buffers.FreeBlocks);
        Assert.Equal(0, buffers.BlocksInUse);
    }

    [Fact]
    public void The_pools_share_their_free_blocks_so_one_pool_reuses_what_another_returned()
    {
        // The transport has a pool per I/O queue; each one's share of a fan-out's slice comes and goes at its own moment.
        var buffers = new TransportBuffers(TimeProvider.System);
        using var first = buffers.Create();
        using var second = buffers.Create();
        var fromFirst = Enumerable.Range(0, TransportBuffers.MaxFreeBlocks).Select(_ => first.Rent()).ToList();
        var arrays = fromFirst.Select(b => b.Memory).ToList();
        foreach (var block in fromFirst) block.Dispose();

        var fromSecond = Enumerable.Range(0, TransportBuffers.MaxFreeBlocks).Select(_ => second.Rent()).ToList();

        Assert.Equal(0, buffers.FreeBlocks);
        // Every block the second pool handed out is one the first returned: nothing new was allocated.
        Assert.All(fromSecond, b => Assert.Contains(arrays, a => a.Equals(b.Memory)));
        foreach (var block in fromSecond) block.Dispose();
        Assert.Equal(TransportBuffers.MaxFreeBlocks, buffers.FreeBlocks);
    }

    [Fact]
    public void A_block_disposed_twice_is_reused_once_and_a_returned_block_cannot_be_written()
    {
        var buffers = new TransportBuffers(TimeProvider.System);
        using var pool = buffers.Create();
        var block = pool.Rent();
        Assert.Equal(TransportBufferPool.BlockSize, block.Memory.Length);
        block.Dispose();
        block.Dispose();

        Assert.Equal(1, buffers.FreeBlocks);
        Assert.Equal(0, buffers.BlocksInUse);
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
        var again = pool.Rent();
        var other = pool.Rent();
        Assert.NotSame(again, other);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(TransportBufferPool.BlockSize + 1));
    }

    [Fact]
    public async Task The_fan_out_waits_while_too_many_blocks_are_unsent_and_goes_on_when_they_return()
    {
        // A clock that never fires: only returned blocks can end the wait.
        var buffers = new TransportBuffers(new StoppedClock());
        using var pool = buffers.Create();
        Assert.True(buffers.WaitForRoomAsync().IsCompleted);
        var unsent = Enumerable.Range(0, TransportBuffers.RoomAt + 10).Select(_ => pool.Rent()).ToList();

        var waiting = buffers.WaitForRoomAsync().AsTask();
        foreach (var block in unsent.Take(5)) block.Dispose();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        foreach (var block in unsent.Skip(5).Take(10)) block.Dispose();

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        foreach (var block in unsent.Skip(15)) block.Dispose();
        Assert.Equal(0, buffers.BlocksInUse);
    }

    [Fact]
    public async Task The_fan_out_goes_on_after_a_short_wait_when_other_traffic_holds_the_blocks()
    {
        var buffers = new TransportBuffers(TimeProvider.System);
        using var pool = buffers.Create();
        var held = Enumerable.Range(0, TransportBuffers.RoomAt + 10).Select(_ => pool.Rent()).ToList();

        await buffers.WaitForRoomAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        foreach (var block in held) block.Dispose();
    }

    [Fact]
    public async Task Two_fan_outs_waiting_for_room_at_once_both_go_on_when_the_blocks_return_and_again_at_the_bound()
    {
        // An event and the comments after another can wait for room together; they share one wait, and its timer is
        // set again for the next.
        var buffers = new TransportBuffers(TimeProvider.System);
        using var pool = buffers.Create();
        var unsent = Enumerable.Range(0, TransportBuffers.RoomAt + 10).Select(_ => pool.Rent()).ToList();
        var first = buffers.WaitForRoomAsync().AsTask();
        var second = buffers.WaitForRoomAsync().AsTask();

        foreach (var block in unsent.Take(20)) block.Dispose();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(5));

        // Room lacking again, nothing returned: the next wait still ends, at the bound.
        var more = Enumerable.Range(0, 20).Select(_ => pool.Rent()).ToList();
        await buffers.WaitForRoomAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        foreach (var block in unsent.Skip(20).Concat(more)) block.Dispose();
        Assert.Equal(0, buffers.BlocksInUse);
        Assert.True(buffers.WaitForRoomAsync().IsCompleted);
        buffers.Dispose();
    }

    private sealed class StoppedClock : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Never();

        private sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
