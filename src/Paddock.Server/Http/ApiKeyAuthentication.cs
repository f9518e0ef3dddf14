using Microsoft.Extensions.Options;
using Paddock.Core.Auth;

namespace Paddock.Server.Http;

/// <summary>
/// Resolves <c>Authorization: Bearer &lt;key&gt;</c> on every API route except health and signed output URLs: to the
/// key's namespace on namespace routes, and to the admin on <c>/api/admin</c>. The two never stand in for each other:
/// a namespace key on an admin route and the admin key on a namespace route are both 403 with the envelope saying which
/// key the route takes (the admin acts on a namespace through the admin routes, which name it).
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, ApiKeyResolver keys, IOptions<AdminOptions> admin)
{
    public const string AdminPrefix = "/api/admin";
    private readonly AdminOptions _admin = admin.Value;

    public Task InvokeAsync(HttpContext context) => PassThrough.ThenNext(AuthenticateAsync(context), next, context);

    /// <summary>True when the request goes on; false when it was answered (no key, a wrong key, the wrong kind of key).</summary>
    private async Task<bool> AuthenticateAsync(HttpContext context)
    {
        var adminRoute = context.Request.Path.StartsWithSegments(AdminPrefix);
        if (!adminRoute && !RequiresKey(context.Request)) return true;
        if (adminRoute && !_admin.Enabled)
        {
            await ApiErrors.AdminOnly(
                $"the admin API is off on this server: set {AdminOptions.Section}:Key (or {AdminOptions.Section}:KeyHash, the key's SHA-256) and restart; "
                + "'paddock admin new-key' prints a key and its hash (docs/operators.md, \"The admin API\")").ExecuteAsync(context);
            return false;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            await ApiErrors.Unauthenticated(adminRoute
                ? "Authorization header is missing; send 'Authorization: Bearer <admin key>' (the key of Paddock:Admin:Key)"
                : "Authorization header is missing; send 'Authorization: Bearer <api key>'").ExecuteAsync(context);
            return false;
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            await ApiErrors.Unauthenticated(adminRoute ? "Authorization header must be 'Bearer <admin key>'" : "Authorization header must be 'Bearer <api key>'").ExecuteAsync(context);
            return false;
        }

        var (isAdmin, record) = await keys.ResolveAsync(header[7..].Trim(), context.RequestAborted);
        if (isAdmin)
        {
            if (adminRoute) return true;
            await ApiErrors.AdminOnly(
                $"the admin key acts only on {AdminPrefix}/... routes; {context.Request.Path} takes a namespace's key "
                + "(create one with POST /api/admin/keys or 'paddock admin keys create --namespace NAME')").ExecuteAsync(context);
            return false;
        }

        if (record is { IsRevoked: true })
        {
            await ApiErrors.Unauthenticated($"the API key {record.Id} was revoked; ask the administrator for a new one").ExecuteAsync(context);
            return false;
        }
        if (adminRoute)
        {
            await (record is null
                ? ApiErrors.Unauthenticated("the admin key is not valid; send the key of Paddock:Admin:Key")
                : ApiErrors.AdminOnly($"a namespace's key (here {record.Id} of '{record.Namespace}') may not use the admin API; send the admin key (Paddock:Admin:Key)")).ExecuteAsync(context);
            return false;
        }
        if (record is null)
        {
            await ApiErrors.Unauthenticated("the API key is not valid; create one with 'paddock keys create --namespace NAME'").ExecuteAsync(context);
            return false;
        }
        context.Features.Set(new RequestCaller(record.Namespace, record.Id));
        return true;
    }

    /// <summary>The namespace of the request's key; null on routes reached without one (signed reads, admin routes).</summary>
    public static string? TryNamespaceOf(HttpContext context) => context.Features.Get<RequestCaller>()?.Namespace;

    /// <summary>The id of the request's key (its limits and usage are counted by it); null on routes reached without one.</summary>
    public static string? KeyIdOf(HttpContext context) => context.Features.Get<RequestCaller>()?.KeyId;

    public static string NamespaceOf(HttpContext context) =>
        TryNamespaceOf(context) ?? throw new InvalidOperationException("route reached without an authenticated namespace");

    /// <summary>
    /// Every API route but health, outputs (always signed) and signed reads of hosted files; and every route of the OpenAI
    /// face under <c>/v1</c>, whose SDKs send the same <c>Authorization: Bearer</c> header (so one key serves both faces).
    /// </summary>
    private static bool RequiresKey(HttpRequest request) =>
        request.Path.StartsWithSegments("/v1") ||
        request.Path.StartsWithSegments("/api")
        && !request.Path.StartsWithSegments("/api/outputs")
        && !request.Path.StartsWithSegments("/api/references")
        && !request.Path.StartsWithSegments("/api/health")
        && !(request.Path.StartsWithSegments("/api/repos") && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
             && request.Query.ContainsKey("sig") && !request.Headers.ContainsKey("Authorization"));
}

/// <summary>
/// Who a request is from, as authentication found it (the key's namespace and id) and the quota check added (the limits
/// in force). One request feature rather than three <see cref="HttpContext.Items"/> entries: the items dictionary was
/// built for every request and kept for as long as a stream stays open.
/// </summary>
internal sealed class RequestCaller(string ns, string keyId)
{
    public string Namespace { get; } = ns;
    public string KeyId { get; } = keyId;
    public Paddock.Core.Quotas.EffectiveLimits? Limits { get; set; }
}
