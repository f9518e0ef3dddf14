using System.Net;
using System.Security.Cryptography;
using Paddock.Core.Engines;
using Paddock.Core.Files;
using Paddock.Core.References;
using Paddock.Engines.Upstream.Remote;

namespace Paddock.Engines.Upstream.References;

/// <summary>
/// Where the upstream finds each reference image. A public <c>http(s)</c> URL, or one on the upstream itself, is passed
/// as it is (the upstream fetches it, as it would from any client). Everything else — a <c>data:</c> URL or inline image,
/// a file route of this server or another, an address inside this network — is uploaded to the upstream's own file routes from the bytes this server already
/// checked (never fetched again), and passed as that file's URL, as the original page's example does.
/// </summary>
internal sealed class ReferencePlacement(UpstreamApi api, UpstreamOptions options, SelfHosts? selfHosts)
{
    private string? _namespace;

    /// <summary>The URL the upstream gets for <paramref name="image"/>.</summary>
    public async Task<string> UrlForAsync(ReferenceImage image, CancellationToken cancellationToken)
    {
        if (!options.AlwaysUploadReferences && await IsReachableByUpstreamAsync(image.Source, cancellationToken).ConfigureAwait(false))
            return image.Source;
        var (ns, repo) = await RepositoryAsync(cancellationToken).ConfigureAwait(false);
        var uploaded = await api.UploadAsync(ns, repo, options.UploadBranch, PathOf(image), image.Bytes, cancellationToken).ConfigureAwait(false);
        return uploaded.ToString();
    }

    /// <summary>
    /// Named by content, so the same bytes always land at (and are passed as) the same URL: a resumed submission sends
    /// the very body the first one sent.
    /// </summary>
    internal static string PathOf(ReferenceImage image)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(image.Bytes));
        var extension = image.MediaType == "image/jpeg" ? ".jpg" : ".png";
        return $"references/{hex}{extension}";
    }

    /// <summary>
    /// Whether a reference's URL is one the upstream can fetch itself: an <c>http(s)</c> URL on the upstream itself, or
    /// one whose host is one of <see cref="UpstreamOptions.SharedHosts"/>, or else a URL that is not this server's own,
    /// not a file route (those may be private to a namespace: this server's own files are, whatever address they are
    /// reached at), and whose host resolves to public addresses only.
    /// </summary>
    private async Task<bool> IsReachableByUpstreamAsync(string source, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0) return false;
        if (string.Equals(uri.GetLeftPart(UriPartial.Authority), api.Host, StringComparison.OrdinalIgnoreCase)) return true; // the upstream's own file
        var host = uri.IdnHost.Trim('[', ']');
        if (options.SharedHosts.Any(h => string.Equals(h.Trim('[', ']'), host, StringComparison.OrdinalIgnoreCase))) return true;
        if (selfHosts?.Contains(uri) == true || FileRoute.Parse(uri.AbsolutePath) is not null) return false;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false; // not resolvable from here: upload the bytes we have rather than guess
            }
        }
        return addresses.Length > 0 && !addresses.Any(NetworkPolicy.IsInternal);
    }

    /// <summary>The upload repository: the configured namespace, else the key's own as the upstream names it.</summary>
    private async Task<(string Namespace, string Repo)> RepositoryAsync(CancellationToken cancellationToken)
    {
        var (configured, repo) = options.UploadTarget();
        if (configured is not null) return (configured, repo);
        if (_namespace is { } known) return (known, repo);
        _namespace = await api.WhoAmIAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new EngineFailureException(FailureKind.EngineError,
                $"{api.Host} does not say which namespace its key belongs to (it has no GET /api/whoami), so reference images cannot be uploaded there; " +
                $"set {api.Setting("UploadRepository")} to NAMESPACE/{repo}");
        return (_namespace, repo);
    }
}
