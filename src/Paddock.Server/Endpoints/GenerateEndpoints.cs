using System.Text.Json.Nodes;
using Paddock.Core.Blobs;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Orchestration;
using Paddock.Core.References;
using Paddock.Core.Validation;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// <c>POST /api/ai/videos/generate</c>: blocks until the video exists. The generation goes through
/// the same durable queue as async ones, so it survives a crash and is visible at
/// <c>/api/ai/queue/{generation_id}</c> (the answer carries that id).
/// </summary>
public static class GenerateEndpoints
{
    public static void MapGenerateEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/ai/videos/generate", GenerateAsync).WithTags("Generation")
            .Doc("GenerateVideo", "Generate a video and wait for it",
                "Blocks until the video exists, then answers with a signed URL that needs no key (or the MP4 inline as base64 with response_format b64_json). "
                + "The generation is also readable at GET /api/ai/queue/{generation_id}. Reference images are checked before the generation is made: a 400 leaves nothing behind.")
            .RequiresApiKey().TakesVideoRequest()
            .Header("Idempotency-Key", "Repeat a request safely: the same key and body within 24 hours answers with the same generation (Idempotent-Replayed: true).")
            .Returns(200, ApiSchemas.VideoResult)
            .Errors(400, 403, 404, 408, 409, 410, 413, 422, 429, 500, 503, 504, 507);

    private static async Task<IResult> GenerateAsync(
        HttpContext context, ModelCatalog catalog, GenerationService generations, ReferenceFetcher fetcher, IBlobStore blobs, SignedUrls urls,
        BackendMonitor backends, IHostApplicationLifetime lifetime, Core.Retention.RetentionPolicy retention)
    {
        // A sync caller waits for the video: with the model's backend down it would wait for nothing, so it hears why now
        // (queued requests are accepted: they are durable and start when the backend is back). A 400 must mean nothing
        // was made: the images are checked before the generation exists.
        var (accepted, error) = await Submission.SubmitAsync(context, SubmissionKind.Sync, catalog, generations, request =>
        {
            var state = backends.StateOf(request.Model.Engine, request.Model.Id);
            if (state.IsAvailable) return null;
            context.Response.Headers.RetryAfter = "30";
            return ApiErrors.Make(StatusCodes.Status503ServiceUnavailable, "backend_unavailable", "The model's backend is unavailable.",
                $"model {request.Model.Id} is served by backend '{state.Name}', which is unavailable: {state.Problem}. Try again later, or queue it with POST /api/ai/queue (it starts when the backend is back)");
        }, referencesFirst: fetcher);
        if (error is not null) return error;
        var id = accepted!.GenerationIds[0];
        if (accepted.Replayed) context.Response.Headers["Idempotent-Replayed"] = "true";

        Generation done;
        // A stopping server answers at once instead of holding its shutdown until the render ends (or times out).
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            done = await generations.WaitForTerminalAsync(accepted.Namespace, id, waiting.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client left; the generation goes on and can be read from the queue
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "10";
            return ApiErrors.Make(StatusCodes.Status503ServiceUnavailable, "server_stopping", "The server is shutting down.",
                $"the server stopped before generation {id} finished; it stays queued and finishes when a server runs again: follow it at GET /api/ai/queue/{id}");
        }

        switch (done.Status)
        {
            case GenerationStatus.Succeeded:
                // A repeat (same Idempotency-Key) of a request whose video has since expired: say so, not a dead link.
                if (retention.IsExpired(done))
                    return ApiErrors.Expired(Core.Retention.RetentionPolicy.ExpiredMessage($"the output of generation {done.Id}", retention.ExpiresAt(done)!.Value));
                if (accepted.ResponseFormat == "b64_json") return new InlineVideoResult(done, blobs);
                return TypedResults.Json(new JsonObject
                {
                    ["model"] = done.Model,
                    ["created"] = (done.CompletedAt ?? done.EnqueuedAt).ToUnixTimeSeconds(),
                    ["videos"] = new JsonArray(new JsonObject { ["url"] = urls.Output(context.Request, done.Namespace, done.Id).Url }),
                    ["generation_id"] = done.Id.ToString(),
                    ["expires_at"] = retention.ExpiresAt(done)?.ToUnixTimeSeconds(),
                });
            case GenerationStatus.Failed:
                return FailureResult(context, done);
            default:
                return ApiErrors.Make(StatusCodes.Status409Conflict, "cancelled", "The generation was cancelled.", $"generation {done.Id} was cancelled before it finished");
        }
    }

    /// <summary>A failed generation answered by its kind: the request's fault is a 400 naming the field; the provider's answers keep their meaning.</summary>
    private static IResult FailureResult(HttpContext context, Generation done)
    {
        var message = done.ErrorMessage ?? "the generation failed";
        var detail = $"generation {done.Id} failed: {message}";
        // The worker found no room to write its video: the same answer as a request the server could not store.
        if (message == GenerationProcessor.StorageFullMessage) return ApiErrors.StorageFull();
        switch (done.ErrorType)
        {
            case FailureKind.InvalidInput:
                return ApiErrors.InvalidParams(message);
            case FailureKind.Refused:
                return ApiErrors.Make(StatusCodes.Status422UnprocessableEntity, "refused", "The provider refused to generate this video.", detail);
            case FailureKind.RateLimited:
                context.Response.Headers.RetryAfter = "60";
                return ApiErrors.Make(StatusCodes.Status429TooManyRequests, "rate_limited", "The provider is throttling requests.", detail);
            case FailureKind.ProviderUnavailable:
                context.Response.Headers.RetryAfter = "60";
                return ApiErrors.Make(StatusCodes.Status503ServiceUnavailable, "provider_unavailable", "The model's provider is unavailable.", detail);
            case FailureKind.Timeout:
                return ApiErrors.Make(StatusCodes.Status504GatewayTimeout, "timeout", "The video took too long to generate.", detail);
            default:
                return ApiErrors.Make(StatusCodes.Status500InternalServerError, "generation_failed", "The video could not be generated.", detail);
        }
    }
}
