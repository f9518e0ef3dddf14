using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Engines.ComfyUI.Protocol;

/// <summary>A server of the pool did not answer (refused, reset, timed out, or a proxy's 5xx): it may come back.</summary>
internal sealed class MemberUnreachableException(Uri member, string reason, Exception? inner = null) : Exception($"{member} {reason}", inner)
{
    public Uri Member { get; } = member;

    public string Reason { get; } = reason;
}

/// <summary>A server answered a request with a client error (4xx) we cannot retry our way out of.</summary>
internal sealed class ComfyRequestException(Uri member, string route, int status, string body)
    : Exception($"{member} answered {status} to {route}: {Shorten(body)}")
{
    public int Status { get; } = status;

    public string Body { get; } = body;

    public string Route { get; } = route;

    internal static string Shorten(string text) => text.Length <= 500 ? text.Trim() : text[..500].Trim() + "…";
}

/// <summary>Where a prompt stands on a server: running, waiting in its queue, or neither (finished, or never there).</summary>
internal enum QueuePlace { Absent, Pending, Running }

/// <summary>A file a server wrote or holds, as history and /upload/image name it.</summary>
internal sealed record ComfyFile(string Filename, string Subfolder, string Type)
{
    public JsonObject ToJson() => new() { ["filename"] = Filename, ["subfolder"] = Subfolder, ["type"] = Type };

    public static ComfyFile? From(JsonNode? node) =>
        node?["filename"] is JsonValue f && f.TryGetValue<string>(out var filename) && filename.Length > 0
            ? new ComfyFile(filename, node["subfolder"]?.ToString() ?? "", node["type"]?.ToString() ?? "output")
            : null;
}

/// <summary>
/// ComfyUI's HTTP routes, for one server (facts and sources: docs/providers/comfyui.md). Each request has its own
/// time limit; a server that does not answer is a <see cref="MemberUnreachableException"/>, a refusal a
/// <see cref="ComfyRequestException"/>.
/// </summary>
internal sealed class ComfyClient(HttpClient http, Uri baseUri, TimeSpan requestTimeout)
{
    public Uri BaseUri { get; } = ComfyUIOptions.Normalize(baseUri);

    /// <summary>GET /system_stats: cheap liveness, with the version and the GPUs.</summary>
    public Task<JsonObject> SystemStatsAsync(CancellationToken ct, TimeSpan? timeout = null) => GetObjectAsync("system_stats", ct, timeout);

    /// <summary>GET /object_info: every node class the server has loaded, with its inputs and their choices (model files).</summary>
    public Task<JsonObject> ObjectInfoAsync(CancellationToken ct, TimeSpan? timeout = null) => GetObjectAsync("object_info", ct, timeout);

