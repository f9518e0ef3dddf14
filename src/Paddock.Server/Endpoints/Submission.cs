using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Validation;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>What sync generation and enqueue share: read, validate against the model's schema, check the namespace, create the rows.</summary>
public static class Submission
{
    public sealed record Accepted(ValidatedRequest Request, IReadOnlyList<NewGeneration> Rows);

    public static async Task<(Accepted? Accepted, IResult? Error)> SubmitAsync(
        HttpContext context, SubmissionKind kind, ModelCatalog catalog, GenerationService generations)
    {
        var (document, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return (null, error);
        using (document)
        {
            var rejection = RequestValidator.Validate(document!.RootElement, catalog, kind, out var request);
            if (rejection is not null)
            {
                return (null, rejection.Kind == RequestRejectionKind.ModelNotFound
                    ? ApiErrors.NotFound(rejection.Detail)
                    : ApiErrors.InvalidParams(rejection.Detail));
            }

            var ns = ApiKeyAuthentication.NamespaceOf(context);
            if (request!.TargetNamespace is { } target && !string.Equals(target, ns, StringComparison.Ordinal))
                return (null, ApiErrors.Forbidden($"target_namespace: this key belongs to namespace '{ns}' and cannot create generations in '{target}'"));

            // Not the request's token: once the rows are being written, a client hanging up must not half-commit them.
            var rows = await generations.SubmitAsync(ns, request, CancellationToken.None);
            return (new Accepted(request, rows), null);
        }
    }
}
