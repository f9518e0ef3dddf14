namespace Paddock.Core.Blobs;

/// <summary>Which blob store a process uses (section <c>Paddock:Blobs</c>). Every process of one deployment names the same.</summary>
public sealed class BlobOptions
{
    public BlobProvider Provider { get; set; } = BlobProvider.Local;
}

public enum BlobProvider
{
    /// <summary>A folder on this machine's disk (the default; processes on one machine may share it).</summary>
    Local,

    /// <summary>A bucket of an S3-compatible object store, shared by processes on any number of machines.</summary>
    S3,
}

/// <summary>
/// A blob store that can hand out its own time-limited URL for a read, so a client downloads from the store directly.
/// The output route redirects there when the store is set to (instead of streaming the bytes through the API).
/// </summary>
public interface IDirectReadUrls
{
    /// <summary>A URL that reads <paramref name="key"/> until about <paramref name="lifetime"/> from now; null when this store streams through the API.</summary>
    Uri? DirectReadUrl(string key, string contentType, TimeSpan lifetime);
}

/// <summary>A blob store's way to open itself, registered by its project; the one <c>Paddock:Blobs:Provider</c> names is used.</summary>
public sealed record BlobBackend(BlobProvider Provider, Func<IServiceProvider, IBlobStore> Open);
