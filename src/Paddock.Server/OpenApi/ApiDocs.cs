using Microsoft.OpenApi;

namespace Paddock.Server.OpenApi;

/// <summary>
/// What the OpenAPI document says of one route, kept as endpoint metadata beside the route itself. Paddock reads its
/// bodies by hand and answers with <see cref="System.Text.Json.Nodes.JsonObject"/>s, so nothing can be inferred from
/// handler types: each route names the schemas of <c>Schemas.json</c> (or the catalog's request schemas) it takes and
/// answers with, and which errors it can answer. Documenting a new route is one chain of these calls where it is mapped,
/// e.g. <c>.Doc("GetGeneration", "Poll one generation").RequiresApiKey().Returns(200, ApiSchemas.Generation).Errors(404)</c>; the
/// conformance tests then drive it and fail, naming it, if it is missing or answers something the document does not say.
/// </summary>
public interface IOperationDoc
{
    void Apply(OpenApiOperation operation, OpenApiDocument document, IServiceProvider services);
}

/// <summary>The names of the shared schemas in <c>OpenApi/Schemas.json</c> (components/schemas of the document).</summary>
public static class ApiSchemas
{
    public const string ErrorEnvelope = "ErrorEnvelope";
    public const string Model = "Model";
    public const string ModelList = "ModelList";
    public const string VideoResult = "VideoResult";
    public const string QueueAccepted = "QueueAccepted";
    public const string Generation = "Generation";
    public const string GenerationList = "GenerationList";
    public const string GenerationPage = "GenerationPage";
    public const string CancelResult = "CancelResult";
    public const string GenerationDeleted = "GenerationDeleted";
    public const string RepoFile = "RepoFile";
    public const string FileDeleted = "FileDeleted";
    public const string Health = "Health";
    public const string HealthReport = "HealthReport";
    public const string WhoAmI = "WhoAmI";
    public const string FileUpload = "FileUpload";
    public const string FileUploadResult = "FileUploadResult";
    public const string Binary = "Binary";
    public const string EventStream = "EventStream";
    public const string WebhookCreate = "WebhookCreate";
    public const string Webhook = "Webhook";
    public const string WebhookList = "WebhookList";
    public const string WebhookDeleted = "WebhookDeleted";
    public const string WebhookSigner = "WebhookSigner";
    public const string WebhookDelivery = "WebhookDelivery";
    public const string WebhookDeliveryList = "WebhookDeliveryList";
    public const string Usage = "Usage";
    public const string Limits = "Limits";
    public const string AdminLimits = "AdminLimits";
    public const string AdminKey = "AdminKey";
    public const string AdminKeyList = "AdminKeyList";
    public const string AdminKeyCreate = "AdminKeyCreate";
    public const string AdminKeyCreated = "AdminKeyCreated";
    public const string AdminNamespaceList = "AdminNamespaceList";
    public const string AdminNamespaceCreate = "AdminNamespaceCreate";
    public const string AdminNamespaceCreated = "AdminNamespaceCreated";
    public const string AdminUsage = "AdminUsage";
    public const string AdminQueue = "AdminQueue";

    /// <summary>A video request: <c>model</c> plus that model's fields, one of the <see cref="VideoRequestOf"/> schemas.</summary>
    public const string VideoRequest = "VideoRequest";

    /// <summary>
    /// The request of one model of the catalog: its served request schema plus the fields every request takes. Named
    /// with underscores for the id's other characters, as generators make type names of the last dot-separated part.
    /// </summary>
    public static string VideoRequestOf(string modelId) => "VideoRequest_" + string.Concat(modelId.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
}

public static class ApiDocExtensions
{
    public const string BearerScheme = "bearer";
    public const string AdminScheme = "admin";

