using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Client.Internal;

namespace Paddock.Client.Admin;

/// <summary>
/// The client of a Paddock server's admin API (<c>/api/admin</c>), made with the server's admin key (its
/// <c>Paddock:Admin:Key</c>), not a namespace's: namespaces, keys and their limits, any namespace's webhooks, usage across
/// namespaces and the queue. Answers are the server's JSON documents. Calls that create something are not retried
/// (a retry after a lost answer could create it twice); reads are, as <see cref="PaddockClientOptions"/> says.
/// </summary>
/// <example>
/// <code>
/// var admin = new PaddockAdminClient(new Uri("http://localhost:8080"), adminKey);
/// var created = await admin.CreateKeyAsync("team-a", "ci", new PaddockLimits(RequestsPerMinute: 600));
/// Console.WriteLine(created.GetProperty("key").GetString()); // shown only this once
/// </code>
/// </example>
public sealed class PaddockAdminClient
{
    private readonly PaddockPipeline _pipeline;

    /// <summary>Creates an admin client with default options.</summary>
    /// <param name="endpoint">The server's base address, e.g. <c>http://localhost:8080</c>.</param>
    /// <param name="adminKey">The admin key, sent as <c>Authorization: Bearer</c> to this server only.</param>
    public PaddockAdminClient(Uri endpoint, string adminKey) : this(endpoint, adminKey, new PaddockClientOptions()) { }

    /// <summary>Creates an admin client.</summary>
    /// <param name="endpoint">The server's base address.</param>
    /// <param name="adminKey">The admin key.</param>
    /// <param name="options">Transport, retries and timeouts; copied.</param>
    public PaddockAdminClient(Uri endpoint, string adminKey, PaddockClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pipeline = new PaddockPipeline(endpoint, adminKey, options.Snapshot(), httpClient: null);
    }

    /// <summary>The server's base address.</summary>
    public Uri Endpoint => _pipeline.Endpoint;

    /// <summary>Namespaces with their keys, queued and running generations, how generations ended and seconds of video charged (<c>GET /api/admin/namespaces</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"count","namespaces":[…]}</c>.</returns>
    public Task<JsonElement> ListNamespacesAsync(CancellationToken cancellationToken = default) => GetAsync("api/admin/namespaces", null, cancellationToken);

