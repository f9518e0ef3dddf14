using Paddock.Core.Blobs;
using Paddock.Core.Generations;
using Paddock.Core.Queue;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>Finished videos at signed, expiring URLs that need no Bearer key; Range requests work for seeking.</summary>
public static class OutputEndpoints
{
    public static void MapOutputEndpoints(this IEndpointRouteBuilder app) =>
        app.MapMethods("/api/outputs/{ns}/{file}", ["GET", "HEAD"], GetAsync);

    private static async Task<IResult> GetAsync(string ns, string file, IGenerationStore store, IBlobStore blobs, SignedUrls urls, TimeProvider time, HttpContext context)
    {
        if (!file.EndsWith(".mp4", StringComparison.Ordinal) || !Guid.TryParse(file[..^4], out var id))
            return ApiErrors.NotFound($"no output {file}");
        var refusal = urls.Verify(context.Request);
        if (refusal is not null) return ApiErrors.Make(StatusCodes.Status403Forbidden, "forbidden", "This output URL cannot be used.", refusal);

        var row = await store.GetAsync(ns, id, context.RequestAborted);
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
