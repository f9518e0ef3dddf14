using Paddock.Core.Configuration;

namespace Paddock.Core.Hosting;

/// <summary>The address at which clients and remote services reach this deployment (key <c>Paddock:PublicBaseUrl</c>).</summary>
public sealed class PublicUrlOptions : IValidatedSettings
{
    /// <summary>
    /// The base of absolute URLs in answers (e.g. https://video.example.com) when behind a proxy, and of the signed URLs
    /// at which remote engines fetch reference images; without it, answers use each request's address.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Other names clients reach this server at (<c>host</c> or <c>host:port</c>), e.g. a DNS name of a server that
    /// listens on every interface: a Host header naming one goes into returned URLs, and a reference URL at one is
    /// read from this server's storage. Never learned from traffic.
    /// </summary>
    public List<string> ServerNames { get; set; } = [];

    /// <summary>
    /// The base URLs at which this deployment's API processes are reached (several processes behind no common proxy). A
    /// reference URL at one of them, or at <see cref="PublicBaseUrl"/>, is this deployment's own file and is read from the
    /// shared storage by whichever process handles it — an API process or a worker, which has no address of its own:
    /// which hosts are "this server" is configured, never learned from traffic.
    /// </summary>
    public List<string> ApiBaseUrls { get; set; } = [];

    /// <summary>The base without a trailing slash, or null when not configured.</summary>
    public string? BaseUrl => string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : PublicBaseUrl.Trim().TrimEnd('/');

    public void Validate(string section, ICollection<string> problems)
    {
        if (PublicBaseUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0))
            problems.Add($"{section}:PublicBaseUrl is '{url}'; it must be an absolute http(s) URL without query, e.g. https://video.example.com");
        for (var i = 0; i < ServerNames.Count; i++)
        {
            var name = ServerNames[i];
            if (string.IsNullOrWhiteSpace(name) || !Uri.TryCreate($"http://{name}/", UriKind.Absolute, out var parsed) || parsed.PathAndQuery != "/" || parsed.UserInfo.Length > 0)
                problems.Add($"{section}:ServerNames:{i} is '{name}'; it must be a host name or address, optionally with :port (e.g. video.example.com or 10.0.0.5:8080)");
        }
        for (var i = 0; i < ApiBaseUrls.Count; i++)
            if (!Uri.TryCreate(ApiBaseUrls[i]?.Trim(), UriKind.Absolute, out var peer) || peer.Scheme is not ("http" or "https") || peer.Query.Length > 0)
                problems.Add($"{section}:ApiBaseUrls:{i} is '{ApiBaseUrls[i]}'; it must be an absolute http(s) URL without query, e.g. http://10.0.0.6:8080");
    }
}
