using System.Buffers;
using System.Runtime.InteropServices;

namespace Paddock.Core.Memory;

/// <summary>
/// A growable byte buffer outside the GC heap, freed the moment it is disposed. A request body of a hundred megabytes
/// held here costs its size while the request runs and nothing after: a managed array of that size would wait for a
/// full collection, and a pooled one would stay in the pool. Capacity is only address space until written (large
/// blocks are mapped pages), so growing generously costs nothing resident.
/// </summary>
public sealed unsafe class NativeBuffer : MemoryManager<byte>, IBufferWriter<byte>
{
    private byte* _pointer;
    private int _capacity;
    private int _length;

    public NativeBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _pointer = (byte*)NativeMemory.Alloc((nuint)capacity);
        _capacity = capacity;
    }

    public int Length => _length;

    public int Capacity => _capacity;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> Written => Memory[.._length];

    /// <summary>The free space after what was written, to read into.</summary>
    public Memory<byte> Free => Memory[_length..];

    /// <summary>Grows the buffer to <paramref name="capacity"/> bytes, keeping what was written.</summary>
    public void Resize(int capacity)
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, _length);
        _pointer = (byte*)NativeMemory.Realloc(_pointer, (nuint)capacity);
        _capacity = capacity;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _capacity - _length);
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return Free;
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return Free.Span;
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        return new Span<byte>(_pointer, _capacity);
    }

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    /// <summary>Frees the memory; the buffer and every span or stream over it are unusable after.</summary>
    public void Dispose() => ((IDisposable)this).Dispose();

    protected override void Dispose(bool disposing)
    {
        if (_pointer is null) return;
        NativeMemory.Free(_pointer);
        _pointer = null;
        _capacity = _length = 0;
    }

    /// <summary>A read-only stream over the bytes written; valid while the buffer is.</summary>
    public Stream AsStream()
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        return new UnmanagedMemoryStream(_pointer, _length);
    }

    private void EnsureFree(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_capacity - _length >= needed) return;
        Resize((int)Math.Min(int.MaxValue, Math.Max((long)_capacity * 2, (long)_length + needed)));
    }
}
