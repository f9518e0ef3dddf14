using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Paddock.Core.Models;
using Scalar.AspNetCore;

namespace Paddock.Server.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of the whole API at <see cref="DocumentRoute"/> and its interactive reference page at
/// <see cref="ReferenceRoute"/>; neither needs a key. Routes describe themselves where they are mapped (see
/// <see cref="IOperationDoc"/>); this class adds what belongs to the whole document: the shared schemas of
/// <c>Schemas.json</c>, the request schema of every model this server is configured with, and the Bearer scheme.
/// </summary>
public static class PaddockOpenApi
{
    public const string DocumentName = "v1";
    public const string DocumentRoute = "/openapi/v1.json";
    public const string ReferenceRoute = "/reference";

    public static IServiceCollection AddPaddockOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            // The OpenAI-compatible face under /v1/ is described by OpenAI's own API reference (docs/openai.md), which
            // its clients are generated from; described here too, it would be a second, drifting copy of someone else's contract.
            options.ShouldInclude = description => (description.GroupName is null || string.Equals(description.GroupName, DocumentName, StringComparison.OrdinalIgnoreCase))
                && !IsOpenAiCompatible("/" + description.RelativePath);
            options.AddOperationTransformer(ApplyRouteDocs);
            options.AddDocumentTransformer(CompleteDocumentAsync);
        });

    /// <summary>The routes of the OpenAI-compatible face: left out of this document (OpenAI's reference describes them).</summary>
    public const string OpenAiCompatiblePrefix = "/v1/";

    public static bool IsOpenAiCompatible(string path) => path.StartsWith(OpenAiCompatiblePrefix, StringComparison.Ordinal);

    public static void MapPaddockOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(ReferenceRoute, options => options
            .WithTitle("Paddock API reference")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument(DocumentName)
            .AddPreferredSecuritySchemes(ApiDocExtensions.BearerScheme)
            // A few dozen operations: every tag open, so a reader scrolls or searches rather than clicks.
            .ExpandAllTags()
            // The toolbar of Scalar's hosted services (share, deploy, generate an SDK) is not part of this server.
            .HideDeveloperTools()
            // A self-hosted server phones nowhere: no telemetry, no web fonts, no hosted AI agent or MCP features.
            .DisableTelemetry()
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp());
    }

    /// <summary>Each route's own <see cref="IOperationDoc"/> metadata, in the order it was given.</summary>
    private static Task ApplyRouteDocs(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var docs = context.Description.ActionDescriptor.EndpointMetadata.OfType<IOperationDoc>().ToList();
        // The generator cannot see what a hand-written handler answers and puts a bare 200 there; the route's own list replaces it.
        if (docs.OfType<ResponseDoc>().Any()) operation.Responses = [];
        foreach (var doc in docs) doc.Apply(operation, context.Document!, context.ApplicationServices);
        if (HttpMethods.IsHead(context.Description.HttpMethod ?? "") && operation.OperationId is { } id) operation.OperationId = id + "Head";
        return Task.CompletedTask;
    }

    private static Task CompleteDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Paddock",
            Version = "1.0",
            Description = "Reference-to-video generation, wire-compatible with the hosted HappyHorse 1.0 API. "
                + "Every error answers with the one envelope of components/schemas/ErrorEnvelope. "
                + "The request schemas of the models this server is configured with are components/schemas/VideoRequest_<model id, _ for . and ->, all of them together VideoRequest; "
                + "the event stream's event types and their data are listed on components/schemas/EventStream.",
        };
        // A client sets its own base URL; the document stays the same whichever address served it.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiDocExtensions.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key of a namespace: 'Authorization: Bearer <key>' (create one with 'paddock keys create --namespace NAME').",
        };
        document.Components.SecuritySchemes[ApiDocExtensions.AdminScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin key of the routes under /api/admin: 'Authorization: Bearer <admin key>', the key of the server's Paddock:Admin:Key (or the one whose SHA-256 is Paddock:Admin:KeyHash). A namespace's key is refused there, and the admin key everywhere else.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in SharedSchemas.Load(context.ApplicationServices.GetRequiredService<ModelCatalog>()))
            document.Components.Schemas[name] = schema;
        return Task.CompletedTask;
    }
}

/// <summary>The schemas of <c>Schemas.json</c> and of the catalog's models, read as OpenAPI 3.1 schema objects.</summary>
internal static class SharedSchemas
{
    private static readonly Lazy<JsonObject> Shared = new(() =>
    {
        using var stream = typeof(SharedSchemas).Assembly.GetManifestResourceStream("Paddock.OpenApi.Schemas.json")
            ?? throw new InvalidOperationException("Schemas.json is not embedded in the server assembly");
        return JsonNode.Parse(stream)!["components"]!["schemas"]!.AsObject();
    });

