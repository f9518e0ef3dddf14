using Paddock.Core.Engines;

namespace Paddock.Engines.Upstream;

/// <summary>
/// Settings of one upstream backend (<c>Paddock:Backends:NAME</c> with <c>Type=upstream</c>): another server with this
/// API — the hosted one of the original page, or another Paddock — that renders the models mapped to this backend.
/// </summary>
public sealed class UpstreamOptions : BackendOptions
{
    /// <summary>The upstream's base address, e.g. <c>https://hub.oxen.ai</c> or <c>http://gpu-box:8080</c>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The name of the environment variable that holds the upstream's API key (never the key itself).</summary>
    public string? ApiKeyVariable { get; set; }

    /// <summary>Local model id → the upstream's model id, for models the upstream calls otherwise; unmapped models keep their id.</summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Where reference images the upstream cannot fetch itself are uploaded: <c>NAMESPACE/REPO</c>, or just <c>REPO</c> in
    /// the key's own namespace (which the upstream's <c>GET /api/whoami</c> names; the hosted API may need the full form).
    /// </summary>
    public string UploadRepository { get; set; } = "paddock-references";

    /// <summary>The branch uploads go to.</summary>
    public string UploadBranch { get; set; } = "main";

    /// <summary>Upload every reference, public URLs too (the upstream then renders exactly the bytes this server checked).</summary>
    public bool AlwaysUploadReferences { get; set; }

    /// <summary>
    /// Hosts whose URLs the upstream fetches itself although they are internal here (an image server on a network both
    /// reach): references there are passed as URLs, not uploaded.
    /// </summary>
    public List<string> SharedHosts { get; set; } = [];

    /// <summary>How long one HTTP call to the upstream may take (an upload, a poll; a download's first byte).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>While the event stream says nothing about the generation for this long, its row is read instead.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the upstream may stay unreachable while a generation waits on it before the attempt gives up; the retry
    /// resumes the same upstream generation.
    /// </summary>
    public TimeSpan UnreachableTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest an upstream generation may take, from its submission to its end (the hosted API: typically 5–15 minutes).</summary>
    public TimeSpan GenerationTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The upstream model for a local model id.</summary>
    public string UpstreamModelOf(string localModel) => Models.TryGetValue(localModel, out var mapped) ? mapped : localModel;

    /// <summary>The upload repository as namespace (null: the key's own) and repository name.</summary>
    public (string? Namespace, string Repo) UploadTarget()
    {
        var slash = UploadRepository.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, UploadRepository) : (UploadRepository[..slash], UploadRepository[(slash + 1)..]);
    }

    public override void Validate(string section, ICollection<string> problems)
    {
        base.Validate(section, problems);
        if (BaseUrl is null)
            problems.Add($"{section}:BaseUrl is not set; give the upstream server's address, e.g. https://hub.oxen.ai or http://gpu-box:8080");
        else if (BaseUrl.UserInfo.Length > 0 || BaseUrl.Query.Length > 0 || BaseUrl.Fragment.Length > 0)
            problems.Add($"{section}:BaseUrl must be a plain address (scheme, host, port, path) without credentials or a query; the key goes in the environment variable that {section}:ApiKeyVariable names");
        RequireVariable(ApiKeyVariable, section, nameof(ApiKeyVariable), problems);

        foreach (var (local, upstream) in Models)
        {
            if (!IsModelId(upstream))
                problems.Add($"{section}:Models:{local} is '{upstream}'; it must be the upstream's model id (no spaces), e.g. happyhorse-1.0-r2v");
        }

        var parts = UploadRepository.Split('/');
        if (parts.Length > 2 || parts.Any(p => !IsName(p)))
            problems.Add($"{section}:UploadRepository is '{UploadRepository}'; it must be REPO or NAMESPACE/REPO (letters, digits, '.', '-', '_'), e.g. paddock-references or acme/paddock-references");
        if (!IsName(UploadBranch))
            problems.Add($"{section}:UploadBranch is '{UploadBranch}'; it must be a branch name (letters, digits, '.', '-', '_'), e.g. main");
        for (var i = 0; i < SharedHosts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(SharedHosts[i]) || SharedHosts[i].Contains('/', StringComparison.Ordinal))
                problems.Add($"{section}:SharedHosts:{i} is '{SharedHosts[i]}'; it must be a host name or address (no scheme or path), e.g. images.internal");
        }

        if (RequestTimeout < TimeSpan.FromSeconds(1))
            problems.Add($"{section}:RequestTimeout is {RequestTimeout}; it must be at least 00:00:01");
        if (PollInterval < TimeSpan.FromMilliseconds(100))
            problems.Add($"{section}:PollInterval is {PollInterval}; it must be at least 00:00:00.100");
        if (UnreachableTimeout < TimeSpan.FromSeconds(1))
            problems.Add($"{section}:UnreachableTimeout is {UnreachableTimeout}; it must be at least 00:00:01");
        if (GenerationTimeout < TimeSpan.FromSeconds(1))
            problems.Add($"{section}:GenerationTimeout is {GenerationTimeout}; it must be at least 00:00:01");
    }

    private static bool IsName(string s) =>
        s.Length is > 0 and <= 100 && s is not "." and not ".." && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static bool IsModelId(string s) => s.Length is > 0 and <= 200 && s.All(c => c > ' ' && c < 0x7F);
}
