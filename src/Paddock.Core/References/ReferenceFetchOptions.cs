namespace Paddock.Core.References;

/// <summary>How reference images are fetched and cached (configuration section <c>Paddock:References</c>).</summary>
public sealed class ReferenceFetchOptions : Configuration.IValidatedSettings
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

    /// <summary>How long a signed link at which a remote engine fetches a checked reference image works.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Adds a line for each setting that cannot work, naming it.</summary>
    public void Validate(string section, ICollection<string> problems)
    {
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero) problems.Add($"{section}:{name} is {value}; it must be a positive time span such as 00:00:05");
        }

        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(TotalTimeout, nameof(TotalTimeout));
        Positive(ReadIdleTimeout, nameof(ReadIdleTimeout));
        Positive(LinkLifetime, nameof(LinkLifetime));
        if (MaxRedirects < 0) problems.Add($"{section}:MaxRedirects is {MaxRedirects}; it must be 0 or more");
        if (MinBytesPerSecond < 0) problems.Add($"{section}:MinBytesPerSecond is {MinBytesPerSecond}; it must be 0 or more");
        if (CacheMaxBytes < 0) problems.Add($"{section}:CacheMaxBytes is {CacheMaxBytes}; it must be 0 or more");
        if (CacheTtl < TimeSpan.Zero) problems.Add($"{section}:CacheTtl is {CacheTtl}; it must not be negative");
        foreach (var host in AllowedHosts.Where(h => string.IsNullOrWhiteSpace(h) || h.Contains('/', StringComparison.Ordinal)))
            problems.Add($"{section}:AllowedHosts has '{host}'; give a host name or an address (e.g. files.internal or 10.0.0.5), not a URL");
    }

    /// <summary>Throws when a setting cannot work, naming it (for options built in code rather than bound at start).</summary>
    internal void Validate()
    {
        var problems = new List<string>();
        Validate("Paddock:References", problems);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
    }
}
