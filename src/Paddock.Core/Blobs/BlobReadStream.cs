namespace Paddock.Core.Blobs;

/// <summary>
/// A seekable, read-only view of a blob built only on the <see cref="IBlobStore"/> contract (its length and range reads),
/// for code that seeks — ASP.NET's Range processing seeks to the range's start, then copies its bytes. A seek costs
/// nothing; the next read opens a range read from the new position, so a blob in object storage is never downloaded
/// whole to serve a part of it.
/// </summary>
public sealed class BlobReadStream : Stream
{
    private readonly IBlobStore _store;
    private readonly string _key;
    private readonly long _length;
    private long _position;
    private Stream? _open;
    private long _openAt = -1;

    private BlobReadStream(IBlobStore store, string key, long length)
    {
        _store = store;
        _key = key;
        _length = length;
    }

    /// <summary>The blob as a seekable stream, or null when absent.</summary>
    public static async Task<BlobReadStream?> OpenAsync(IBlobStore store, string key, CancellationToken cancellationToken)
    {
        var info = await store.GetInfoAsync(key, cancellationToken).ConfigureAwait(false);
        return info is null ? null : new BlobReadStream(store, key, info.Length);
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException("cannot seek before the start of a blob");
        _position = target;
        return target;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0 || _position >= _length) return 0;
        if (_open is null || _openAt != _position)
        {
            if (_open is not null) await _open.DisposeAsync().ConfigureAwait(false);
            _open = await _store.OpenReadAsync(_key, new BlobRange(_position), cancellationToken).ConfigureAwait(false)
                ?? throw new FileNotFoundException($"blob '{_key}' was deleted while it was being read");
            _openAt = _position;
        }
        var read = await _open.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0) throw new IOException($"blob '{_key}' ended at {_position} bytes, before its length of {_length}");
        _position += read;
        _openAt = _position;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Kestrel forbids synchronous I/O; a caller that still reads synchronously (a library's CopyTo) blocks here.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_open is not null) await _open.DisposeAsync().ConfigureAwait(false);
        _open = null;
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _open?.Dispose();
        _open = null;
        base.Dispose(disposing);
    }
}
