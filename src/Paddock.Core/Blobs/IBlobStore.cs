namespace Paddock.Core.Blobs;

/// <summary>
/// Where outputs and uploaded files live: local disk by default, S3-compatible for scale-out.
/// </summary>
/// <remarks>
/// The contract every store keeps (tested once for all of them by the blob contract suite):
/// <list type="bullet">
/// <item>Keys are <see cref="BlobKeys"/>: '/'-separated plain segments. Any other key is refused with an
/// <see cref="ArgumentException"/> before anything is stored or read.</item>
/// <item>A put is all or nothing: a reader sees the old blob, or nothing, or the whole new one — never part of it; the
/// bytes stored are verified against what was sent (a store that cannot prove it throws <see cref="BlobIntegrityException"/>).</item>
/// <item>A read needs no seekable local stream: <see cref="GetInfoAsync"/> gives the length, and
/// <see cref="OpenReadAsync"/> a forward-only stream of exactly the bytes of a <see cref="BlobRange"/>. Everything that
/// serves HTTP Range requests (or seeks) does it through these two (<see cref="BlobReadStream"/>), so a blob on another
/// machine is served the same way as a file on this one.</item>
/// <item>An absent blob is <c>null</c> (info, read) or no error (delete), never an exception.</item>
/// </list>
/// </remarks>
public interface IBlobStore
{
    /// <summary>Stores the file at <paramref name="localPath"/> under <paramref name="key"/>; the source file may be moved.</summary>
    Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="content"/> read to its end (it need not be seekable or know its length).</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>The blob's length, or null when absent.</summary>
    Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// A forward-only stream of the bytes <paramref name="range"/> names (the whole blob when null), or null when absent.
    /// A range that starts at or past the end gives an empty stream; one that runs past the end stops at the end.
    /// </summary>
    Task<Stream?> OpenReadAsync(string key, BlobRange? range = null, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// The stored blobs whose keys start with <paramref name="prefix"/>, with when each was last written; never a
    /// blob still being written. For reclaiming blobs that no row owns.
    /// </summary>
    IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes what writers left half-written (their process died mid-write) and has not changed since
    /// <paramref name="untouchedSince"/>; returns how many were removed.
    /// </summary>
    Task<int> ReclaimAbandonedWritesAsync(DateTimeOffset untouchedSince, CancellationToken cancellationToken = default);
}

/// <summary>A blob as a listing sees it.</summary>
public sealed record StoredBlob(string Key, long Size, DateTimeOffset LastModified);

/// <summary>What a store knows of a blob without reading it.</summary>
public sealed record BlobInfo(long Length);

/// <summary><paramref name="Length"/> bytes from <paramref name="Offset"/>; to the end when <paramref name="Length"/> is null.</summary>
public sealed record BlobRange(long Offset, long? Length = null)
{
    public long Offset { get; } = Offset >= 0 ? Offset : throw new ArgumentOutOfRangeException(nameof(Offset), "a range starts at 0 or later");

    public long? Length { get; } = Length is null or >= 0 ? Length : throw new ArgumentOutOfRangeException(nameof(Length), "a range has 0 or more bytes");

    /// <summary>The bytes of this range inside a blob of <paramref name="blobLength"/> bytes.</summary>
    public long CountWithin(long blobLength) =>
        Offset >= blobLength ? 0 : Math.Min(Length ?? long.MaxValue, blobLength - Offset);
}

/// <summary>A store could not prove that the bytes it holds are the bytes it was given.</summary>
public sealed class BlobIntegrityException(string message) : IOException(message);

/// <summary>The rule for keys, the same for every store.</summary>
public static class BlobKeys
{
    /// <summary>Refuses a key that is empty, has an empty, '.' or '..' segment, a backslash or a control character.</summary>
    public static string Check(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Contains('\\') || key.Any(char.IsControl) || key.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"invalid blob key '{key}'", nameof(key));
        return key;
    }
}
