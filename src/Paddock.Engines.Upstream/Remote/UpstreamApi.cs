using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Client;
using Paddock.Core.Engines;

namespace Paddock.Engines.Upstream.Remote;

/// <summary>
/// The upstream's API as this engine uses it, spoken through Paddock.Client (the project's SDK for exactly this wire
/// contract: the error envelope, SSE with <c>Last-Event-ID</c>, resumable downloads). Only routes of the original page's
/// API are required — enqueue, read a row, the event stream, cancel, model detail, file upload; <c>GET /api/whoami</c>
/// (a Paddock route) is used only when no namespace is configured. Every refusal comes back as a typed failure whose
/// message never holds the key.
/// </summary>
internal sealed class UpstreamApi
{
    /// <summary>Retries passing failures (reads, uploads, downloads, cancels: each safe to repeat).</summary>
    private readonly PaddockClient _client;

    /// <summary>
    /// No retries: the create call (a throttled or failed one is retried by the orchestrator with backoff, resuming
    /// from the checkpoint) and health checks (the monitor bounds each check and checks again soon).
    /// </summary>
    private readonly PaddockClient _once;

    private readonly string _key;
    private readonly string _section;

    public UpstreamApi(Uri baseUrl, string key, UpstreamOptions options, string section, HttpMessageHandler? transport = null)
    {
        _key = key;
        _section = section;
        Host = baseUrl.GetLeftPart(UriPartial.Authority);
        KeySetting = $"the environment variable {options.ApiKeyVariable} ({section}:ApiKeyVariable)";
        _client = new PaddockClient(baseUrl, key, Options(options, retries: 3, transport));
        _once = new PaddockClient(baseUrl, key, Options(options, retries: 0, transport));
    }

    /// <summary>The upstream's scheme, host and port, for messages.</summary>
    public string Host { get; }

    /// <summary>How messages name the key: the environment variable and the setting that names it (never the value).</summary>
    public string KeySetting { get; }

    /// <summary>The full name of one of this backend's settings, for messages that say what to change.</summary>
    public string Setting(string name) => $"{_section}:{name}";

    private static PaddockClientOptions Options(UpstreamOptions options, int retries, HttpMessageHandler? transport)
    {
        var o = new PaddockClientOptions
        {
            NetworkTimeout = options.RequestTimeout,
            UserAgent = "Paddock-upstream-engine/1",
            Transport = transport,
            // The engine reconnects the stream itself, with the last event id, and polls while it is down.
            EventReconnectDelay = TimeSpan.FromSeconds(1),
        };
        o.Retry.MaxRetries = retries;
        o.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        return o;
    }

