using Paddock.Core.Blobs;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Paddock.Core.Retention;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>Finished videos at signed, expiring URLs that need no Bearer key; Range requests work for seeking.</summary>
public static class OutputEndpoints
{
    public static void MapOutputEndpoints(this IEndpointRouteBuilder app) =>
        app.MapMethods("/api/outputs/{ns}/{file}", ["GET", "HEAD"], GetAsync).WithTags("Outputs")
            .Doc("GetOutput", "A finished video at a signed URL", "The URL comes from result_url, a sync answer or an event; it needs no key and works until exp. Range requests work (seeking).")
            .SignedUrlOnly()
            .ReturnsBytes(200, "The MP4.", "video/mp4")
            .ReturnsBytes(206, "The part of the MP4 a Range asked for.", "video/mp4")
            .ReturnsNoBody(302, "The blob store serves the bytes itself (a presigned URL of its own, valid no longer than this one).")
            .ReturnsNoBody(304, "If-None-Match matched.")
            .Errors(404, 410, 416);

    private static async Task<IResult> GetAsync(string ns, string file, IGenerationStore store, IBlobStore blobs, SignedUrls urls, TimeProvider time,
        RetentionPolicy retention, HttpContext context)
    {
        if (!file.EndsWith(".mp4", StringComparison.Ordinal) || !Guid.TryParse(file[..^4], out var id))
            return ApiErrors.NotFound($"no output {file}");
        var refusal = urls.Verify(context.Request);
        if (refusal is not null) return ApiErrors.Make(StatusCodes.Status403Forbidden, "forbidden", "This output URL cannot be used.", refusal);

        var row = await store.GetAsync(ns, id, context.RequestAborted);
        // Gone under the retention setting: 410 with what happened, never a 404 that reads like a broken link.
        if (row is not null && retention.IsExpired(row))
            return ApiErrors.Expired(RetentionPolicy.ExpiredMessage($"the output of generation {id}", retention.ExpiresAt(row)!.Value));
        if (row is not { Status: GenerationStatus.Succeeded, OutputKey: { } key })
            return ApiErrors.NotFound($"generation {id} has no output");
        // A store set to presign (Paddock:Blobs:S3:OutputUrls=presigned) serves the bytes itself: Paddock checked its own
        // signature above and hands the client a URL of the store's, valid no longer than Paddock's own.
        if (blobs is IDirectReadUrls direct && direct.DirectReadUrl(key, "video/mp4", SignedUrls.RemainingLifetime(context.Request, time)) is { } presigned)
            return TypedResults.Redirect(presigned.AbsoluteUri);
        var stream = await BlobReadStream.OpenAsync(blobs, key, context.RequestAborted);
        if (stream is null) return ApiErrors.NotFound($"the output of generation {id} is no longer stored");
        context.Response.Headers.CacheControl = "private, max-age=3600";
        return new RangedDownload(TypedResults.Stream(stream, "video/mp4", fileDownloadName: null, lastModified: row.CompletedAt,
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{id:N}-{row.Attempt}\""), enableRangeProcessing: true), stream.Length);
    }
}
