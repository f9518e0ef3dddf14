namespace Paddock.Server.Hosting;

/// <summary>Server settings (section <c>Paddock</c>; environment <c>PADDOCK__...</c>; command line <c>--Paddock:...</c>).</summary>
public sealed class PaddockOptions
{
    /// <summary>Where the embedded database, outputs and the signing key live.</summary>
    public string DataDirectory { get; set; } = ".paddock";

    /// <summary>The SQLite database file; defaults to <c>paddock.db</c> in the data directory.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>Where blobs (outputs, uploaded files) are kept; defaults to <c>blobs</c> in the data directory.</summary>
    public string? BlobDirectory { get; set; }

    /// <summary>The base of absolute URLs in answers (e.g. https://video.example.com) when behind a proxy; otherwise taken from each request.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long a signed output URL works.</summary>
    public TimeSpan OutputUrlLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The key that signs output URLs, as hex; every process of one deployment needs the same. Generated into the data directory when absent.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How often an idle event stream gets a <c>: keep-alive</c> comment line.</summary>
    public TimeSpan EventKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A stream opened without <c>Last-Event-ID</c> begins with the terminal events (completed, cancelled) of this last
    /// span, so a client that connects just after its generation ended still hears of it (0 turns it off; at most 10 minutes).
    /// </summary>
    public TimeSpan EventReplayWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>On first start with no API key, create one for this namespace and print it.</summary>
    public string BootstrapNamespace { get; set; } = "default";

    /// <summary>Keep the first key in <c>first-api-key.txt</c> in the data directory so the start command can show it again.</summary>
    public bool WriteFirstKeyFile { get; set; } = true;

    /// <summary>Which engine renders each model, overriding the catalog (model id → engine name).</summary>
    public Dictionary<string, string> ModelEngines { get; set; } = [];

    public string DatabaseFile => DatabasePath ?? Path.Combine(DataDirectory, "paddock.db");

    public string BlobRoot => BlobDirectory ?? Path.Combine(DataDirectory, "blobs");
}
