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

    /// <summary>
    /// The base of absolute URLs in answers (e.g. https://video.example.com) when behind a proxy. Without it, the address
    /// each request reached: its Host header when that names one of this server's own addresses (listening addresses,
    /// <see cref="ServerNames"/>), otherwise the local address of its connection.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Other names clients reach this server at (<c>host</c> or <c>host:port</c>), e.g. a DNS name of a server that
    /// listens on every interface: a Host header naming one goes into returned URLs, and a reference URL at one is
    /// read from this server's storage.
    /// </summary>
    public List<string> ServerNames { get; set; } = [];

    /// <summary>How long a signed output URL works.</summary>
    public TimeSpan OutputUrlLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The key that signs output URLs, as hex; every process of one deployment needs the same. Generated into the data directory when absent.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How often an idle event stream gets a <c>: keep-alive</c> comment line.</summary>
    public TimeSpan EventKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>On first start with no API key, create one for this namespace and print it.</summary>
    public string BootstrapNamespace { get; set; } = "default";

    /// <summary>Keep the first key in <c>first-api-key.txt</c> in the data directory so the start command can show it again.</summary>
    public bool WriteFirstKeyFile { get; set; } = true;

    /// <summary>Which engine renders each model, overriding the catalog (model id → engine name).</summary>
    public Dictionary<string, string> ModelEngines { get; set; } = [];

    public string DatabaseFile => DatabasePath ?? Path.Combine(DataDirectory, "paddock.db");

    public string BlobRoot => BlobDirectory ?? Path.Combine(DataDirectory, "blobs");

    /// <summary>Where each process keeps its files in the making, one locked folder per process (<c>work</c> in the data directory).</summary>
    public string WorkDirectory => Path.Combine(DataDirectory, "work");
}
