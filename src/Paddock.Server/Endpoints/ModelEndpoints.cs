using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Core.Models;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary><c>/api/ai/models</c>: the catalog, each model with its request schema (the same document that validates requests).</summary>
public static class ModelEndpoints
{
    public static void MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ai/models").WithTags("Models").RequiresApiKey();
        group.MapGet("/", List)
            .Doc("ListModels", "List the models", "Each with its request schema (request_schema and json_request_schema: the document that validates requests) and the engine that renders it.")
            .Returns(200, ApiSchemas.ModelList);
        group.MapGet("/search", Search)
            .Doc("SearchModels", "Search the models by id or display name")
            .Returns(200, ApiSchemas.ModelList);
        group.MapGet("/{id}", Get)
            .Doc("GetModel", "One model")
            .Returns(200, ApiSchemas.Model).Errors(404);
    }

    private static IResult List(string? developer_name, ModelCatalog catalog, EngineRegistry engines, BackendMonitor backends)
    {
        var models = catalog.All.Where(m => developer_name is null || string.Equals(m.DeveloperName, developer_name, StringComparison.OrdinalIgnoreCase));
        return ListOf(models, engines, backends);
    }

    private static IResult Search(string? search, ModelCatalog catalog, EngineRegistry engines, BackendMonitor backends)
    {
        var text = search?.Trim() ?? "";
        var models = catalog.All.Where(m => text.Length == 0
            || m.Id.Contains(text, StringComparison.OrdinalIgnoreCase)
            || m.DisplayName.Contains(text, StringComparison.OrdinalIgnoreCase));
        return ListOf(models, engines, backends);
    }

    private static IResult Get(string id, ModelCatalog catalog, EngineRegistry engines, BackendMonitor backends) =>
        catalog.Find(id) is { } model ? TypedResults.Json(ToJson(model, engines, backends)) : ApiErrors.NotFound($"Model not found: {id}");

    private static IResult ListOf(IEnumerable<ModelDefinition> models, EngineRegistry engines, BackendMonitor backends) =>
        TypedResults.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(models.Select(m => (JsonNode)ToJson(m, engines, backends)).ToArray()),
        });

    public static JsonObject ToJson(ModelDefinition model, EngineRegistry engines, BackendMonitor backends)
    {
        var engine = engines.Find(model.Engine);
        var state = backends.StateOf(model.Engine, model.Id);
        return new JsonObject
        {
            ["id"] = model.Id,
            ["object"] = "model",
            ["created"] = model.Created,
            ["owned_by"] = model.OwnedBy,
            ["display_name"] = model.DisplayName,
            ["description"] = model.Description,
            ["model_type"] = "base",
            ["endpoint"] = "/videos/generate",
            ["capabilities"] = model.Capabilities.DeepClone(),
            ["developer"] = model.Developer.DeepClone(),
            ["pricing"] = null,
            ["released_at"] = model.ReleasedAt,
            ["request_schema"] = model.RequestSchema.DeepClone(),
            ["json_request_schema"] = model.RequestSchema.DeepClone(),
            // What the model takes through the OpenAI face (/v1/videos): its sizes, seconds and image (docs/openai.md).
            ["openai"] = OpenAI.VideoEndpoints.Accepts(model),
            ["engine"] = new JsonObject
            {
                ["name"] = model.Engine,
                ["type"] = engine?.Type,
                ["description"] = engine?.Description ?? "not available in this process",
                ["version"] = engine?.Version,
                ["available"] = state.IsAvailable,
                ["problem"] = state.Problem,
            },
        };
    }
}
