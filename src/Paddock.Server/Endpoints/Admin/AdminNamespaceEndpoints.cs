using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Auth;
using Paddock.Core.Queue;
using Paddock.Core.Quotas;
using Paddock.Core.Webhooks;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints.Admin;

/// <summary>
/// <c>/api/admin/namespaces</c>: a namespace exists from its first key (there is no other record of one). List them
/// with their keys, queue and use to date; create one with its first key; its limits; its webhook endpoints.
/// </summary>
public static class AdminNamespaceEndpoints
{
    private static readonly HashSet<string> CreateFields = ["namespace", "key_name", "limits"];

    public static void MapAdminNamespaceEndpoints(this IEndpointRouteBuilder app)
    {
        var namespaces = app.MapGroup(ApiKeyAuthentication.AdminPrefix + "/namespaces").WithTags("Admin").RequiresAdminKey();
        namespaces.MapGet("/", ListAsync)
            .Doc("AdminListNamespaces", "List namespaces with their keys, queue and use to date",
                "Every namespace that has a key or a generation: its keys (active and revoked), generations queued and running now, generations by how they ended, and seconds of video charged to date (succeeded plus still queued or running). Read from kept counts, not by counting rows.")
            .Returns(200, ApiSchemas.AdminNamespaceList);
        namespaces.MapPost("/", CreateAsync)
            .Doc("AdminCreateNamespace", "Create a namespace with its first key", "The key is shown only this once. 409 when the namespace already has an active key (POST /api/admin/keys adds another).")
            .Takes(ApiSchemas.AdminNamespaceCreate)
            .Returns(201, ApiSchemas.AdminNamespaceCreated)
            .Errors(400, 408, 409, 413, 503);
        namespaces.MapGet("/{ns}/limits", GetLimitsAsync)
            .Doc("AdminGetNamespaceLimits", "The namespace's limits: stored and in force")
            .Returns(200, ApiSchemas.AdminLimits)
            .Errors(400, 404);
        namespaces.MapPut("/{ns}/limits", SetLimitsAsync)
            .Doc("AdminSetNamespaceLimits", "Store the namespace's limits", "Replaces what was stored; a field left out or null is left to configuration. Applies from the next request in this process (within Paddock:Quotas:StoredLimitsLifetime in others).")
            .Takes(ApiSchemas.Limits)
            .Returns(200, ApiSchemas.AdminLimits)
            .Errors(400, 404, 408, 413);
        namespaces.MapDelete("/{ns}/limits", DeleteLimitsAsync)
            .Doc("AdminDeleteNamespaceLimits", "Forget the namespace's stored limits", "Configuration decides them again.")
            .Returns(200, ApiSchemas.AdminLimits)
            .Errors(400, 404);
        namespaces.MapGet("/{ns}/webhooks", ListWebhooksAsync)
            .Doc("AdminListWebhooks", "List a namespace's webhook endpoints")
            .Returns(200, ApiSchemas.WebhookList)
            .Errors(400, 404);
        namespaces.MapPost("/{ns}/webhooks", CreateWebhookAsync)
            .Doc("AdminCreateWebhook", "Create a webhook endpoint for a namespace", "As POST /api/webhooks with that namespace's key: the same body, checks and answer.")
            .Takes(ApiSchemas.WebhookCreate)
            .Returns(201, ApiSchemas.Webhook)
            .Errors(400, 404, 408, 413, 503);
        namespaces.MapDelete("/{ns}/webhooks/{id}", DeleteWebhookAsync)
            .Doc("AdminDeleteWebhook", "Delete a namespace's webhook endpoint", "Its deliveries and their log go with it.")
            .Returns(200, ApiSchemas.WebhookDeleted)
            .Errors(400, 404);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IApiKeyStore keys, IGenerationStore generations, IQuotaStore quotas)
    {
        var cancellationToken = context.RequestAborted;
        var allKeys = await keys.ListAsync(cancellationToken);
        var counts = await generations.CountByStatusAsync(cancellationToken);
        var charged = await quotas.ChargedVideoSecondsAsync(cancellationToken);
        var names = allKeys.Select(k => k.Namespace).Concat(counts.Select(c => c.Namespace)).Distinct().Order(StringComparer.Ordinal);
        var list = new JsonArray();
        foreach (var ns in names)
        {
            var mine = counts.Where(c => c.Namespace == ns).ToList();
            long Count(string status) => mine.Where(c => c.Status == status).Sum(c => c.Count);
            list.Add(new JsonObject
            {
                ["namespace"] = ns,
                ["keys"] = allKeys.Count(k => k.Namespace == ns && !k.IsRevoked),
                ["revoked_keys"] = allKeys.Count(k => k.Namespace == ns && k.IsRevoked),
                ["queued"] = Count("queued"),
                ["running"] = Count("processing"),
                ["succeeded"] = Count("succeeded"),
                ["failed"] = Count("failed"),
                ["cancelled"] = Count("cancelled"),
                ["video_seconds_charged"] = charged.TryGetValue(ns, out var seconds) ? seconds : 0,
            });
        }
        return TypedResults.Json(new JsonObject { ["count"] = list.Count, ["namespaces"] = list });
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiKeyService service, IApiKeyStore keys, IQuotaStore quotas, QuotaService quotaService)
    {
        var (body, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return error;
        using (body)
        {
            var root = body!.Document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return ApiErrors.InvalidParams("body: must be a JSON object such as {\"namespace\":\"team-a\",\"key_name\":\"ci\"}");
            var problems = new List<string>();
            foreach (var field in root.EnumerateObject().Where(p => !CreateFields.Contains(p.Name)))
                problems.Add($"{field.Name}: is not a field of a namespace; give namespace, key_name and limits");
            var ns = AdminKeyEndpoints.Text(root, "namespace", problems, required: true);
            if (ns is not null && !ApiKeyFormat.IsValidNamespace(ns))
                problems.Add($"namespace: '{ns}' must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'");
            var keyName = AdminKeyEndpoints.Text(root, "key_name", problems, required: false);
            QuotaLimits? limits = null;
            if (root.TryGetProperty("limits", out var given) && given.ValueKind != JsonValueKind.Null)
                limits = LimitsJson.Read(given, QuotaScopeKind.Namespace, "limits.", problems);
            if (problems.Count > 0) return ApiErrors.InvalidParams(string.Join("; ", problems));

            // The check and the key are one step in the store, so two creates of one namespace at once make one of it;
            // the limits follow the key, so the loser never overwrites the winner's (the key is unknown until answered).
            var key = await AdminKeyEndpoints.CreateKeyAsync(service, quotas, quotaService, ns!, keyName, null, first: true);
            if (key is null)
                return ApiErrors.Conflict($"namespace '{ns}' exists already (it has an active key); POST /api/admin/keys adds another key to it");
            if (limits is not null)
            {
                await quotas.SetLimitsAsync(QuotaScope.Namespace(ns!), limits, CancellationToken.None);
                quotaService.ForgetStored(QuotaScope.Namespace(ns!));
            }
            return TypedResults.Json(new JsonObject
            {
                ["namespace"] = ns,
                ["limits"] = LimitsJson.Write(limits),
                ["key"] = key,
            }, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> GetLimitsAsync(string ns, HttpContext context, IApiKeyStore keys, IQuotaStore quotas, QuotaService quotaService) =>
        await KnownAsync(ns, keys, context.RequestAborted) ?? TypedResults.Json(await LimitsAnswerAsync(ns, quotas, quotaService, context.RequestAborted));

    private static async Task<IResult> SetLimitsAsync(string ns, HttpContext context, IApiKeyStore keys, IQuotaStore quotas, QuotaService quotaService)
    {
        if (await KnownAsync(ns, keys, context.RequestAborted) is { } unknown) return unknown;
        var (body, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return error;
        using (body)
        {
            var problems = new List<string>();
            var limits = LimitsJson.Read(body!.Document.RootElement, QuotaScopeKind.Namespace, "", problems);
            if (limits is null) return ApiErrors.InvalidParams(string.Join("; ", problems));
            await quotas.SetLimitsAsync(QuotaScope.Namespace(ns), limits, CancellationToken.None);
        }
        quotaService.ForgetStored(QuotaScope.Namespace(ns));
        return TypedResults.Json(await LimitsAnswerAsync(ns, quotas, quotaService, CancellationToken.None));
    }

    private static async Task<IResult> DeleteLimitsAsync(string ns, HttpContext context, IApiKeyStore keys, IQuotaStore quotas, QuotaService quotaService)
    {
        if (await KnownAsync(ns, keys, context.RequestAborted) is { } unknown) return unknown;
        await quotas.DeleteLimitsAsync(QuotaScope.Namespace(ns), CancellationToken.None);
        quotaService.ForgetStored(QuotaScope.Namespace(ns));
        return TypedResults.Json(await LimitsAnswerAsync(ns, quotas, quotaService, CancellationToken.None));
    }

    private static async Task<JsonObject> LimitsAnswerAsync(string ns, IQuotaStore quotas, QuotaService quotaService, CancellationToken cancellationToken)
    {
        var scope = QuotaScope.Namespace(ns);
        var effective = await quotaService.LimitsAsync(ns, null, cancellationToken);
        return new JsonObject
        {
            ["scope"] = scope.Stored,
            ["namespace"] = ns,
            ["key_id"] = null,
            ["stored"] = LimitsJson.Write(await quotas.GetLimitsAsync(scope, cancellationToken)),
            ["effective"] = LimitsJson.Write(effective.NamespaceLimits),
        };
    }

    private static async Task<IResult> ListWebhooksAsync(string ns, HttpContext context, IApiKeyStore keys, IWebhookStore store)
    {
        if (await KnownAsync(ns, keys, context.RequestAborted) is { } unknown) return unknown;
        var endpoints = await store.ListEndpointsAsync(ns, context.RequestAborted);
        return TypedResults.Json(new JsonObject { ["webhooks"] = new JsonArray(endpoints.Select(e => (JsonNode)WebhookEndpoints.Endpoint(e)).ToArray()) });
    }

    private static async Task<IResult> CreateWebhookAsync(string ns, HttpContext context, IApiKeyStore keys, WebhookService webhooks) =>
        await KnownAsync(ns, keys, context.RequestAborted) ?? await WebhookEndpoints.CreateInAsync(context, webhooks, ns);

    private static async Task<IResult> DeleteWebhookAsync(string ns, string id, HttpContext context, IApiKeyStore keys, IWebhookStore store)
    {
        if (await KnownAsync(ns, keys, context.RequestAborted) is { } unknown) return unknown;
        if (id == WebhookEndpoint.RequestSigner || !await store.DeleteEndpointAsync(ns, id, CancellationToken.None))
            return ApiErrors.NotFound($"namespace '{ns}' has no webhook {id} (GET /api/admin/namespaces/{ns}/webhooks lists them)");
        return TypedResults.Json(new JsonObject { ["status"] = "success", ["status_message"] = "deleted", ["id"] = id });
    }

    /// <summary>Null for a namespace that has (or had) a key; otherwise the answer saying what is wrong with the name.</summary>
    private static async Task<IResult?> KnownAsync(string ns, IApiKeyStore keys, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsValidNamespace(ns))
            return ApiErrors.InvalidParams($"namespace: '{ns}' must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'");
        if ((await keys.ListAsync(cancellationToken)).Any(k => k.Namespace == ns)) return null;
        return ApiErrors.NotFound($"no namespace '{ns}': a namespace exists from its first key (POST /api/admin/namespaces creates one)");
    }
}
