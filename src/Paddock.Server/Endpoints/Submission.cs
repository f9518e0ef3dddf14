using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Queue;
using Paddock.Core.Validation;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>What sync generation and enqueue share: read, validate against the model's schema, check the namespace, create the rows.</summary>
public static class Submission
{
    /// <summary>A submission the server took: the rows it stands for (new, or an idempotent repeat's).</summary>
    /// <param name="ResponseFormat">What the sync answer carries (<c>url</c> or <c>b64_json</c>).</param>
    public sealed record Accepted(string ResponseFormat, string Namespace, IReadOnlyList<Guid> GenerationIds, bool Replayed);

    private const int MaxIdempotencyKeyLength = 255;

    public static async Task<(Accepted? Accepted, IResult? Error)> SubmitAsync(
        HttpContext context, SubmissionKind kind, ModelCatalog catalog, GenerationService generations)
    {
        var (body, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return (null, error);
        // The body's bytes (and its share of the memory budget) are held until the rows are written, no longer: the
        // validated parameters point into them.
        using (body)
        {
            var rejection = RequestValidator.Validate(body!.Document.RootElement, catalog, kind, out var request);
            if (rejection is not null)
            {
                return (null, rejection.Kind == RequestRejectionKind.ModelNotFound
                    ? ApiErrors.NotFound(rejection.Detail)
                    : ApiErrors.InvalidParams(rejection.Detail));
            }

            var ns = ApiKeyAuthentication.NamespaceOf(context);
            if (request!.TargetNamespace is { } target && !string.Equals(target, ns, StringComparison.Ordinal))
                return (null, ApiErrors.Forbidden($"target_namespace: this key belongs to namespace '{ns}' and cannot create generations in '{target}'"));

            var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
            if (idempotencyKey.Length > MaxIdempotencyKeyLength || idempotencyKey.Any(c => c < 0x21 || c > 0x7E))
                return (null, ApiErrors.InvalidParams($"Idempotency-Key: must be 1-{MaxIdempotencyKeyLength} printable ASCII characters without spaces"));

            // Not the request's token: once the rows are being written, a client hanging up must not half-commit them.
            var submitted = await generations.SubmitAsync(ns, request, kind, idempotencyKey.Length > 0 ? idempotencyKey : null, CancellationToken.None);
            if (submitted.Result == IdempotencyResult.Conflict)
                return (null, ApiErrors.Make(StatusCodes.Status409Conflict, "idempotency_conflict", "This Idempotency-Key was used for a different request.",
                    $"Idempotency-Key: '{idempotencyKey}' was used in the last 24 hours for a different request (another body, or the other endpoint); use a new key for a new request"));
            return (new Accepted(request.ResponseFormat, ns, submitted.GenerationIds, submitted.Result == IdempotencyResult.Replayed), null);
        }
    }
}
