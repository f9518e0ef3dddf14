using Microsoft.OpenApi;

namespace Paddock.Server.OpenApi;

/// <summary>An answer of one status: its content types and the shared schema of its body (none for a body-less answer).</summary>
internal sealed record ResponseDoc(int Status, IReadOnlyList<string> ContentTypes, string? Schema, string? Description) : IOperationDoc
{
    public void Apply(OpenApiOperation operation, OpenApiDocument document, IServiceProvider services)
    {
        var key = Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        operation.Responses ??= [];
        if (operation.Responses.TryGetValue(key, out var existing) && existing is OpenApiResponse known)
        {
            // Two error kinds of one status share the envelope; a second content type of a success is added beside the first.
            foreach (var type in ContentTypes) (known.Content ??= new Dictionary<string, OpenApiMediaType>())[type] = MediaType(document);
            return;
        }
        var response = new OpenApiResponse { Description = Description ?? DefaultDescription(Status) };
        if (ContentTypes.Count > 0) response.Content = ContentTypes.ToDictionary(t => t, _ => MediaType(document));
        operation.Responses[key] = response;
    }

    private OpenApiMediaType MediaType(OpenApiDocument document) =>
        new() { Schema = Schema is null ? null : new OpenApiSchemaReference(Schema, document) };

    private static string DefaultDescription(int status) => status switch
    {
        200 => "OK",
        400 => "invalid_params: the request is wrong; detail names each field and what to fix",
        401 => "unauthenticated: the Authorization header is missing, malformed or names no key",
        403 => "forbidden: the key may not act on that namespace, the signed URL is invalid or expired, or the wrong kind of key (admin or namespace) for the route",
        404 => "resource_not_found",
        405 => "method_not_allowed",
        408 => "timeout: the body arrived too slowly",
        409 => "conflict (see error.type)",
        410 => "expired: the retention setting deleted the output or file; pin what you want to keep",
        413 => "payload_too_large: detail names the limit",
        415 => "unsupported media type",
        416 => "range_not_satisfiable: the Range starts beyond the end; detail says the size",
        422 => "refused: the provider refused to generate this video",
        429 => "rate_limited: Retry-After says when to try again",
        500 => "the generation failed, or a bug (never for bad input)",
        503 => "unavailable for now (the model's backend, the database, or a stopping server); Retry-After is set",
        504 => "timeout: the video took too long to generate",
        507 => "storage_full: nothing was stored; try again after Retry-After",
        _ => "see error.type",
    };
}

/// <summary>The operation's id; a HEAD beside a GET of the same route gets it with <c>Head</c> appended, as ids are unique.</summary>
internal sealed record OperationIdDoc(string OperationId) : IOperationDoc
{
    public void Apply(OpenApiOperation operation, OpenApiDocument document, IServiceProvider services) => operation.OperationId = OperationId;
}

/// <summary>The request body: one of the shared schemas.</summary>
internal sealed record RequestDoc(string ContentType, string Schema) : IOperationDoc
{
    public void Apply(OpenApiOperation operation, OpenApiDocument document, IServiceProvider services) =>
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { [ContentType] = new() { Schema = new OpenApiSchemaReference(Schema, document) } },
        };
}

/// <summary>A parameter the handler reads by hand: a query value or a header.</summary>
internal sealed record ParameterDoc(ParameterLocation In, string Name, JsonSchemaType Type, string Description, bool Required, string? Format = null) : IOperationDoc
{
    public void Apply(OpenApiOperation operation, OpenApiDocument document, IServiceProvider services)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.Name == Name && p.In == In)) return;
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = Name,
            In = In,
            Required = Required,
            Description = Description,
            Schema = new OpenApiSchema { Type = Type, Format = Format },
        });
    }
}

/// <summary>Who may call: a key (Bearer), or a key or a signed URL (the empty requirement: no header needed).</summary>
internal sealed record SecurityDoc(bool KeyOrSignature) : IOperationDoc
{
    public void Apply(OpenApiOperation operation, OpenApiDocument document, IServiceProvider services)
    {
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocExtensions.BearerScheme, document)] = [] });
        if (KeyOrSignature) operation.Security.Add(new OpenApiSecurityRequirement());
    }
}

/// <summary>The admin API's own scheme: the admin key, never a namespace's.</summary>
internal sealed record AdminSecurityDoc : IOperationDoc
{
    public void Apply(OpenApiOperation operation, OpenApiDocument document, IServiceProvider services)
    {
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocExtensions.AdminScheme, document)] = [] });
    }
}
