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

    /// <summary>The base without a trailing slash, or null when not configured.</summary>
    public string? BaseUrl => string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : PublicBaseUrl.Trim().TrimEnd('/');

    public void Validate(string section, ICollection<string> problems)
    {
        if (PublicBaseUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0))
            problems.Add($"{section}:PublicBaseUrl is '{url}'; it must be an absolute http(s) URL without query, e.g. https://video.example.com");
    }
}
