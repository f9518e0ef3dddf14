using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Engines.HappyHorse.Protocol;

/// <summary>
/// The provider's HTTP API as the engine uses it (docs/providers/dashscope.md): create, query, cancel and list tasks,
/// the temporary upload, and the result download. Every failure is a <see cref="DashScopeException"/> that says whether
/// the provider answered. The API key goes only into the <c>Authorization</c> header of calls to the API base — never to
/// the upload host or the result URL (other hosts), and never into a message: <see cref="Scrub"/> removes it from any
/// text the provider or the network stack hands back.
/// </summary>
public sealed class DashScopeClient : IDisposable
{
    private const string CreatePath = "services/aigc/video-generation/video-synthesis";

    private readonly HttpClient _http;
    private readonly string _apiBase;
    private readonly string _apiKey;
    private readonly string? _workspace;
    private readonly TimeSpan _requestTimeout;
    private readonly QueryGate _queries;
    private readonly TimeProvider _time;

    public DashScopeClient(Uri apiBase, string apiKey, string? workspace, TimeSpan requestTimeout, int queriesPerSecond, TimeProvider time, HttpMessageHandler? handler = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        _apiBase = apiBase.ToString().TrimEnd('/') + "/";
        _apiKey = apiKey;
        _workspace = string.IsNullOrWhiteSpace(workspace) ? null : workspace;
        _requestTimeout = requestTimeout;
        _queries = new QueryGate(queriesPerSecond, time);
        _time = time;
        // No redirects: a redirect could carry the Authorization header to another host.
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public Uri ApiBase => new(_apiBase);

    /// <summary>
    /// <c>POST …/video-synthesis</c> with <c>X-DashScope-Async: enable</c> [r2v] (and <c>X-DashScope-OssResourceResolve: enable</c>
    /// when a media URL is an <c>oss://</c> upload [upload]). Returns the task id.
    /// </summary>
    /// <param name="giveUp">Stops waiting for the answer. The caller passes a token that fires later than its own cancel, because
    /// an answer that is abandoned may still have created a paid task whose id then goes unrecorded.</param>
    public async Task<string> CreateAsync(JsonObject body, bool resolveOss, CancellationToken giveUp)
    {
        using var request = Api(HttpMethod.Post, CreatePath);
        request.Headers.Add("X-DashScope-Async", "enable");
        if (resolveOss) request.Headers.Add("X-DashScope-OssResourceResolve", "enable");
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        var root = await SendAsync(request, "create the task", giveUp).ConfigureAwait(false);
        return TaskSnapshot.Text(root?["output"]?["task_id"]) is { Length: > 0 } id
            ? id
            : throw new DashScopeException(CallOutcome.NoAnswer, 200, null, "the provider accepted the task but its answer had no output.task_id");
    }

    /// <summary>
    /// <c>GET /tasks/{id}</c>, <c>Authorization</c> only [tasks], [sdk]; paced by the backend's query rate unless
    /// <paramref name="paced"/> is false (the health check: one query now and then must not queue behind many polls).
    /// </summary>
    public async Task<TaskSnapshot> QueryAsync(string taskId, CancellationToken cancellationToken, bool paced = true)
    {
        if (paced) await _queries.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
        using var request = Api(HttpMethod.Get, "tasks/" + Uri.EscapeDataString(taskId));
        return TaskSnapshot.Read(await SendAsync(request, "query the task", cancellationToken).ConfigureAwait(false), taskId);
    }

    /// <summary><c>POST /tasks/{id}/cancel</c> [sdk] cancel(): only a PENDING task can be cancelled [lifecycle].</summary>
    public async Task CancelAsync(string taskId, CancellationToken cancellationToken)
    {
        using var request = Api(HttpMethod.Post, $"tasks/{Uri.EscapeDataString(taskId)}/cancel");
        await SendAsync(request, "cancel the task", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /tasks?model_name&amp;start_time&amp;end_time&amp;page_no&amp;page_size</c> [tasks], [sdk] list().</summary>
    public async Task<TaskListPage> ListAsync(string model, DateTimeOffset from, DateTimeOffset to, int pageNo, int pageSize, CancellationToken cancellationToken)
    {
        await _queries.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
        var query = $"tasks?model_name={Uri.EscapeDataString(model)}&start_time={ProviderTime.ListTime(from)}&end_time={ProviderTime.ListTime(to)}" +
                    $"&page_no={pageNo.ToString(CultureInfo.InvariantCulture)}&page_size={pageSize.ToString(CultureInfo.InvariantCulture)}";
        using var request = Api(HttpMethod.Get, query);
        return TaskListPage.Read(await SendAsync(request, "list recent tasks", cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Step 1 of a temporary upload: <c>GET /uploads?action=getPolicy&amp;model=…</c> [upload]; files are bound to that model.</summary>
    public async Task<UploadPolicy> GetUploadPolicyAsync(string model, CancellationToken cancellationToken)
    {
        using var request = Api(HttpMethod.Get, "uploads?action=getPolicy&model=" + Uri.EscapeDataString(model));
        var root = await SendAsync(request, "get an upload policy", cancellationToken).ConfigureAwait(false);
        return UploadPolicy.Read(root) ?? throw new DashScopeException(CallOutcome.Answered, 200, null, "the provider's upload policy answer lacked policy, signature, upload_dir, upload_host or oss_access_key_id");
    }

    /// <summary>
    /// Step 2: an OSS PostObject form to the policy's upload host [upload], [oss-post] — the policy is the credential, so no
    /// API key goes there — with <c>file</c> as the last field. Returns the <c>oss://</c> URL of the stored file.
    /// </summary>
    public async Task<string> UploadAsync(UploadPolicy policy, string fileName, byte[] bytes, string mediaType, CancellationToken cancellationToken)
    {
        var key = $"{policy.UploadDir}/{fileName}";
        using var form = new MultipartFormDataContent();
        void Field(string name, string value) => form.Add(new StringContent(value), name);
        Field("OSSAccessKeyId", policy.AccessKeyId);
        Field("Signature", policy.Signature);
        Field("policy", policy.Policy);
        Field("key", key);
        Field("x-oss-object-acl", policy.ObjectAcl);
        Field("x-oss-forbid-overwrite", policy.ForbidOverwrite);
        Field("success_action_status", "200");
        Field("x-oss-content-type", mediaType);
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        form.Add(file, "file", fileName);

        using var request = new HttpRequestMessage(HttpMethod.Post, policy.UploadHost) { Content = form };
        using var timeout = Timeout(cancellationToken, _requestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Failure(e, policy.UploadHost.Authority, "upload a reference image", cancellationToken) is { } failure)
        {
            throw failure;
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return "oss://" + key;
            // OSS answers XML: <Error><Code>…</Code><Message>…</Message> [oss-post].
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            var code = Between(text, "<Code>", "</Code>");
            var message = Between(text, "<Message>", "</Message>") ?? $"HTTP {(int)response.StatusCode}";
            throw new DashScopeException(CallOutcome.Answered, (int)response.StatusCode, code, Scrub($"the temporary storage refused the upload: {message}"));
        }
    }

    /// <summary>
    /// Downloads the result video (a signed OSS URL that needs no key [r2v-result]) to <paramref name="path"/>, reporting the
    /// fraction received when the length is known.
    /// </summary>
    public async Task DownloadAsync(Uri url, string path, TimeSpan limit, Action<double> progress, CancellationToken cancellationToken)
    {
        using var timeout = Timeout(cancellationToken, limit);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                throw new DashScopeException(CallOutcome.Answered, (int)response.StatusCode, Between(text, "<Code>", "</Code>"),
                    $"the result video could not be downloaded: HTTP {(int)response.StatusCode} {Between(text, "<Message>", "</Message>")}".TrimEnd());
            }
            var length = response.Content.Headers.ContentLength;
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            long received = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                // A write that fails is this machine's disk, not the network: it leaves as it is (see WriteFailed).
                try { await file.WriteAsync(buffer.AsMemory(0, read), timeout.Token).ConfigureAwait(false); }
                catch (IOException e) { throw new WriteFailed(e); }
                received += read;
                if (length is > 0) progress(Math.Min(1, received / (double)length.Value));
            }
        }
        catch (WriteFailed e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
        }
        catch (Exception e) when (Failure(e, url.Authority, "download the result video", cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Removes the API key from text that came from elsewhere (a provider message, an exception), in case it was echoed.</summary>
    public string Scrub(string text) => text.Contains(_apiKey, StringComparison.Ordinal) ? text.Replace(_apiKey, "***", StringComparison.Ordinal) : text;

    private HttpRequestMessage Api(HttpMethod method, string relative)
    {
        var request = new HttpRequestMessage(method, _apiBase + relative);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        if (_workspace is not null) request.Headers.Add("X-DashScope-WorkSpace", _workspace);
        return request;
    }

    /// <summary>Sends an API call; a 2xx answer's JSON is returned, anything else becomes a <see cref="DashScopeException"/>.</summary>
    private async Task<JsonNode?> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        using var timeout = Timeout(cancellationToken, _requestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            JsonNode? root = null;
            try { root = text.Length > 0 ? JsonNode.Parse(text) : null; }
            catch (JsonException) { }
            if (response.IsSuccessStatusCode) return root;

            // [errors], [bg-gen]: {"request_id","code","message"} beside the HTTP status.
            var code = TaskSnapshot.Text(root?["code"]);
            var message = TaskSnapshot.Text(root?["message"]);
            var status = (int)response.StatusCode;
            var said = message is { Length: > 0 } ? message : $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            throw new DashScopeException(CallOutcome.Answered, status, code, Scrub(said), RetryAfterOf(response, _time));
        }
        catch (Exception e) when (Failure(e, request.RequestUri!.Authority, what, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// A transport failure in the provider's terms: a connection that could not be made means the call never left
    /// (<see cref="CallOutcome.NotSent"/>); a dropped connection or a timeout means it may have been acted on. The
    /// caller's own cancel is not a failure (null: the exception goes on as it is).
    /// </summary>
    private DashScopeException? Failure(Exception e, string host, string what, CancellationToken cancellationToken)
    {
        if (e is DashScopeException) return null;
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) return null;
        return e switch
        {
            OperationCanceledException => new DashScopeException(CallOutcome.NoAnswer, null, null, $"the provider did not answer within the time allowed to {what}", inner: e),
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } http =>
                new DashScopeException(CallOutcome.NotSent, null, null, Scrub($"could not connect to {host} to {what}: {http.Message}"), inner: e),
            HttpRequestException http => new DashScopeException(CallOutcome.NoAnswer, null, null, Scrub($"the connection to {host} failed while trying to {what}: {http.Message}"), inner: e),
            IOException io => new DashScopeException(CallOutcome.NoAnswer, null, null, Scrub($"the connection to {host} failed while trying to {what}: {io.Message}"), inner: e),
            _ => null,
        };
    }

    private static CancellationTokenSource Timeout(CancellationToken cancellationToken, TimeSpan limit)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(limit);
        return source;
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero;
        return null;
    }

    /// <summary>Carries a local write failure past the network classification.</summary>
    private sealed class WriteFailed(IOException inner) : Exception(inner.Message, inner);

    private static string? Between(string text, string open, string close)
    {
        var start = text.IndexOf(open, StringComparison.Ordinal);
        if (start < 0) return null;
        start += open.Length;
        var end = text.IndexOf(close, start, StringComparison.Ordinal);
        return end < 0 ? null : WebUtility.HtmlDecode(text[start..end]);
    }

    public void Dispose() => _http.Dispose();
}
