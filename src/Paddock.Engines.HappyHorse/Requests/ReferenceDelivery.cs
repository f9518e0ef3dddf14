using System.Security.Cryptography;
using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Protocol;

namespace Paddock.Engines.HappyHorse.Requests;

/// <summary>How reference images reach the provider (setting <c>ReferenceDelivery</c>).</summary>
public enum ReferenceDelivery
{
    /// <summary>Paddock's own signed links when <c>Paddock:PublicBaseUrl</c> is set, else inline <c>data:</c> URIs.</summary>
    Auto,

    /// <summary>Signed links on <c>Paddock:PublicBaseUrl</c>; the provider downloads them while it creates the task.</summary>
    PublicUrl,

    /// <summary><c>data:{type};base64,…</c> in the create body [r2v]: nothing to reach, a larger request.</summary>
    DataUri,

    /// <summary>The provider's temporary storage (<c>oss://</c> URLs) [upload]: the China (Beijing) region only.</summary>
    OssUpload,
}

/// <summary>The media URLs of one create call, and whether they are <c>oss://</c> uploads (which need a header).</summary>
public sealed record PreparedMedia(IReadOnlyList<string> Urls, bool ResolveOss, ReferenceDelivery? Delivery)
{
    public static readonly PreparedMedia None = new([], false, null);
}

/// <summary>Puts a generation's checked reference images where the provider can read them, the way the settings say.</summary>
public sealed class ReferenceSender(ReferenceDelivery setting, string section, DashScopeClient client)
{
    /// <summary>[r2v], [i2v]: an image (and so its data: URI) may be at most 20 MB.</summary>
    public const long MaxInlineBytes = 20L * 1024 * 1024;

    public async Task<PreparedMedia> PrepareAsync(IReadOnlyList<ReferenceImage> images, ProviderModel model, IReferenceLinks links, CancellationToken cancellationToken)
    {
        if (images.Count == 0 || model.Mode == GenerationMode.TextToVideo) return PreparedMedia.None;
        var delivery = Choose(images, links);
        switch (delivery)
        {
            case ReferenceDelivery.PublicUrl:
                var urls = new List<string>(images.Count);
                foreach (var image in images) urls.Add((await links.PublicUrlAsync(image, cancellationToken).ConfigureAwait(false)).AbsoluteUri);
                return new PreparedMedia(urls, false, delivery);
            case ReferenceDelivery.DataUri:
                var tooLarge = images.FirstOrDefault(i => i.Bytes.LongLength > MaxInlineBytes);
                if (tooLarge is not null)
                    throw new EngineFailureException(FailureKind.InvalidInput, $"{Field(images, tooLarge)}: at {tooLarge.Bytes.LongLength / 1048576.0:0.#} MB it is over the provider's 20 MB limit for an inline image");
                return new PreparedMedia(images.Select(i => $"data:{i.MediaType};base64,{Convert.ToBase64String(i.Bytes)}").ToList(), false, delivery);
            default:
                return new PreparedMedia(await UploadAsync(images, model, cancellationToken).ConfigureAwait(false), true, delivery);
        }
    }

    private ReferenceDelivery Choose(IReadOnlyList<ReferenceImage> images, IReferenceLinks links)
    {
        switch (setting)
        {
            case ReferenceDelivery.Auto when links.IsConfigured:
                return ReferenceDelivery.PublicUrl;
            case ReferenceDelivery.Auto when images.All(i => i.Bytes.LongLength <= MaxInlineBytes):
                return ReferenceDelivery.DataUri;
            case ReferenceDelivery.Auto:
                throw new EngineFailureException(FailureKind.EngineError,
                    "the reference images are too large to send inline (the provider takes at most 20 MB each) and this server has no " +
                    $"Paddock:PublicBaseUrl for the provider to fetch them from: set it, or set {section}:ReferenceDelivery to oss_upload (Beijing region)");
            case ReferenceDelivery.PublicUrl when !links.IsConfigured:
                throw new EngineFailureException(FailureKind.EngineError,
                    $"{section}:ReferenceDelivery is public_url, but this server has no Paddock:PublicBaseUrl: set it to the address at which " +
                    "the provider reaches this server (e.g. https://video.example.com), or choose data_uri");
            default:
                return setting;
        }
    }

    /// <summary>Step 1 once (a policy per model), step 2 per image, named by content so a retry never collides [upload].</summary>
    private async Task<IReadOnlyList<string>> UploadAsync(IReadOnlyList<ReferenceImage> images, ProviderModel model, CancellationToken cancellationToken)
    {
        UploadPolicy policy;
        try
        {
            policy = await client.GetUploadPolicyAsync(model.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (DashScopeException e) when (e.Outcome == CallOutcome.Answered && e.Status is 403 or 404)
        {
            throw new EngineFailureException(FailureKind.EngineError,
                $"the provider offers no temporary uploads here ({e.Code}: {e.Message}); they exist only in the China (Beijing) region: set " +
                $"{section}:ReferenceDelivery to public_url (with Paddock:PublicBaseUrl) or data_uri", e.Code, inner: e);
        }
        var urls = new List<string>(images.Count);
        foreach (var image in images)
        {
            var name = $"{Convert.ToHexStringLower(SHA256.HashData(image.Bytes))[..32]}-{Guid.NewGuid():N}{Extension(image.MediaType)}";
            urls.Add(await client.UploadAsync(policy, name, image.Bytes, image.MediaType, cancellationToken).ConfigureAwait(false));
        }
        return urls;
    }

    private static string Field(IReadOnlyList<ReferenceImage> images, ReferenceImage image) =>
        images.Count == 1 ? "reference_images[0]" : $"reference_images[{image.Index - 1}]";

    private static string Extension(string mediaType) => mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        _ => "",
    };
}
