namespace Paddock.Core.Blobs;

/// <summary>Where outputs and uploaded files live: local disk by default, S3-compatible for scale-out.</summary>
public interface IBlobStore
{
    /// <summary>Stores the file at <paramref name="localPath"/> under <paramref name="key"/>; the source file may be moved.</summary>
    Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default);

    Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>A readable, seekable stream of the blob, or null when absent.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

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