    /// <summary>Queues one generation of <paramref name="model"/> (the upstream's id for <paramref name="localModel"/>) under an idempotency key; returns the upstream's generation id.</summary>
    public async Task<string> EnqueueAsync(string localModel, string model, JsonObject fields, string idempotencyKey, CancellationToken cancellationToken)
    {
        IReadOnlyList<GenerationOperation> created;
        try
        {
            created = await _once.EnqueueAsync(new GenerationRequest(model, fields), idempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw e.Status switch
            {
                // The upstream's own words name the field (e.g. "reference_images[1]: ..."): the user fixes the request.
                400 => new EngineFailureException(FailureKind.InvalidInput, Redact(e.Detail ?? e.Message), e.ErrorType, inner: e),
                404 => new EngineFailureException(FailureKind.EngineError,
                    $"{Host} does not offer the model '{model}' ({Redact(e.Detail ?? e.Message)}); set {Setting("Models")}:{localModel} to the upstream's id for it", e.ErrorType, inner: e),
                409 => new EngineFailureException(FailureKind.EngineError,
                    $"{Host} refused the submission: {Redact(e.Detail ?? e.Message)} (the request changed between two attempts of one generation, e.g. a setting of {_section} changed meanwhile)", e.ErrorType, inner: e),
                _ => Failure(e, "submitting the generation"),
            };
        }
        return created[0].Id;
    }

    /// <summary>
    /// The upstream's row of a generation, or null when it does not know the id (anymore). <paramref name="retry"/>:
    /// whether passing failures are tried again here (not for the follower's polls, which come again anyway).
    /// </summary>
    public async Task<Generation?> FindAsync(string id, CancellationToken cancellationToken, bool retry = true)
    {
        try
        {
            return await (retry ? _client : _once).GetGenerationAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (PaddockException e) when (e.Status == 404 && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(e, $"reading generation {id}");
        }
    }

    /// <summary>The namespace's event stream from <paramref name="lastEventId"/> on (or from now); see <see cref="PaddockClient.StreamEventsAsync(long?, CancellationToken)"/>.</summary>
    public IAsyncEnumerable<PaddockEvent> EventsAsync(long? lastEventId, CancellationToken cancellationToken) =>
        _client.StreamEventsAsync(lastEventId, cancellationToken);

    /// <summary>Cancels a generation there; false when the upstream does not know it (nothing to cancel).</summary>
    public async Task<bool> CancelAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CancelGenerationAsync(id, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PaddockException e) when (e.Status == 404 && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(e, $"cancelling generation {id}");
        }
    }

    /// <summary>Uploads bytes to a file route and returns the file's route URL (what the original page passes as a reference).</summary>
    public async Task<Uri> UploadAsync(string ns, string repo, string branch, string path, byte[] bytes, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(bytes, writable: false);
        FileUploadResult result;
        try
        {
            result = await _client.UploadFileAsync(ns, repo, branch, path, content, "Reference image of a Paddock generation", cancellationToken).ConfigureAwait(false);
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw e.Status switch
            {
                400 or 404 or 409 or 413 => new EngineFailureException(FailureKind.EngineError,
                    $"{Host} refused the upload of a reference image to {ns}/{repo}: {Redact(e.Detail ?? e.Message)}; check {Setting("UploadRepository")}", e.ErrorType, inner: e),
                403 => new EngineFailureException(FailureKind.EngineError,
                    $"{Host} does not let the key in {KeySetting} write to {ns}/{repo} (HTTP 403); set {Setting("UploadRepository")} to a repository of the key's own namespace", e.ErrorType, inner: e),
                _ => Failure(e, "uploading a reference image"),
            };
        }
        // The route URL, so the same bytes always give the same URL and a resumed submission sends the same body. The
        // upstream's own answer wins when it names that route at another address: it knows where it answers (behind a
        // proxy, say), and a Paddock reads its own files from storage only at addresses it knows as its own.
        var route = _client.GetFileUri(ns, repo, branch, path);
        return result.Files.Count > 0 && result.Files[0].Url is { IsAbsoluteUri: true, Query: "" } said && said.AbsolutePath == route.AbsolutePath ? said : route;
    }

    /// <summary>The namespace the key belongs to (<c>GET /api/whoami</c>, a Paddock route), or null when the upstream does not say.</summary>
    public async Task<string?> WhoAmIAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        try
        {
            await _client.DownloadAsync(new Uri("api/whoami", UriKind.Relative), body, cancellationToken).ConfigureAwait(false);
        }
        catch (PaddockException e) when (e.Status is 404 or 405 && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(e, "asking which namespace the key belongs to");
        }
        try
        {
            using var json = JsonDocument.Parse(body.ToArray());
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("namespace", out var ns)
                && ns.ValueKind == JsonValueKind.String && ns.GetString() is { Length: > 0 } name ? name : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Downloads a result to a file, resuming with <c>Range</c> when the connection breaks.</summary>
    public Task<long> DownloadAsync(Uri url, string path, CancellationToken cancellationToken) =>
        _client.DownloadToFileAsync(url, path, cancellationToken);

    /// <summary>Whether the upstream offers a model to this key: no problem, the model is missing there, or another problem (key, connection).</summary>
    public async Task<(bool Missing, string? Problem)> ProblemWithModelAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            await _once.GetModelAsync(model, cancellationToken).ConfigureAwait(false);
            return (false, null);
        }
        catch (PaddockException e) when (e.Status == 404 && !cancellationToken.IsCancellationRequested)
        {
            return (true, $"{Host} has no model '{model}'");
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, Failure(e, $"reading model '{model}'").Message);
        }
    }

    /// <summary>Whether the upstream answers with this key at all (its model list); null when it does.</summary>
    public async Task<string?> ProblemWithServerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _once.ListModelsAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Failure(e, "listing its models").Message;
        }
    }

    /// <summary>
    /// The failure for an answer that is not the call's own business: a refused key, throttling, a server error or no
    /// answer at all. The last three are worth another try later; a refused key is not.
    /// </summary>
    public EngineFailureException Failure(PaddockException e, string doing)
    {
        var detail = Redact(e.Detail ?? e.Message);
        return e.Status switch
        {
            401 or 403 => new EngineFailureException(FailureKind.EngineError,
                $"{Host} refused the key in {KeySetting} (HTTP {e.Status}, {doing}): {detail}; put a valid key of the upstream in that variable", e.ErrorType, inner: e),
            429 => new EngineFailureException(FailureKind.RateLimited,
                $"{Host} is throttling requests ({doing}): {detail}", e.ErrorType, e.RetryAfter, e),
            408 or >= 500 => new EngineFailureException(FailureKind.ProviderUnavailable,
                $"{Host} answered HTTP {e.Status} ({doing}): {detail}", e.ErrorType, e.RetryAfter, e),
            0 => new EngineFailureException(FailureKind.ProviderUnavailable,
                $"{Host} could not be reached ({doing}): {Redact(e.Message)}", null, null, e),
            _ => new EngineFailureException(FailureKind.EngineError,
                $"{Host} refused {doing} (HTTP {e.Status}): {detail}", e.ErrorType, inner: e),
        };
    }

    /// <summary>An upstream's words as they may be shown: should it ever echo the key, the key is blanked out.</summary>
    public string Redact(string text) =>
        _key.Length >= 4 ? text.Replace(_key, "[key]", StringComparison.Ordinal) : text;
}