    public static IReadOnlyDictionary<string, IOpenApiSchema> Load(ModelCatalog catalog)
    {
        var schemas = (JsonObject)Shared.Value.DeepClone();
        var models = catalog.All;
        foreach (var model in models) schemas[ApiSchemas.VideoRequestOf(model.Id)] = VideoRequest(model);
        schemas[ApiSchemas.VideoRequest] = AnyVideoRequest(models);
        var text = new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject { ["title"] = "schemas", ["version"] = "1" },
            ["paths"] = new JsonObject(),
            ["components"] = new JsonObject { ["schemas"] = schemas },
        }.ToJsonString();
        var read = OpenApiDocument.Parse(text, "json");
        if (read.Diagnostic?.Errors is { Count: > 0 } errors)
            throw new InvalidOperationException("the OpenAPI schemas do not read: " + string.Join("; ", errors.Select(e => $"{e.Pointer}: {e.Message}")));
        var loaded = read.Document!.Components!.Schemas!;
        foreach (var schema in loaded.Values) HintsAsExtensions(schema);
        return loaded.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>
    /// The catalog's display hints (<c>basic</c>, <c>renderType</c>) are keywords JSON Schema does not define; the OpenAPI
    /// writer would nest them under a made-up <c>unrecognizedKeywords</c> keyword, so they are written as <c>x-</c>
    /// extensions instead (x-basic, x-renderType), which every OpenAPI tool knows to carry along.
    /// </summary>
    private static void HintsAsExtensions(IOpenApiSchema node)
    {
        if (node is not OpenApiSchema schema) return; // a $ref: its target is visited where it is defined
        if (schema.UnrecognizedKeywords is { Count: > 0 } hints)
        {
            schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            foreach (var (name, value) in hints) schema.Extensions["x-" + name] = new JsonNodeExtension(value);
            schema.UnrecognizedKeywords = null;
        }
        var children = (schema.Properties?.Values ?? []).Concat(schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? [])
            .Append(schema.Items).Append(schema.AdditionalProperties).Append(schema.Not);
        foreach (var child in children) if (child is not null) HintsAsExtensions(child);
    }

    /// <summary>
    /// A request for any model of the catalog: a <c>model</c> the catalog has, then exactly that model's schema, said as
    /// one chain of <c>if</c> (model is X) <c>then</c> (X's schema) <c>else</c> … <c>else false</c>. Not a <c>oneOf</c>:
    /// generators (NSwag) make a <c>oneOf</c>'s first member the body's type, so a generated client could only send that
    /// model's fields; they pass over <c>if</c>/<c>then</c> and give the outer object (model plus any fields). And
    /// <c>model</c> is a plain string, not an enum: a generated enum is sent by its C# member name, not the model's id.
    /// </summary>
    private static JsonObject AnyVideoRequest(IReadOnlyCollection<ModelDefinition> models)
    {
        var request = new JsonObject
        {
            ["type"] = "object",
            ["description"] = "model plus that model's fields, as the model's own schema (GET /api/ai/models/{id}, json_request_schema) says; "
                + "each model's whole request is also here as VideoRequest_<model id>.",
            ["required"] = new JsonArray("model"),
            ["properties"] = new JsonObject
            {
                ["model"] = new JsonObject
                {
                    ["type"] = "string",
                    ["description"] = "The model to run, one of: " + string.Join(", ", models.Select(m => m.Id)) + ".",
                    ["examples"] = new JsonArray(models.Select(m => (JsonNode)m.Id).ToArray()),
                },
            },
            ["additionalProperties"] = true,
        };
        var link = request;
        foreach (var model in models)
        {
            link["if"] = new JsonObject { ["properties"] = new JsonObject { ["model"] = new JsonObject { ["const"] = model.Id } } };
            link["then"] = new JsonObject { ["$ref"] = $"#/components/schemas/{ApiSchemas.VideoRequestOf(model.Id)}" };
            var next = new JsonObject();
            link["else"] = next;
            link = next;
        }
        link["not"] = new JsonObject(); // a model the catalog does not have
        return request;
    }

    /// <summary>The model's served request schema, plus the fields every request takes beside the model's own.</summary>
    private static JsonObject VideoRequest(ModelDefinition model)
    {
        var schema = (JsonObject)model.RequestSchema.DeepClone();
        schema.Remove("$schema"); // the document's own dialect (OpenAPI 3.1: JSON Schema 2020-12) is the same
        schema["title"] = $"{model.Id} request";
        schema["description"] = $"{model.DisplayName}: the fields of GET /api/ai/models/{model.Id} (json_request_schema), with model and the request options.";
        var properties = schema["properties"] as JsonObject ?? [];
        var fields = new JsonObject
        {
            ["model"] = new JsonObject { ["const"] = model.Id, ["description"] = "The model to run." },
        };
        foreach (var (name, value) in properties) fields[name] = value?.DeepClone();
        fields["response_format"] = new JsonObject
        {
            ["type"] = "string", ["enum"] = new JsonArray("url", "b64_json"), ["default"] = "url",
            ["description"] = "POST /api/ai/videos/generate: the video as a signed URL (url) or inline as base64 (b64_json).",
        };
        fields["num_generations"] = new JsonObject
        {
            ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 4, ["default"] = 1,
            ["description"] = "POST /api/ai/queue: how many takes to make (seeds seed + i). A synchronous request makes one.",
        };
        fields["target_namespace"] = new JsonObject
        {
            ["type"] = "string",
            ["description"] = "The namespace to create the generation in; it must be the key's own.",
        };
        fields["webhook_url"] = new JsonObject
        {
            ["type"] = "string", ["format"] = "uri",
            ["description"] = "An http(s) URL that receives this request's completion (POST, Standard Webhooks, signed with GET /api/webhooks/request-signer's secret).",
        };
        schema["properties"] = fields;
        var required = new JsonArray("model");
        foreach (var name in (schema["required"] as JsonArray ?? []).Select(n => n!.GetValue<string>())) required.Add(name);
        schema["required"] = required;
        return schema;
    }
}
