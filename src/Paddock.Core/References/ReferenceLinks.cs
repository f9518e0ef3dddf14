using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Paddock.Core.Blobs;
using Paddock.Core.Engines;
using Paddock.Core.Hosting;
using Paddock.Core.Security;

namespace Paddock.Core.References;

/// <summary>
/// Publishes checked reference images for remote engines: the exact bytes the orchestrator checked are stored once by
/// content (<c>references/HEX</c> in the blob store) and served at <c>/api/references/HEX.ext</c> on the public base
/// URL with an expiring signature, so a provider fetches what was checked — not whatever the original URL serves by
/// then — and a private or inline image works too. The signature is the only capability: no key, no namespace in it.
/// </summary>
public sealed class ReferenceLinks(IBlobStore blobs, UrlSigner signer, IOptions<PublicUrlOptions> publicUrl, IOptions<ReferenceFetchOptions> options) : IReferenceLinks
{
    public const string RoutePrefix = "/api/references/";

    public bool IsConfigured => publicUrl.Value.BaseUrl is not null;

    public async Task<Uri> PublicUrlAsync(ReferenceImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var baseUrl = publicUrl.Value.BaseUrl ?? throw new EngineFailureException(FailureKind.EngineError,
            "this backend needs reference images at public URLs, and this server has no Paddock:PublicBaseUrl: set it to the address " +
            "at which the provider reaches this server (e.g. https://video.example.com)");
        var hex = Convert.ToHexStringLower(SHA256.HashData(image.Bytes));
        var key = BlobKey(hex);
        if (!await blobs.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            using var content = new MemoryStream(image.Bytes, writable: false);
            await blobs.PutAsync(key, content, cancellationToken).ConfigureAwait(false);
        }
        var path = $"{RoutePrefix}{hex}{Extension(image.MediaType)}";
        var (query, _) = signer.Sign(path, options.Value.LinkLifetime);
        return new Uri($"{baseUrl}{path}?{query}");
    }

    public static string BlobKey(string hex) => $"references/{hex}";

    /// <summary>The content hash a reference route names, or null for anything else.</summary>
    public static string? HashOf(string fileName)
    {
        var dot = fileName.IndexOf('.', StringComparison.Ordinal);
        var hex = dot < 0 ? fileName : fileName[..dot];
        var extension = dot < 0 ? "" : fileName[dot..];
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigitLower) && extension is "" or ".png" or ".jpg" ? hex : null;
    }

    private static string Extension(string mediaType) => mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        _ => "",
    };
}