    /// <summary>GET /models/{folder}: the files of one models folder (404 for an unknown folder: then none).</summary>
    public async Task<IReadOnlyList<string>> ModelFilesAsync(string folder, CancellationToken ct, TimeSpan? timeout = null)
    {
        try
        {
            var body = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "models/" + Uri.EscapeDataString(folder))), ct, timeout).ConfigureAwait(false);
            return JsonNode.Parse(body) is JsonArray files ? files.Select(f => f?.ToString() ?? "").ToList() : [];
        }
        catch (ComfyRequestException e) when (e.Status == 404)
        {
            return [];
        }
    }

    /// <summary>
    /// POST /upload/image (multipart <c>image</c>, <c>type=input</c>): any file, videos too. A file of the same name and
    /// bytes is kept as is; other bytes under a taken name get a new name, so the name answered is the one to use.
    /// </summary>
    public async Task<string> UploadAsync(byte[] bytes, string fileName, string mediaType, CancellationToken ct)
    {
        var body = await SendAsync(() =>
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            form.Add(file, "image", fileName);
            form.Add(new StringContent("input"), "type");
            return new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, "upload/image")) { Content = form };
        }, ct).ConfigureAwait(false);
        return JsonNode.Parse(body)?["name"]?.ToString() is { Length: > 0 } name
            ? name
            : throw new ComfyRequestException(BaseUri, "/upload/image", 200, $"an answer without a file name: {body}");
    }

    /// <summary>POST /prompt with our client id (who gets the socket messages) and our prompt id (a lowercase UUID).</summary>
    public Task SubmitAsync(JsonObject graph, string clientId, string promptId, CancellationToken ct) =>
        PostJsonAsync("prompt", new JsonObject { ["prompt"] = graph, ["client_id"] = clientId, ["prompt_id"] = promptId }, ct);

    /// <summary>GET /queue: whether the prompt is running or pending (pending is heap order, so it is searched whole).</summary>
    public async Task<QueuePlace> FindInQueueAsync(string promptId, CancellationToken ct)
    {
        var queue = await GetObjectAsync("queue", ct).ConfigureAwait(false);
        static bool Holds(JsonNode? list, string id) =>
            list is JsonArray items && items.Any(item => item is JsonArray { Count: > 1 } entry && entry[1]?.ToString() == id);
        if (Holds(queue["queue_running"], promptId)) return QueuePlace.Running;
        if (Holds(queue["queue_pending"], promptId)) return QueuePlace.Pending;
        return QueuePlace.Absent;
    }

    /// <summary>GET /history/{id}: the finished prompt's entry, or null (<c>{}</c> both while it runs and for an unknown id).</summary>
    public async Task<JsonObject?> HistoryAsync(string promptId, CancellationToken ct)
    {
        var history = await GetObjectAsync("history/" + Uri.EscapeDataString(promptId), ct).ConfigureAwait(false);
        return history[promptId] as JsonObject;
    }

    /// <summary>GET /view?filename=&amp;subfolder=&amp;type=: the file, written to <paramref name="destination"/>.</summary>
    public async Task DownloadAsync(ComfyFile file, string destination, CancellationToken ct)
    {
        var query = $"view?filename={Uri.EscapeDataString(file.Filename)}&subfolder={Uri.EscapeDataString(file.Subfolder)}&type={Uri.EscapeDataString(file.Type)}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(requestTimeout);
        try
        {
            using var response = await http.GetAsync(new Uri(BaseUri, query), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            await ThrowOnFailureAsync(response, "/view", timeout.Token).ConfigureAwait(false);
            await using var target = File.Create(destination);
            await response.Content.CopyToAsync(target, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Unreachable(e, ct) is { } reason)
        {
            throw new MemberUnreachableException(BaseUri, reason, e);
        }
    }

    /// <summary>POST /queue {"delete": [id]}: removes a pending prompt (never the running one).</summary>
    public Task DeleteFromQueueAsync(string promptId, CancellationToken ct) =>
        PostJsonAsync("queue", new JsonObject { ["delete"] = new JsonArray(promptId) }, ct);

    /// <summary>POST /interrupt {"prompt_id": id}: interrupts only if that prompt is the one running.</summary>
    public Task InterruptAsync(string promptId, CancellationToken ct) =>
        PostJsonAsync("interrupt", new JsonObject { ["prompt_id"] = promptId }, ct);

    /// <summary>
    /// POST /api/jobs/{id}/cancel (ComfyUI 0.38 and later): running → interrupted, pending → dequeued, atomically. True or
    /// false as the server says; null on a server without the route (older versions: use the queue and interrupt).
    /// </summary>
    public async Task<bool?> CancelJobAsync(string promptId, CancellationToken ct)
    {
        try
        {
            var body = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, $"api/jobs/{Uri.EscapeDataString(promptId)}/cancel"))
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            }, ct).ConfigureAwait(false);
            return JsonNode.Parse(body)?["cancelled"] is JsonValue v && v.TryGetValue<bool>(out var cancelled) ? cancelled : null;
        }
        catch (ComfyRequestException e) when (e.Status is 404 or 405)
        {
            return null;
        }
    }

    private async Task<JsonObject> GetObjectAsync(string route, CancellationToken ct, TimeSpan? timeout = null)
    {
        var body = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, route)), ct, timeout).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException)
        {
            // Something that is not ComfyUI answers at that address (a proxy's page, another service).
            throw new MemberUnreachableException(BaseUri, $"answered /{route} with something that is not ComfyUI's JSON: {ComfyRequestException.Shorten(body)}");
        }
    }

    private Task<string> PostJsonAsync(string route, JsonObject body, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, route))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, ct);

    private async Task<string> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct, TimeSpan? limit = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit ?? requestTimeout);
        using var request = make();
        var route = request.RequestUri!.AbsolutePath;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            await ThrowOnFailureAsync(response, route, timeout.Token).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Unreachable(e, ct) is { } reason)
        {
            throw new MemberUnreachableException(BaseUri, reason, e);
        }
    }

    private async Task ThrowOnFailureAsync(HttpResponseMessage response, string route, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        // A 5xx is the server (or the proxy in front of it) in trouble, not our request: it may answer again.
        if (status >= 500) throw new MemberUnreachableException(BaseUri, $"answered {status} {response.ReasonPhrase} to {route}");
        throw new ComfyRequestException(BaseUri, route, status, body);
    }

    /// <summary>Why a failed request means the server did not answer, or null when the failure is something else.</summary>
    private string? Unreachable(Exception e, CancellationToken caller) => e switch
    {
        MemberUnreachableException or ComfyRequestException => null,
        OperationCanceledException when caller.IsCancellationRequested => null,
        OperationCanceledException => "did not answer in time",
        HttpRequestException { InnerException: System.Net.Sockets.SocketException s } => $"does not answer ({s.SocketErrorCode switch
        {
            System.Net.Sockets.SocketError.ConnectionRefused => "connection refused",
            System.Net.Sockets.SocketError.HostNotFound => "host not found",
            _ => s.Message,
        }})",
        HttpRequestException h => $"does not answer ({h.Message})",
        HttpIOException io => $"broke the connection ({io.Message})",
        IOException { InnerException: System.Net.Sockets.SocketException s } => $"broke the connection ({s.Message})",
        _ => null,
    };

    public override string ToString() => BaseUri.ToString();

    /// <summary>Tells a wedged socket from an answer: the handler's own connect timeout is shorter than any request's.</summary>
    public static HttpClient CreateHttp(TimeSpan connectTimeout) => new(new SocketsHttpHandler
    {
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
