using System.Text.Json.Nodes;
using Paddock.Core.Blobs;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.References;
using Paddock.Core.Validation;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>
/// <c>POST /api/ai/videos/generate</c>: blocks until the video exists. The generation goes through
/// the same durable queue as async ones, so it survives a crash and is visible at
/// <c>/api/ai/queue/{generation_id}</c> (the answer carries that id).
/// </summary>
public static class GenerateEndpoints
{
    public static void MapGenerateEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/ai/videos/generate", GenerateAsync);

    private static async Task<IResult> GenerateAsync(
        HttpContext context, ModelCatalog catalog, GenerationService generations, ReferenceFetcher fetcher, IBlobStore blobs, SignedUrls urls,
        BackendMonitor backends, IHostApplicationLifetime lifetime)
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
                JsonObject video;
                if (accepted.Request.ResponseFormat == "b64_json")
                {
                    await using var stream = await blobs.OpenReadAsync(done.OutputKey!, cancellationToken: context.RequestAborted)
                        ?? throw new InvalidOperationException($"output of {done.Id} is missing from the blob store");
                    using var buffer = new MemoryStream();
                    await stream.CopyToAsync(buffer, context.RequestAborted);
                    video = new JsonObject { ["b64_json"] = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length) };
                }
                else
                {
                    video = new JsonObject { ["url"] = urls.Output(context.Request, done.Namespace, done.Id).Url };
                }
                return TypedResults.Json(new JsonObject
                {
                    ["model"] = done.Model,
                    ["created"] = (done.CompletedAt ?? done.EnqueuedAt).ToUnixTimeSeconds(),
                    ["videos"] = new JsonArray(video),
                    ["generation_id"] = done.Id.ToString(),
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
