using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// <c>GET /api/health</c> (and <c>/health</c>): the process answers, and the state of every backend it knows with its
/// last problem; <c>/health/live</c> and <c>/health/ready</c> for orchestrators and load balancers
/// (<see cref="Observability.HealthRoutes"/>). No key needed; they say nothing of any namespace.
/// </summary>
public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app, string? role = null)
    {
        IResult Health(BackendMonitor backends) => TypedResults.Json(new JsonObject
        {
            ["status"] = "ok",
            ["role"] = role,
            ["backends"] = new JsonArray(backends.All.Select(b => (JsonNode)new JsonObject
            {
                ["name"] = b.Name,
                ["type"] = b.Type,
                ["state"] = b.IsAvailable ? "available" : "unavailable",
                ["problem"] = b.Problem,
                ["checked_at"] = b.CheckedAt?.ToUnixTimeSeconds(),
                // Models the backend answers for but cannot run now (e.g. a node a template needs is not installed).
                ["unavailable_models"] = b.UnavailableModels is { Count: > 0 } models
                    ? new JsonObject(models.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)))
                    : null,
            }).ToArray()),
        });
        app.MapGet("/api/health", Health).WithTags("Health")
            .Doc("GetHealth", "The process answers; the state of every backend", "No key needed; it says nothing of any namespace.")
            .Returns(200, ApiSchemas.Health);
        app.MapGet("/health", Health).WithTags("Health")
            .Doc("GetHealthAtRoot", "The same as /api/health")
            .Returns(200, ApiSchemas.Health);
        Observability.HealthRoutes.MapPaddockHealthChecks(app);
    }
}
