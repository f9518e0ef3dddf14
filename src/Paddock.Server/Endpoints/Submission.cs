using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Queue;
using Paddock.Core.References;
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

    /// <param name="admit">A last check of a valid request before its rows are written (a sync request for a model whose backend is down is refused).</param>
    /// <param name="referencesFirst">
    /// When given (the synchronous route), the request's images are fetched and checked before any row is created: a
    /// request answered 400 for a bad image leaves no failed generation behind (the worker's fetch then finds them in the
    /// fetcher's cache). The queue route creates the rows at once and reports such a problem on the failed row.
    /// </param>
    public static async Task<(Accepted? Accepted, IResult? Error)> SubmitAsync(
        HttpContext context, SubmissionKind kind, ModelCatalog catalog, GenerationService generations,
        Func<ValidatedRequest, IResult?>? admit = null, ReferenceFetcher? referencesFirst = null)
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

            if (admit?.Invoke(request) is { } refused) return (null, refused);

            // A request's own webhook receiver passes the same network policy as an endpoint's.
            if (request.WebhookUrl is { } webhookUrl
                && await context.RequestServices.GetRequiredService<Paddock.Core.Webhooks.WebhookReceivers>().ProblemAsync("webhook_url", webhookUrl, context.RequestAborted) is { } webhookProblem)
                return (null, ApiErrors.InvalidParams(webhookProblem));

            var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
            if (idempotencyKey.Length > MaxIdempotencyKeyLength || idempotencyKey.AsSpan().ContainsAnyExceptInRange('\x21', '\x7E'))
                return (null, ApiErrors.InvalidParams($"Idempotency-Key: must be 1-{MaxIdempotencyKeyLength} printable ASCII characters without spaces"));

            if (referencesFirst is not null)
            {
                try
                {
                    await referencesFirst.FetchImagesAsync(ns, VideoParameters.From(request.Parameters), context.RequestAborted);
                }
                catch (ReferenceImageException e)
                {
                    return (null, ApiErrors.InvalidParams(e.Message));
                }
            }

            // Not the request's token: once the rows are being written, a client hanging up must not half-commit them.
            var submitted = await generations.SubmitAsync(ns, request, kind, idempotencyKey.Length > 0 ? idempotencyKey : null, CancellationToken.None,
                QuotaEnforcement.LimitsOf(context));
            if (submitted.Refusal is { } refusal)
                return (null, QuotaEnforcement.Refused(refusal));
            if (submitted.Result == IdempotencyResult.Conflict)
                return (null, ApiErrors.Make(StatusCodes.Status409Conflict, "idempotency_conflict", "This Idempotency-Key was used for a different request.",
                    $"Idempotency-Key: '{idempotencyKey}' was used in the last 24 hours for a different request (another body, or the other endpoint); use a new key for a new request"));
            return (new Accepted(request.ResponseFormat, ns, submitted.GenerationIds, submitted.Result == IdempotencyResult.Replayed), null);
        }
    }
}
