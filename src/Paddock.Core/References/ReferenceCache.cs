namespace Paddock.Core.References;

/// <summary>A reference image whose bytes passed every check, known by the SHA-256 of those bytes.</summary>
public sealed record CheckedImage(string Hash, byte[] Bytes, ImageHeader Header);

/// <summary>What a URL answered last time: the image, and what it takes to ask whether it changed.</summary>
internal sealed record UrlRecord(string Hash, Uri FinalUrl, string? ETag, DateTimeOffset? LastModified, DateTimeOffset StoredAt)
{
    public bool HasValidators => ETag is not null || LastModified is not null;
}

/// <summary>Counters of the reference cache since the fetcher started.</summary>
public sealed record ReferenceCacheStatistics(
    long Downloads, long Revalidated, long UrlHits, long Checks, long ContentHits, long Evictions, long Bytes, int Entries);

/// <summary>
/// Checked images by content hash (the same bytes from any URL are checked once and held once) and
/// what each URL answered, in one least-recently-used list bounded in bytes. A URL entry only points
/// at a content entry; when that content is evicted, the URL is fetched again in full.
/// </summary>
internal sealed class ReferenceCache(long maxBytes)
{
    /// <summary>Bookkeeping per entry, counted against the bound so that many URLs of one image cannot grow the cache without limit.</summary>
    private const int EntryOverhead = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new(); // most recently used first
    private long _bytes;
    private long _evictions;

    private sealed record Entry(string Key, long Size, CheckedImage? Image, UrlRecord? Url);

    public long Downloads;
    public long Revalidated;
    public long UrlHits;
    public long Checks;
    public long ContentHits;

    public bool Enabled => maxBytes > 0;

    public CheckedImage? GetContent(string hash)
    {
        lock (_gate) return Touch("c:" + hash)?.Image;
    }

    /// <summary>Keeps <paramref name="image"/>, or returns the entry already kept for the same bytes.</summary>
    public CheckedImage AddContent(CheckedImage image)
    {
        var size = image.Bytes.LongLength + EntryOverhead;
        lock (_gate)
        {
            if (Touch("c:" + image.Hash)?.Image is { } existing) return existing;
            if (size <= maxBytes) Insert(new Entry("c:" + image.Hash, size, image, null));
            return image;
        }
    }

    /// <summary>The URL's record and its image, when the image is still held.</summary>
    public (UrlRecord Record, CheckedImage Image)? GetUrl(string url)
    {
        lock (_gate)
        {
            if (Touch("u:" + url)?.Url is not { } record) return null;
            if (Touch("c:" + record.Hash)?.Image is { } image) return (record, image);
            Remove("u:" + url);
            return null;
        }
    }

    public void PutUrl(string url, UrlRecord record)
    {
        var size = EntryOverhead + 2L * (url.Length + record.FinalUrl.OriginalString.Length + (record.ETag?.Length ?? 0));
        lock (_gate)
        {
            Remove("u:" + url);
            if (size <= maxBytes && _entries.ContainsKey("c:" + record.Hash)) Insert(new Entry("u:" + url, size, null, record));
        }
    }

    public ReferenceCacheStatistics Statistics()
    {
        lock (_gate)
        {
            return new ReferenceCacheStatistics(Interlocked.Read(ref Downloads), Interlocked.Read(ref Revalidated), Interlocked.Read(ref UrlHits),
                Interlocked.Read(ref Checks), Interlocked.Read(ref ContentHits), _evictions, _bytes, _entries.Count);
        }
    }

    private Entry? Touch(string key)
    {
        if (!_entries.TryGetValue(key, out var node)) return null;
        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value;
    }

    private void Insert(Entry entry)
    {
        _entries[entry.Key] = _recency.AddFirst(entry);
        _bytes += entry.Size;
        while (_bytes > maxBytes && _recency.Last is { } oldest)
        {
            Remove(oldest.Value.Key);
            _evictions++;
        }
    }

    private void Remove(string key)
    {
        if (!_entries.Remove(key, out var node)) return;
        _recency.Remove(node);
        _bytes -= node.Value.Size;
    }
}
