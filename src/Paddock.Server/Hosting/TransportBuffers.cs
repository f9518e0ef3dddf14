using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Paddock.Core.Events;

namespace Paddock.Server.Hosting;

/// <summary>
/// The buffers Kestrel's socket transport reads requests into and writes responses from, in place of Kestrel's own
/// pinned-block pool, and the event fan-out's pacing by them.
/// </summary>
/// <remarks>
/// <para>Kestrel's pool keeps every block it ever handed out, on the pinned object heap: one event written to each of
/// 10,000 streams at once needed a 4 KB block per stream until the socket had sent it, and the pool kept the 40 MB for
/// good (docs/BENCHMARKS.md, issue 15). Here the pools share one free list of at most <see cref="MaxFreeBlocks"/> blocks
/// and leave the rest to the garbage collector (ordinary arrays, which a send pins only while it is in flight where the
/// platform needs that), and the <see cref="EventHub"/> wakes its next slice of streams only once the
/// blocks still unsent are back to <see cref="RoomAt"/> (or <see cref="RoomWait"/> passed, so other traffic holding
/// many blocks only slows a fan-out a little), so a burst to every stream needs a few hundred blocks, not one each.</para>
/// <para>Registered as ASP.NET Core's <see cref="IMemoryPoolFactory{T}"/>, which the socket transport takes from the
/// services.</para>
/// </remarks>
public sealed class TransportBuffers : IMemoryPoolFactory<byte>, IFanOutPacer, IDisposable
{
    /// <summary>The fan-out goes on when at most this many blocks are rented (2 MB): two slices of writes in flight.</summary>
    public const int RoomAt = 2 * EventHub.SliceSize;

    /// <summary>The longest the fan-out waits for room before it goes on anyway.</summary>
    public static readonly TimeSpan RoomWait = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Free blocks kept for reuse, shared by every pool (4 MB): more than a fan-out has in flight at once (<see cref="RoomAt"/>
    /// and a slice more, a block or two each). Kept per pool instead (512 each, one pool per I/O queue), a pool's share of
    /// each slice went past its bound, so every quiet moment between slices dropped blocks that the next slice allocated
    /// again: a burst to ten thousand streams made 20 MB of garbage every 30 events (docs/BENCHMARKS.md).
    /// </summary>
    public const int MaxFreeBlocks = 4 * EventHub.SliceSize;

    private readonly ConcurrentQueue<TransportBufferPool.Block> _free = new();
    private int _freeCount;
    private int _inUse;
    private int _pools;
    private TaskCompletionSource? _room; // the waits for the present lack of room: all end together
    private readonly ITimer _roomWait; // one clock for every wait: ends the present one at RoomWait

    public TransportBuffers(TimeProvider time)
    {
        _roomWait = time.CreateTimer(static self => ((TransportBuffers)self!).Release(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Blocks rented and not yet returned, over every pool of this factory.</summary>
    public int BlocksInUse => Volatile.Read(ref _inUse);

    /// <summary>Free blocks held now, for every pool.</summary>
    public int FreeBlocks => Volatile.Read(ref _freeCount);

    /// <summary>How many pools the server asked for (Kestrel's transport asks for one per I/O queue).</summary>
    public int PoolsCreated => Volatile.Read(ref _pools);

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        Interlocked.Increment(ref _pools);
        return new TransportBufferPool(this);
    }

    /// <remarks>
    /// A wait costs one shared task and no timer of its own: the waits that begin while room is lacking share one task,
    /// which the return that makes room, or the factory's one timer at <see cref="RoomWait"/>, completes.
    /// </remarks>
    public ValueTask WaitForRoomAsync()
    {
        if (BlocksInUse <= RoomAt) return ValueTask.CompletedTask;
        var room = Volatile.Read(ref _room);
        if (room is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            room = Interlocked.CompareExchange(ref _room, fresh, null);
            if (room is null)
            {
                room = fresh;
                _roomWait.Change(RoomWait, Timeout.InfiniteTimeSpan);
            }
        }
        // A return between the first look and the registration would not have seen the waiter.
        if (BlocksInUse <= RoomAt) Release();
        return new ValueTask(room.Task);
    }

    public void Dispose() => _roomWait.Dispose();

    internal TransportBufferPool.Block Rent()
    {
        Interlocked.Increment(ref _inUse);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Lease();
            return block;
        }
        return new TransportBufferPool.Block(this);
    }

    internal void Return(TransportBufferPool.Block block)
    {
        // Beyond the bound the block (and its array) is dropped: the collector takes it.
        if (Interlocked.Increment(ref _freeCount) <= MaxFreeBlocks) _free.Enqueue(block);
        else Interlocked.Decrement(ref _freeCount);
        if (Interlocked.Decrement(ref _inUse) <= RoomAt && Volatile.Read(ref _room) is not null) Release();
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _room, null) is { } room) room.TrySetResult();
    }
}

/// <summary>One pool of <see cref="TransportBuffers"/>: 4 KB blocks from the free list the pools share.</summary>
public sealed class TransportBufferPool : MemoryPool<byte>
{
    /// <summary>The size of every block: the size Kestrel's pipes ask for (their minimum segment), as in its own pool.</summary>
    public const int BlockSize = 4096;

    private readonly TransportBuffers _owner;

    internal TransportBufferPool(TransportBuffers owner) => _owner = owner;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return _owner.Rent();
    }

    /// <summary>The free blocks belong to the factory, which outlives its pools.</summary>
    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>One block: its array and the lease on it (reused with the array, so a rent from the free list allocates nothing).</summary>
    internal sealed class Block(TransportBuffers owner) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);
        private int _leased = 1;

        public Memory<byte> Memory
        {
            get
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _leased) == 0, this);
                return _array;
            }
        }

        public void Lease() => Volatile.Write(ref _leased, 1);

        public void Dispose()
        {
            // A second dispose of the same lease must not put the block on the free list twice.
            if (Interlocked.Exchange(ref _leased, 0) == 1) owner.Return(this);
        }
    }
}
