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
}
