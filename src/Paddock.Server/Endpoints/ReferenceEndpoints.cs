using Paddock.Core.Blobs;
using Paddock.Core.References;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// <c>GET /api/references/HEX.ext?exp=&amp;sig=</c>: a checked reference image, by content hash, for a remote engine's
/// provider to fetch (see <see cref="ReferenceLinks"/>). The signature is the only key; an unsigned or expired link is a 403.
/// </summary>
public static class ReferenceEndpoints
{
    public static void MapReferenceEndpoints(this IEndpointRouteBuilder app) =>
        app.MapMethods($"{ReferenceLinks.RoutePrefix}{{file}}", ["GET", "HEAD"], GetAsync).WithTags("Outputs")
            .Doc("GetReferenceImage", "A checked reference image at a signed URL", "Made for a remote engine's provider to fetch the references of a generation; the signature is the only key.")
            .SignedUrlOnly()
            .ReturnsBytes(200, "The image.", "image/png", "image/jpeg")
            .ReturnsBytes(206, "The part of the image a Range asked for.", "image/png", "image/jpeg")
            .ReturnsNoBody(304, "If-None-Match matched.")
            .Errors(404, 416);

    private static async Task<IResult> GetAsync(string file, IBlobStore blobs, SignedUrls urls, HttpContext context)
    {
        if (ReferenceLinks.HashOf(file) is not { } hex) return ApiErrors.NotFound($"no reference image {file}");
        if (urls.Verify(context.Request) is { } refusal)
            return ApiErrors.Make(StatusCodes.Status403Forbidden, "forbidden", "This reference URL cannot be used.", refusal);
        var stream = await BlobReadStream.OpenAsync(blobs, ReferenceLinks.BlobKey(hex), context.RequestAborted);
        if (stream is null) return ApiErrors.NotFound($"reference image {file} is no longer stored");
        var type = file.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : file.EndsWith(".jpg", StringComparison.Ordinal) ? "image/jpeg" : "application/octet-stream";
        context.Response.Headers.CacheControl = "private, max-age=3600";
        return new RangedDownload(TypedResults.Stream(stream, type, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{hex}\""), enableRangeProcessing: true), stream.Length);
    }
}
