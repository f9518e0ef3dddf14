using Microsoft.Extensions.Options;
using Paddock.Core.Files;
using Paddock.Core.Hosting;
using Paddock.Core.Security;
using Paddock.Server.Hosting;

namespace Paddock.Server.Http;

/// <summary>
/// Absolute, signed, expiring URLs for outputs and hosted files: a browser <c>&lt;video&gt;</c> or a
/// plain <c>curl -O</c> can fetch them without the Bearer key. Every read of a row signs afresh.
/// </summary>
public sealed class SignedUrls(UrlSigner signer, SelfHosts selfHosts, IOptions<PaddockOptions> options, IOptions<PublicUrlOptions> publicUrl)
{
    public static string OutputPath(string ns, Guid generationId) => $"/api/outputs/{Uri.EscapeDataString(ns)}/{generationId}.mp4";

    public (string Url, DateTimeOffset Expires) Output(HttpRequest request, string ns, Guid generationId) => Sign(request, OutputPath(ns, generationId));

    /// <param name="path">The escaped path, as it goes in the URL.</param>
    public (string Url, DateTimeOffset Expires) Sign(HttpRequest request, string path) => Sign(BaseUrl(request), path);

    /// <param name="baseUrl">The server's address as <see cref="BaseUrl"/> gives it.</param>
    /// <param name="path">The escaped path, as it goes in the URL.</param>
    public (string Url, DateTimeOffset Expires) Sign(string baseUrl, string path)
    {
        // Signed decoded, as Verify sees it: one canonical form however a client percent-encodes the URL.
        var (query, expires) = signer.Sign(FilePaths.DecodeUrlPath(path), options.Value.OutputUrlLifetime);
        return ($"{baseUrl}{path}?{query}", expires);
    }

    /// <summary>Checks the signature against the decoded path the request was routed on, so it covers the resource served.</summary>
    public string? Verify(HttpRequest request) => signer.Verify(request.Path.Value ?? "", request.Query["exp"], request.Query["sig"]);

    /// <summary>
    /// The configured public base URL; without one, the address the request reached: its Host when that names this
    /// server (the client's own word is trusted only then), else the local address of its connection.
    /// </summary>
    public string BaseUrl(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (publicUrl.Value.BaseUrl is { } configured) return configured;
        var host = request.Host.HasValue && selfHosts.Contains(request.Scheme, request.Host.Value) ? request.Host.Value : LocalAuthority(request.HttpContext.Connection);
        return $"{request.Scheme}://{host}{request.PathBase}";
    }

    private static string LocalAuthority(ConnectionInfo connection)
    {
        var ip = connection.LocalIpAddress;
        if (ip is null) return "localhost";
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]:{connection.LocalPort}" : $"{ip}:{connection.LocalPort}";
    }

    /// <summary>How long a verified URL still works (at least a second): a URL handed on from it must not outlive it.</summary>
    public static TimeSpan RemainingLifetime(HttpRequest request, TimeProvider time) =>
        long.TryParse(request.Query["exp"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var exp)
            ? TimeSpan.FromSeconds(Math.Max(1, exp - time.GetUtcNow().ToUnixTimeSeconds()))
            : TimeSpan.FromSeconds(1);
}
