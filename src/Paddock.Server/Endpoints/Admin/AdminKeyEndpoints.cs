using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Paddock.Core.Auth;
using Paddock.Core.Quotas;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints.Admin;

/// <summary>
/// <c>/api/admin/keys</c>: every namespace's keys. Create (the key is in the answer, and only there), list (never a
/// key, only its id), read, revoke (kept and marked; refused from the next request on), and each key's limits.
/// </summary>
public static class AdminKeyEndpoints
{
    private static readonly HashSet<string> CreateFields = ["namespace", "name", "limits"];

    public static void MapAdminKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup(ApiKeyAuthentication.AdminPrefix + "/keys").WithTags("Admin").RequiresAdminKey();
        keys.MapPost("/", CreateAsync)
            .Doc("AdminCreateKey", "Create a key for a namespace", "The answer's key is shown only this once; the server keeps its hash. A namespace exists from its first key. limits, if given, are stored for the key as PUT .../limits stores them.")
            .Takes(ApiSchemas.AdminKeyCreate)
            .Returns(201, ApiSchemas.AdminKeyCreated)
            .Errors(400, 408, 413, 503);
        keys.MapGet("/", ListAsync)
            .Doc("AdminListKeys", "List keys (never the key itself)", "Oldest first, revoked ones included (revoked_at set).")
            .Query("namespace", JsonSchemaType.String, "Only this namespace's keys.")
            .Returns(200, ApiSchemas.AdminKeyList)
            .Errors(400);
        keys.MapGet("/{id}", GetAsync)
            .Doc("AdminGetKey", "Read one key")
            .Returns(200, ApiSchemas.AdminKey)
            .Errors(404);
        keys.MapDelete("/{id}", RevokeAsync)
            .Doc("AdminRevokeKey", "Revoke a key", "Requests with it are refused (401) from the next one on in this process, within 30 s in others. Revoking a revoked key changes nothing and answers the same.")
            .Returns(200, ApiSchemas.AdminKey)
            .Errors(404);
        keys.MapGet("/{id}/limits", GetLimitsAsync)
            .Doc("AdminGetKeyLimits", "The key's limits: stored and in force")
            .Returns(200, ApiSchemas.AdminLimits)
            .Errors(404);
        keys.MapPut("/{id}/limits", SetLimitsAsync)
            .Doc("AdminSetKeyLimits", "Store the key's limits", "Replaces what was stored; a field left out or null is left to configuration. Applies from the next request in this process (within Paddock:Quotas:StoredLimitsLifetime in others). A key at its max_running has its rows passed over by claims; its namespace's other keys keep their turns.")
            .Takes(ApiSchemas.Limits)
            .Returns(200, ApiSchemas.AdminLimits)
            .Errors(400, 404, 408, 413);
        keys.MapDelete("/{id}/limits", DeleteLimitsAsync)
            .Doc("AdminDeleteKeyLimits", "Forget the key's stored limits", "Configuration decides them again.")
            .Returns(200, ApiSchemas.AdminLimits)
            .Errors(404);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiKeyService service, IQuotaStore quotas, QuotaService quotaService)
    {
        var (body, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return error;
        using (body)
        {
            var root = body!.Document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return ApiErrors.InvalidParams("body: must be a JSON object such as {\"namespace\":\"team-a\",\"name\":\"ci\"}");
            var problems = new List<string>();
            foreach (var field in root.EnumerateObject().Where(p => !CreateFields.Contains(p.Name)))
                problems.Add($"{field.Name}: is not a field of a key; give namespace, name and limits");
            var ns = Text(root, "namespace", problems, required: true);
            if (ns is not null && !ApiKeyFormat.IsValidNamespace(ns))
                problems.Add($"namespace: '{ns}' must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'");
            var name = Text(root, "name", problems, required: false);
            if (name is { Length: > 200 }) problems.Add("name: must be at most 200 characters");
            QuotaLimits? limits = null;
            if (root.TryGetProperty("limits", out var given) && given.ValueKind != JsonValueKind.Null)
                limits = LimitsJson.Read(given, QuotaScopeKind.Key, "limits.", problems);
            if (problems.Count > 0) return ApiErrors.InvalidParams(string.Join("; ", problems));

            var created = await CreateKeyAsync(service, quotas, quotaService, ns!, name, limits);
            return TypedResults.Json(created!, statusCode: StatusCodes.Status201Created);
        }
    }

    /// <summary>
    /// Creates the key and stores its limits; the answer with the key itself (shown only now). With
    /// <paramref name="first"/>, only when the namespace has no active key: null when it has one.
    /// </summary>
    internal static async Task<JsonObject?> CreateKeyAsync(ApiKeyService service, IQuotaStore quotas, QuotaService quotaService, string ns, string? name, QuotaLimits? limits, bool first = false)
    {
        // Not cancelled by the request: once created, a key gets its limits too, so it never exists without the limits asked for.
        (ApiKeyRecord Record, string Key)? created = first
            ? await service.CreateFirstAsync(ns, name, FirstKeyScope.Namespace, CancellationToken.None)
            : await service.CreateAsync(ns, name, CancellationToken.None);
        if (created is not var (record, key)) return null;
        if (limits is not null)
        {
            await quotas.SetLimitsAsync(QuotaScope.Key(record.Id), limits, CancellationToken.None);
            quotaService.ForgetStored(QuotaScope.Key(record.Id));
        }
        var answer = Describe(record);
        answer.Insert(0, "key", key);
        answer["limits"] = LimitsJson.Write(limits);
        return answer;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IApiKeyStore keys)
    {
        var ns = context.Request.Query["namespace"].ToString();
        if (ns.Length > 0 && !ApiKeyFormat.IsValidNamespace(ns))
            return ApiErrors.InvalidParams($"namespace: '{ns}' must be 1-64 letters, digits, '-', '_' or '.'");
        var all = await keys.ListAsync(context.RequestAborted);
        var listed = all.Where(k => ns.Length == 0 || k.Namespace == ns).Select(k => (JsonNode)Describe(k)).ToArray();
        return TypedResults.Json(new JsonObject { ["count"] = listed.Length, ["keys"] = new JsonArray(listed) });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IApiKeyStore keys) =>
        await keys.GetAsync(id, context.RequestAborted) is { } record ? TypedResults.Json(Describe(record)) : NotFound(id);

    private static async Task<IResult> RevokeAsync(string id, IApiKeyStore keys, ApiKeyResolver resolver, TimeProvider time)
    {
        await keys.RevokeAsync(id, time.GetUtcNow(), CancellationToken.None);
        if (await keys.GetAsync(id, CancellationToken.None) is not { } record) return NotFound(id);
        resolver.Forget(record.Hash);
        return TypedResults.Json(Describe(record));
    }

    private static async Task<IResult> GetLimitsAsync(string id, HttpContext context, IApiKeyStore keys, IQuotaStore quotas, QuotaService quotaService)
    {
        if (await keys.GetAsync(id, context.RequestAborted) is not { } record) return NotFound(id);
        return TypedResults.Json(await LimitsAnswerAsync(record, quotas, quotaService, context.RequestAborted));
    }

    private static async Task<IResult> SetLimitsAsync(string id, HttpContext context, IApiKeyStore keys, IQuotaStore quotas, QuotaService quotaService)
    {
        if (await keys.GetAsync(id, context.RequestAborted) is not { } record) return NotFound(id);
        var (body, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return error;
        using (body)
        {
            var problems = new List<string>();
            var limits = LimitsJson.Read(body!.Document.RootElement, QuotaScopeKind.Key, "", problems);
            if (limits is null) return ApiErrors.InvalidParams(string.Join("; ", problems));
            await quotas.SetLimitsAsync(QuotaScope.Key(id), limits, CancellationToken.None);
        }
        quotaService.ForgetStored(QuotaScope.Key(id));
        return TypedResults.Json(await LimitsAnswerAsync(record, quotas, quotaService, CancellationToken.None));
    }

    private static async Task<IResult> DeleteLimitsAsync(string id, HttpContext context, IApiKeyStore keys, IQuotaStore quotas, QuotaService quotaService)
    {
        if (await keys.GetAsync(id, context.RequestAborted) is not { } record) return NotFound(id);
        await quotas.DeleteLimitsAsync(QuotaScope.Key(id), CancellationToken.None);
        quotaService.ForgetStored(QuotaScope.Key(id));
        return TypedResults.Json(await LimitsAnswerAsync(record, quotas, quotaService, CancellationToken.None));
    }

    private static async Task<JsonObject> LimitsAnswerAsync(ApiKeyRecord record, IQuotaStore quotas, QuotaService quotaService, CancellationToken cancellationToken)
    {
        var scope = QuotaScope.Key(record.Id);
        var effective = await quotaService.LimitsAsync(record.Namespace, record.Id, cancellationToken);
        return new JsonObject
        {
            ["scope"] = scope.Stored,
            ["namespace"] = record.Namespace,
            ["key_id"] = record.Id,
            ["stored"] = LimitsJson.Write(await quotas.GetLimitsAsync(scope, cancellationToken)),
            ["effective"] = LimitsJson.Write(effective.KeyLimits),
        };
    }

    /// <summary>A key as the admin API shows it (never its secret); <c>paddock keys</c> prints the same offline.</summary>
    public static JsonObject Describe(ApiKeyRecord key) => new()
    {
        ["id"] = key.Id,
        ["namespace"] = key.Namespace,
        ["name"] = key.Name,
        ["created_at"] = key.CreatedAt.ToUnixTimeSeconds(),
        ["last_used_at"] = key.LastUsedAt?.ToUnixTimeSeconds(),
        ["revoked"] = key.IsRevoked,
        ["revoked_at"] = key.RevokedAt?.ToUnixTimeSeconds(),
    };

    internal static string? Text(JsonElement root, string name, List<string> problems, bool required)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) problems.Add($"{name}: is required");
            return null;
        }
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        problems.Add($"{name}: must be a string");
        return null;
    }

    private static IResult NotFound(string id) => ApiErrors.NotFound($"no key with id {id} (GET /api/admin/keys lists them)");
}
