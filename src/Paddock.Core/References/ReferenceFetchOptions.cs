namespace Paddock.Core.References;

/// <summary>How reference images are fetched and cached (configuration section <c>Paddock:References</c>).</summary>
public sealed class ReferenceFetchOptions
{
    /// <summary>Hosts or addresses the server may fetch from even though they are internal.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Lets the server fetch from any internal address (trusted networks only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole download, redirects included, must finish in this time.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRedirects { get; set; } = 3;

    /// <summary>
    /// The longest a download may go without progress: the response headers must arrive within
    /// <see cref="ConnectTimeout"/> plus this, and every window of this length while the body
    /// streams must bring at least <see cref="MinBytesPerSecond"/> per second. A server that
    /// trickles bytes is cut after one window, not after <see cref="TotalTimeout"/>.
    /// </summary>
    public TimeSpan ReadIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The slowest body transfer accepted, averaged over each <see cref="ReadIdleTimeout"/> window (0: any progress will do).</summary>
    public int MinBytesPerSecond { get; set; } = 1024;

    /// <summary>Memory for fetched and checked references, in bytes (least recently used go first; 0 turns the cache off).</summary>
    public long CacheMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// How long an image whose server sent no validators (no <c>ETag</c>, no <c>Last-Modified</c>)
    /// is reused without asking again. Images with validators are revalidated on every use; a
    /// <c>304 Not Modified</c> reuses the bytes.
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    internal void Validate()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, value, $"Paddock:References:{name} must be a positive time span");
        }

        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(TotalTimeout, nameof(TotalTimeout));
        Positive(ReadIdleTimeout, nameof(ReadIdleTimeout));
        if (MaxRedirects < 0) throw new ArgumentOutOfRangeException(nameof(MaxRedirects), MaxRedirects, "Paddock:References:MaxRedirects must be 0 or more");
        if (MinBytesPerSecond < 0) throw new ArgumentOutOfRangeException(nameof(MinBytesPerSecond), MinBytesPerSecond, "Paddock:References:MinBytesPerSecond must be 0 or more");
        if (CacheMaxBytes < 0) throw new ArgumentOutOfRangeException(nameof(CacheMaxBytes), CacheMaxBytes, "Paddock:References:CacheMaxBytes must be 0 or more");
        if (CacheTtl < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CacheTtl), CacheTtl, "Paddock:References:CacheTtl must not be negative");
    }
}
