using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Paddock.Server.Hosting;

namespace Paddock.Server.Http;

/// <summary>
/// Signs output URLs so a browser or a plain <c>curl -O</c> can fetch a video without the Bearer
/// key: HMAC-SHA256 over namespace, generation and expiry. Every read of a row signs afresh.
/// </summary>
public sealed class OutputUrls(SigningKey signingKey, IOptions<PaddockOptions> options, TimeProvider time)
{
    public (string Url, DateTimeOffset Expires) Sign(HttpRequest request, string ns, Guid generationId)
    {
        var expires = time.GetUtcNow() + options.Value.OutputUrlLifetime;
        var exp = expires.ToUnixTimeSeconds();
        var sig = Signature(ns, generationId, exp);
        var url = $"{BaseUrl(request)}/api/outputs/{Uri.EscapeDataString(ns)}/{generationId}.mp4?exp={exp.ToString(CultureInfo.InvariantCulture)}&sig={sig}";
        return (url, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    /// <summary>Null when the signature is good and unexpired, else why not.</summary>
    public string? Verify(string ns, Guid generationId, string? exp, string? sig)
    {
        if (!long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expSeconds) || string.IsNullOrEmpty(sig))
            return "this output URL is not signed; read the generation again for a fresh result_url";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(ns, generationId, expSeconds)), Encoding.ASCII.GetBytes(sig)))
            return "this output URL's signature is not valid; read the generation again for a fresh result_url";
        if (time.GetUtcNow().ToUnixTimeSeconds() > expSeconds)
            return "this output URL has expired; read the generation again for a fresh result_url";
        return null;
    }

    public string BaseUrl(HttpRequest request) =>
        options.Value.PublicBaseUrl?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}{request.PathBase}";

    private string Signature(string ns, Guid generationId, long exp)
    {
        var message = Encoding.UTF8.GetBytes($"{ns}\n{generationId}\n{exp.ToString(CultureInfo.InvariantCulture)}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(signingKey.Bytes, message));
    }
}