    /// <summary>Creates a namespace with its first key (<c>POST /api/admin/namespaces</c>).</summary>
    /// <param name="ns">The namespace: 1-64 letters, digits, '-', '_' or '.'.</param>
    /// <param name="keyName">A label for its first key.</param>
    /// <param name="limits">Limits to store for the namespace.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"namespace","limits","key":{…,"key"}}</c>: the key itself is shown only in this answer.</returns>
    /// <exception cref="PaddockException">409 when the namespace already has an active key; 400 for a bad name or limit.</exception>
    public Task<JsonElement> CreateNamespaceAsync(string ns, string? keyName = null, PaddockLimits? limits = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/admin/namespaces", new JsonObject { ["namespace"] = ns, ["key_name"] = keyName, ["limits"] = limits?.ToJson() }, retry: false, cancellationToken);

    /// <summary>Keys, oldest first, revoked ones included; never a key itself (<c>GET /api/admin/keys</c>).</summary>
    /// <param name="ns">Only this namespace's keys; null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"count","keys":[…]}</c>.</returns>
    public Task<JsonElement> ListKeysAsync(string? ns = null, CancellationToken cancellationToken = default) =>
        GetAsync("api/admin/keys", [new("namespace", ns)], cancellationToken);

    /// <summary>Creates a key for a namespace (<c>POST /api/admin/keys</c>); the namespace exists from its first key.</summary>
    /// <param name="ns">The namespace the key acts for.</param>
    /// <param name="name">A label to tell keys apart.</param>
    /// <param name="limits">Limits to store for the key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's record with <c>key</c>, the key itself, shown only in this answer.</returns>
    public Task<JsonElement> CreateKeyAsync(string ns, string? name = null, PaddockLimits? limits = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/admin/keys", new JsonObject { ["namespace"] = ns, ["name"] = name, ["limits"] = limits?.ToJson() }, retry: false, cancellationToken);

    /// <summary>Revokes a key (<c>DELETE /api/admin/keys/{id}</c>): requests with it are refused from now on.</summary>
    /// <param name="id">The key's id (<c>key_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's record, <c>revoked</c> true.</returns>
    /// <exception cref="PaddockException">404 for an unknown id.</exception>
    public Task<JsonElement> RevokeKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/admin/keys/{Segment(id)}", null, retry: true, cancellationToken);

    /// <summary>A key's stored limits and those in force (<c>GET /api/admin/keys/{id}/limits</c>).</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"scope","namespace","key_id","stored","effective"}</c>.</returns>
    public Task<JsonElement> GetKeyLimitsAsync(string id, CancellationToken cancellationToken = default) => GetAsync($"api/admin/keys/{Segment(id)}/limits", null, cancellationToken);

    /// <summary>Stores a key's limits, replacing what was stored (<c>PUT /api/admin/keys/{id}/limits</c>); null clears them (<c>DELETE</c>).</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="limits">The limits; null to forget the stored ones.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>As <see cref="GetKeyLimitsAsync"/>.</returns>
    public Task<JsonElement> SetKeyLimitsAsync(string id, PaddockLimits? limits, CancellationToken cancellationToken = default) =>
        SendAsync(limits is null ? HttpMethod.Delete : HttpMethod.Put, $"api/admin/keys/{Segment(id)}/limits", limits?.ToJson(), retry: true, cancellationToken);

    /// <summary>A namespace's stored limits and those in force (<c>GET /api/admin/namespaces/{ns}/limits</c>).</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"scope","namespace","key_id","stored","effective"}</c>.</returns>
    public Task<JsonElement> GetNamespaceLimitsAsync(string ns, CancellationToken cancellationToken = default) => GetAsync($"api/admin/namespaces/{Segment(ns)}/limits", null, cancellationToken);

    /// <summary>Stores a namespace's limits (<c>PUT /api/admin/namespaces/{ns}/limits</c>); null clears them (<c>DELETE</c>).</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="limits">The limits; null to forget the stored ones.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>As <see cref="GetNamespaceLimitsAsync"/>.</returns>
    public Task<JsonElement> SetNamespaceLimitsAsync(string ns, PaddockLimits? limits, CancellationToken cancellationToken = default) =>
        SendAsync(limits is null ? HttpMethod.Delete : HttpMethod.Put, $"api/admin/namespaces/{Segment(ns)}/limits", limits?.ToJson(), retry: true, cancellationToken);

    /// <summary>A namespace's webhook endpoints (<c>GET /api/admin/namespaces/{ns}/webhooks</c>).</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"webhooks":[…]}</c>.</returns>
    public Task<JsonElement> ListWebhooksAsync(string ns, CancellationToken cancellationToken = default) => GetAsync($"api/admin/namespaces/{Segment(ns)}/webhooks", null, cancellationToken);

    /// <summary>Creates a webhook endpoint for a namespace (<c>POST /api/admin/namespaces/{ns}/webhooks</c>), as its own key would.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="url">The http(s) URL that receives the events.</param>
    /// <param name="events">Event names; null for completed and cancelled.</param>
    /// <param name="description">A note for people.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint with its signing <c>secret</c>.</returns>
    public Task<JsonElement> CreateWebhookAsync(string ns, string url, IEnumerable<string>? events = null, string? description = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["url"] = url };
        if (events is not null) body["events"] = new JsonArray(events.Select(e => (JsonNode)JsonValue.Create(e)).ToArray());
        if (description is not null) body["description"] = description;
        return SendAsync(HttpMethod.Post, $"api/admin/namespaces/{Segment(ns)}/webhooks", body, retry: false, cancellationToken);
    }

    /// <summary>Deletes a namespace's webhook endpoint (<c>DELETE /api/admin/namespaces/{ns}/webhooks/{id}</c>).</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="id">The endpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public Task<JsonElement> DeleteWebhookAsync(string ns, string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/admin/namespaces/{Segment(ns)}/webhooks/{Segment(id)}", null, retry: true, cancellationToken);

    /// <summary>What every namespace (or one) consumed, by namespace, UTC day and model, with totals (<c>GET /api/admin/usage</c>).</summary>
    /// <param name="from">The first UTC day; null for 29 days before <paramref name="to"/>.</param>
    /// <param name="to">The last UTC day; null for today.</param>
    /// <param name="ns">Only this namespace; null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"from","to","usage","namespaces","totals"}</c>.</returns>
    public Task<JsonElement> GetUsageAsync(DateOnly? from = null, DateOnly? to = null, string? ns = null, CancellationToken cancellationToken = default) =>
        GetAsync("api/admin/usage", [new("from", Day(from)), new("to", Day(to)), new("namespace", ns)], cancellationToken);

    /// <summary>What waits and runs now, per model, per namespace and per worker (<c>GET /api/admin/queue</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"queued","processing","models","namespaces","workers"}</c>.</returns>
    public Task<JsonElement> GetQueueAsync(CancellationToken cancellationToken = default) => GetAsync("api/admin/queue", null, cancellationToken);

    private async Task<JsonElement> GetAsync(string path, IEnumerable<KeyValuePair<string, string?>>? query, CancellationToken cancellationToken)
    {
        var uri = _pipeline.Resolve(path, query);
        using var response = await _pipeline.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), new CallSettings(_pipeline.Options.NetworkTimeout), cancellationToken).ConfigureAwait(false);
        return await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonObject? body, bool retry, CancellationToken cancellationToken)
    {
        var uri = _pipeline.Resolve(path);
        var text = body?.ToJsonString();
        HttpRequestMessage Create()
        {
            var request = new HttpRequestMessage(method, uri);
            if (text is not null) request.Content = new StringContent(text, Encoding.UTF8, "application/json");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return request;
        }
        using var response = await _pipeline.SendAsync(Create, new CallSettings(_pipeline.Options.NetworkTimeout, Retry: retry), cancellationToken).ConfigureAwait(false);
        return await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
