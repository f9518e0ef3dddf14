using System.Text.Json.Nodes;
using Paddock.Core.Blobs;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Orchestration;
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
        HttpContext context, ModelCatalog catalog, GenerationService generations, IBlobStore blobs, SignedUrls urls, IHostApplicationLifetime lifetime)
    {
        var (accepted, error) = await Submission.SubmitAsync(context, SubmissionKind.Sync, catalog, generations);
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
                if (accepted.ResponseFormat == "b64_json") return new InlineVideoResult(done, blobs);
                return TypedResults.Json(new JsonObject
                {
                    ["model"] = done.Model,
                    ["created"] = (done.CompletedAt ?? done.EnqueuedAt).ToUnixTimeSeconds(),
                    ["videos"] = new JsonArray(new JsonObject { ["url"] = urls.Output(context.Request, done.Namespace, done.Id).Url }),
                    ["generation_id"] = done.Id.ToString(),
                });
            case GenerationStatus.Failed:
                var message = done.ErrorMessage ?? "the generation failed";
                return GenerationErrors.IsCausedByInput(message) ? ApiErrors.InvalidParams(message)
                    : message == GenerationProcessor.StorageFullMessage ? ApiErrors.StorageFull()
                    : ApiErrors.Make(StatusCodes.Status500InternalServerError, "generation_failed", "The video could not be generated.", $"generation {done.Id} failed: {message}");
            default:
                return ApiErrors.Make(StatusCodes.Status409Conflict, "cancelled", "The generation was cancelled.", $"generation {done.Id} was cancelled before it finished");
        }
    }
}

/// <summary>Which stored failure messages blame the request (answered 400) rather than the server.</summary>
public static class GenerationErrors
{
    public static bool IsCausedByInput(string message) =>
        message.StartsWith("reference_images[", StringComparison.Ordinal) || message.StartsWith("input_image:", StringComparison.Ordinal);
}
