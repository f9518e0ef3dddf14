using System.Collections.Concurrent;
using Paddock.Core.Auth;

namespace Paddock.Server.Http;

/// <summary>
/// Resolves <c>Authorization: Bearer &lt;key&gt;</c> to the key's namespace on every API route except
/// health and signed output URLs. Lookups are cached briefly so a hot path does not hit the
/// database; a revoked key stops working within <see cref="CacheLifetime"/>.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, IApiKeyStore keys, TimeProvider time)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private const string NamespaceItem = "paddock.namespace";
    private const string KeyIdItem = "paddock.key";
    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Record, DateTimeOffset Expires)> _cache = new();

    public async Task InvokeAsync(HttpContext context)
    {
        if (!RequiresKey(context.Request))
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            await ApiErrors.Unauthenticated("Authorization header is missing; send 'Authorization: Bearer <api key>'").ExecuteAsync(context);
            return;
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            await ApiErrors.Unauthenticated("Authorization header must be 'Bearer <api key>'").ExecuteAsync(context);
            return;
        }

        var key = header[7..].Trim();
        var record = await ResolveAsync(key, context.RequestAborted);
        if (record is null)
        {
            await ApiErrors.Unauthenticated("the API key is not valid; create one with 'paddock keys create --namespace NAME'").ExecuteAsync(context);
            return;
        }
        context.Items[NamespaceItem] = record.Namespace;
        context.Items[KeyIdItem] = record.Id;
        await next(context);
    }

    /// <summary>The namespace of the request's key; null on routes reached without one (signed reads).</summary>
    public static string? TryNamespaceOf(HttpContext context) => context.Items[NamespaceItem] as string;

    /// <summary>The id of the request's key (its limits and usage are counted by it); null on routes reached without one.</summary>
    public static string? KeyIdOf(HttpContext context) => context.Items[KeyIdItem] as string;

    public static string NamespaceOf(HttpContext context) =>
        context.Items[NamespaceItem] as string ?? throw new InvalidOperationException("route reached without an authenticated namespace");

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

    private async Task<ApiKeyRecord?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        if (key.Length > 256) return null;
        var hash = ApiKeyFormat.Hash(key);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Expires > now) return cached.Record;
        var record = await keys.FindByHashAsync(hash, cancellationToken);
        if (_cache.Count > 10_000) _cache.Clear();
        _cache[hash] = (record, now + (record is null ? TimeSpan.FromSeconds(2) : CacheLifetime));
        return record;
    }
}
