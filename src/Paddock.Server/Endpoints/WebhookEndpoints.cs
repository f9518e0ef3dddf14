using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Paddock.Core.Webhooks;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// Webhooks of the key's namespace: endpoints (create, list, read, delete, rotate the secret), their delivery logs and
/// each generation's, redelivery, and the secret that signs deliveries to a request's own <c>webhook_url</c>. Another
/// namespace's endpoint or delivery is a 404, as its generations are.
/// </summary>
public static class WebhookEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private static readonly HashSet<string> CreateFields = ["url", "events", "description"];

    public static void MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/webhooks").WithTags("Webhooks").RequiresApiKey();
        hooks.MapPost("/", CreateAsync)
            .Doc("CreateWebhook", "Create a webhook endpoint", "Its deliveries are POSTed with Standard Webhooks signatures made with the answer's secret, retried with backoff for a day. A receiver on a private or loopback address is refused unless the operator allowed its host.")
            .Takes(ApiSchemas.WebhookCreate)
            .Returns(201, ApiSchemas.Webhook, description: "Created; keep secret to verify deliveries")
            .Errors(400, 408, 413, 503);
        hooks.MapGet("/", ListAsync)
            .Doc("ListWebhooks", "List the namespace's webhook endpoints")
            .Returns(200, ApiSchemas.WebhookList);
        hooks.MapGet("/deliveries", GenerationDeliveriesAsync)
            .Doc("ListGenerationDeliveries", "List a generation's webhook deliveries", "Every receiver's delivery of the generation's events (endpoints and the request's own webhook_url), newest first.")
            .Query("generation_id", JsonSchemaType.String, "The generation whose deliveries to list.", required: true)
            .Query("limit", JsonSchemaType.Integer, $"At most this many, 1 to {MaxLimit} (default {DefaultLimit}).")
            .Returns(200, ApiSchemas.WebhookDeliveryList)
            .Errors(400);
        hooks.MapGet("/deliveries/{deliveryId}", GetDeliveryAsync)
            .Doc("GetWebhookDelivery", "Read one webhook delivery", "Its status, attempts and the last answer or error.")
            .Returns(200, ApiSchemas.WebhookDelivery)
            .Errors(404);
        hooks.MapPost("/deliveries/{deliveryId}/redeliver", RedeliverAsync)
            .Doc("RedeliverWebhook", "Send a delivery again", "Due now, with retries for another day; the same webhook-id, so a receiver that has it already can tell.")
            .Returns(200, ApiSchemas.WebhookDelivery)
            .Errors(404);
        hooks.MapGet("/request-signer", RequestSignerAsync)
            .Doc("GetRequestSigner", "The secret that signs deliveries to a request's own webhook_url", "Created on first use; one per namespace.")
            .Returns(200, ApiSchemas.WebhookSigner);
        hooks.MapPost("/request-signer/rotate", RotateRequestSignerAsync)
            .Doc("RotateRequestSigner", "Rotate the secret of requests' own webhook_url deliveries", "The previous secret signs beside the new one until previous_secret_expires_at.")
            .Returns(200, ApiSchemas.WebhookSigner);
        hooks.MapGet("/{id}", GetAsync)
            .Doc("GetWebhook", "Read one webhook endpoint")
            .Returns(200, ApiSchemas.Webhook)
            .Errors(404);
        hooks.MapDelete("/{id}", DeleteAsync)
            .Doc("DeleteWebhook", "Delete a webhook endpoint", "Its deliveries and their log go with it.")
            .Returns(200, ApiSchemas.WebhookDeleted)
            .Errors(404);
        hooks.MapPost("/{id}/rotate", RotateAsync)
            .Doc("RotateWebhookSecret", "Rotate an endpoint's signing secret", "The previous secret signs beside the new one until previous_secret_expires_at, so a receiver can switch without missing a delivery.")
            .Returns(200, ApiSchemas.Webhook)
            .Errors(404);
        hooks.MapGet("/{id}/deliveries", EndpointDeliveriesAsync)
            .Doc("ListWebhookDeliveries", "List an endpoint's deliveries, newest first")
            .Query("limit", JsonSchemaType.Integer, $"At most this many, 1 to {MaxLimit} (default {DefaultLimit}).")
            .Returns(200, ApiSchemas.WebhookDeliveryList)
            .Errors(400, 404);
    }

    private static Task<IResult> CreateAsync(HttpContext context, WebhookService webhooks) =>
        CreateInAsync(context, webhooks, ApiKeyAuthentication.NamespaceOf(context));

    /// <summary>Creates an endpoint of <paramref name="ns"/> from the request's body (the admin API names the namespace in its route).</summary>
    internal static async Task<IResult> CreateInAsync(HttpContext context, WebhookService webhooks, string ns)
    {
        var (body, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return error;
        using (body)
        {
            var root = body!.Document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return ApiErrors.InvalidParams("body: must be a JSON object such as {\"url\":\"https://example.com/hooks\",\"events\":[\"media_generation_completed\"]}");
            var problems = new List<string>();
            foreach (var field in root.EnumerateObject().Where(p => !CreateFields.Contains(p.Name)))
                problems.Add($"{field.Name}: is not a field of a webhook; give url, events and description");
            string? url = null;
            if (root.TryGetProperty("url", out var u) && u.ValueKind != JsonValueKind.Null)
            {
                if (u.ValueKind == JsonValueKind.String) url = u.GetString();
                else problems.Add("url: must be a string, the http(s) URL that receives the webhooks");
            }
            List<string>? events = null;
            if (root.TryGetProperty("events", out var e) && e.ValueKind != JsonValueKind.Null)
            {
                if (e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
                    events = e.EnumerateArray().Select(x => x.GetString()!).ToList();
                else problems.Add($"events: must be an array of event names ({string.Join(", ", WebhookEvents.Names)})");
            }
            string? description = null;
            if (root.TryGetProperty("description", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                if (d.ValueKind == JsonValueKind.String) description = d.GetString();
                else problems.Add("description: must be a string");
            }
            if (problems.Count == 0)
            {
                var (endpoint, refused) = await webhooks.CreateAsync(ns, url, events, description, context.RequestAborted);
                if (endpoint is not null) return TypedResults.Json(Endpoint(endpoint), statusCode: StatusCodes.Status201Created);
                problems.AddRange(refused);
            }
            else if (url is null && !root.TryGetProperty("url", out _))
            {
                problems.Insert(0, "url: is required: the http(s) URL that receives the webhooks");
            }
            return ApiErrors.InvalidParams(string.Join("; ", problems));
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, IWebhookStore store)
    {
        var endpoints = await store.ListEndpointsAsync(ApiKeyAuthentication.NamespaceOf(context), context.RequestAborted);
        return TypedResults.Json(new JsonObject { ["webhooks"] = new JsonArray(endpoints.Select(e => (JsonNode)Endpoint(e)).ToArray()) });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IWebhookStore store)
    {
        var endpoint = await FindAsync(id, context, store);
        return endpoint is null ? NotFound(id) : TypedResults.Json(Endpoint(endpoint));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IWebhookStore store)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        if (id == WebhookEndpoint.RequestSigner || !await store.DeleteEndpointAsync(ns, id, CancellationToken.None)) return NotFound(id);
        return TypedResults.Json(new JsonObject { ["status"] = "success", ["status_message"] = "deleted", ["id"] = id });
    }

    private static async Task<IResult> RotateAsync(string id, HttpContext context, WebhookService webhooks)
    {
        if (id == WebhookEndpoint.RequestSigner) return NotFound(id);
        var endpoint = await webhooks.RotateAsync(ApiKeyAuthentication.NamespaceOf(context), id, CancellationToken.None);
        return endpoint is null ? NotFound(id) : TypedResults.Json(Endpoint(endpoint));
    }

    private static async Task<IResult> RequestSignerAsync(HttpContext context, WebhookService webhooks) =>
        TypedResults.Json(Signer(await webhooks.RequestSignerAsync(ApiKeyAuthentication.NamespaceOf(context), CancellationToken.None)));

    private static async Task<IResult> RotateRequestSignerAsync(HttpContext context, WebhookService webhooks)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        await webhooks.RequestSignerAsync(ns, CancellationToken.None);
        var signer = await webhooks.RotateAsync(ns, WebhookEndpoint.RequestSigner, CancellationToken.None);
        return TypedResults.Json(Signer(signer!));
    }

    private static async Task<IResult> EndpointDeliveriesAsync(string id, HttpContext context, IWebhookStore store)
    {
        if (await FindAsync(id, context, store) is null) return NotFound(id);
        if (Limit(context) is not { } limit) return LimitProblem();
        var deliveries = await store.ListDeliveriesAsync(ApiKeyAuthentication.NamespaceOf(context), id, null, limit, context.RequestAborted);
        return TypedResults.Json(Deliveries(deliveries));
    }

    private static async Task<IResult> GenerationDeliveriesAsync(HttpContext context, IWebhookStore store)
    {
        var given = context.Request.Query["generation_id"].ToString();
        if (!Guid.TryParse(given, out var generation))
            return ApiErrors.InvalidParams(given.Length == 0
                ? "generation_id: is required (GET /api/webhooks/deliveries?generation_id=<id> lists a generation's deliveries; GET /api/webhooks/<id>/deliveries an endpoint's)"
                : $"generation_id: '{given}' is not a generation id");
        if (Limit(context) is not { } limit) return LimitProblem();
        var deliveries = await store.ListDeliveriesAsync(ApiKeyAuthentication.NamespaceOf(context), null, generation, limit, context.RequestAborted);
        return TypedResults.Json(Deliveries(deliveries));
    }

    private static async Task<IResult> GetDeliveryAsync(string deliveryId, HttpContext context, IWebhookStore store)
    {
        var delivery = await store.GetDeliveryAsync(ApiKeyAuthentication.NamespaceOf(context), deliveryId, context.RequestAborted);
        return delivery is null ? ApiErrors.NotFound($"webhook delivery not found: {deliveryId}") : TypedResults.Json(Delivery(delivery));
    }

    private static async Task<IResult> RedeliverAsync(string deliveryId, HttpContext context, WebhookService webhooks)
    {
        var delivery = await webhooks.RedeliverAsync(ApiKeyAuthentication.NamespaceOf(context), deliveryId, CancellationToken.None);
        return delivery is null ? ApiErrors.NotFound($"webhook delivery not found: {deliveryId}") : TypedResults.Json(Delivery(delivery));
    }

    private static Task<WebhookEndpoint?> FindAsync(string id, HttpContext context, IWebhookStore store) =>
        id == WebhookEndpoint.RequestSigner ? Task.FromResult<WebhookEndpoint?>(null) : store.GetEndpointAsync(ApiKeyAuthentication.NamespaceOf(context), id, context.RequestAborted);

    private static IResult NotFound(string id) => ApiErrors.NotFound($"webhook not found: {id}");

    private static int? Limit(HttpContext context)
    {
        var given = context.Request.Query["limit"].ToString();
        if (given.Length == 0) return DefaultLimit;
        return int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit ? n : null;
    }

    private static IResult LimitProblem() => ApiErrors.InvalidParams($"limit: must be a whole number between 1 and {MaxLimit}");

    internal static JsonObject Endpoint(WebhookEndpoint e) => new()
    {
        ["id"] = e.Id,
        ["url"] = e.Url,
        ["events"] = new JsonArray(e.Events.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
        ["secret"] = e.Secret,
        ["previous_secret_expires_at"] = e.PreviousSecretExpiresAt?.ToUnixTimeSeconds(),
        ["description"] = e.Description,
        ["created_at"] = e.CreatedAt.ToUnixTimeSeconds(),
    };

    private static JsonObject Signer(WebhookEndpoint e) => new()
    {
        ["secret"] = e.Secret,
        ["previous_secret_expires_at"] = e.PreviousSecretExpiresAt?.ToUnixTimeSeconds(),
    };

    private static JsonObject Deliveries(IReadOnlyList<WebhookDelivery> deliveries) =>
        new() { ["count"] = deliveries.Count, ["deliveries"] = new JsonArray(deliveries.Select(d => (JsonNode)Delivery(d)).ToArray()) };

    private static JsonObject Delivery(WebhookDelivery d) => new()
    {
        ["id"] = d.Id,
        ["webhook_id"] = d.EndpointId == WebhookEndpoint.RequestSigner ? null : d.EndpointId,
        ["url"] = d.Url,
        ["generation_id"] = d.GenerationId.ToString(),
        ["event"] = d.EventType,
        ["status"] = d.Status.ToString().ToLowerInvariant(),
        ["attempts"] = d.Attempts,
        ["response_code"] = d.ResponseCode,
        ["last_error"] = d.LastError,
        ["created_at"] = d.EventAt.ToUnixTimeSeconds(),
        ["last_attempt_at"] = d.LastAttemptAt?.ToUnixTimeSeconds(),
        ["next_attempt_at"] = d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt.ToUnixTimeSeconds() : null,
        ["delivered_at"] = d.DeliveredAt?.ToUnixTimeSeconds(),
    };
}