    /// <summary>
    /// The operation's id (the method name a generated client gets; a HEAD of the same route gets it with <c>Head</c>
    /// appended), a summary (one line, shown in lists) and optionally a description (Markdown) of the route.
    /// </summary>
    public static TBuilder Doc<TBuilder>(this TBuilder builder, string operationId, string summary, string? description = null) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new OperationIdDoc(operationId));
        builder.WithSummary(summary);
        if (description is not null) builder.WithDescription(description);
        return builder;
    }

    /// <summary>The route needs <c>Authorization: Bearer &lt;key&gt;</c>: it may answer 401 with the envelope.</summary>
    public static TBuilder RequiresApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SecurityDoc(KeyOrSignature: false)).Errors(StatusCodes.Status401Unauthorized);

    /// <summary>
    /// The route is the admin API's: it needs <c>Authorization: Bearer &lt;admin key&gt;</c> (401 without a valid one; 403 for
    /// a namespace's key, or when the server has no admin key configured).
    /// </summary>
    public static TBuilder RequiresAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AdminSecurityDoc()).Errors(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

    /// <summary>The route reads with a key of the namespace or, without one, with a signed URL's <c>exp</c> and <c>sig</c>.</summary>
    public static TBuilder KeyOrSignedUrl<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SecurityDoc(KeyOrSignature: true)).SignedUrlQuery(required: false);

    /// <summary>The route reads with a signed URL only (<c>exp</c> and <c>sig</c> in the query); a bad one is a 403.</summary>
    public static TBuilder SignedUrlOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.SignedUrlQuery(required: true).Errors(StatusCodes.Status403Forbidden);

    private static TBuilder SignedUrlQuery<TBuilder>(this TBuilder builder, bool required) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ParameterDoc(ParameterLocation.Query, "exp", JsonSchemaType.Integer, "When the signed URL expires (Unix seconds); part of a URL the server handed out.", required, "int64"))
            .Query("sig", JsonSchemaType.String, "The URL's signature; part of a URL the server handed out.", required);

    /// <summary>An answer of <paramref name="status"/> whose body is the shared schema <paramref name="schema"/>.</summary>
    public static TBuilder Returns<TBuilder>(this TBuilder builder, int status, string schema, string contentType = "application/json", string? description = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseDoc(status, [contentType], schema, description));

    /// <summary>An answer of <paramref name="status"/> with bytes of one of <paramref name="contentTypes"/>.</summary>
    public static TBuilder ReturnsBytes<TBuilder>(this TBuilder builder, int status, string description, params string[] contentTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseDoc(status, contentTypes, ApiSchemas.Binary, description));

    /// <summary>An answer of <paramref name="status"/> without a body (a redirect, a 304, a 206 of a HEAD).</summary>
    public static TBuilder ReturnsNoBody<TBuilder>(this TBuilder builder, int status, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseDoc(status, [], null, description));

    /// <summary>Error answers the route can give, each with the error envelope.</summary>
    public static TBuilder Errors<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses) builder.WithMetadata(new ResponseDoc(status, ["application/json"], ApiSchemas.ErrorEnvelope, null));
        return builder;
    }

    /// <summary>The request body is the shared schema <paramref name="schema"/>.</summary>
    public static TBuilder Takes<TBuilder>(this TBuilder builder, string schema, string contentType = "application/json") where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestDoc(contentType, schema));

    /// <summary>The request body is a video request: one of the catalog's models, chosen by its <c>model</c> field.</summary>
    public static TBuilder TakesVideoRequest<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.Takes(ApiSchemas.VideoRequest);

    /// <summary>A query parameter the handler reads from the query itself (so the generator cannot see it).</summary>
    public static TBuilder Query<TBuilder>(this TBuilder builder, string name, JsonSchemaType type, string description, bool required = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ParameterDoc(ParameterLocation.Query, name, type, description, required));

    /// <summary>A route parameter the handler does not take as an argument (so the generator cannot see it).</summary>
    public static TBuilder Path<TBuilder>(this TBuilder builder, string name, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ParameterDoc(ParameterLocation.Path, name, JsonSchemaType.String, description, Required: true));

    /// <summary>A request header the route reads.</summary>
    public static TBuilder Header<TBuilder>(this TBuilder builder, string name, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ParameterDoc(ParameterLocation.Header, name, JsonSchemaType.String, description, Required: false));
}
