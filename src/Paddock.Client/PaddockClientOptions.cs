namespace Paddock.Client;

/// <summary>Settings of a <see cref="PaddockClient"/>: transport, retries, timeouts and how generations are awaited.</summary>
public sealed class PaddockClientOptions
{
    /// <summary>
    /// The server's base address, e.g. <c>http://localhost:5080</c> or <c>https://hub.oxen.ai</c>. Read only by
    /// <c>AddPaddockClient</c>; the <see cref="PaddockClient"/> constructors take the endpoint as a parameter.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The API key sent as <c>Authorization: Bearer</c>. Read only by <c>AddPaddockClient</c>; the
    /// <see cref="PaddockClient"/> constructors take the key as a parameter.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The <see cref="System.Net.Http.HttpClient"/> to send requests with. Its <see cref="HttpClient.Timeout"/> applies on
    /// top of <see cref="NetworkTimeout"/>, so give it <see cref="Timeout.InfiniteTimeSpan"/> for synchronous generation and
    /// event streams. When neither this nor <see cref="Transport"/> is set, a shared client is used.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>A handler to send requests through (e.g. a proxy or test handler); ignored when <see cref="HttpClient"/> is set. The client does not dispose it.</summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>When and how failed requests are retried.</summary>
    public PaddockRetryOptions Retry { get; } = new();

    /// <summary>
    /// Prepended to the <c>User-Agent</c> header (for example <c>my-app/1.2</c>), ahead of
    /// <c>Paddock.Client/&lt;version&gt;</c>.
    /// </summary>
    public string? UserAgent { get; set; }

    /// <summary>How long one try of an ordinary request may take, response body included. Default 100 seconds.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How long one try of a synchronous <see cref="PaddockClient.GenerateAsync(VideoGenerationRequest, string?, CancellationToken)"/> may
    /// take: the server answers only when the video exists. Default 30 minutes.
    /// </summary>
    public TimeSpan GenerateTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often <see cref="GenerationOperation.WaitForCompletionAsync(IProgress{GenerationProgress}?, CancellationToken)"/> polls when the event stream is unavailable. Default 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// While waiting on the event stream, how long it may go without an event about the awaited generation before the
    /// client polls the generation once to be sure. Default 15 seconds.
    /// </summary>
    public TimeSpan EventQuietInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an event stream may stay completely silent (no event and no keep-alive comment) before it is
    /// considered dead and reopened. Default 60 seconds (the server sends a keep-alive every 15).
    /// </summary>
    public TimeSpan EventIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The pause before reopening an event stream that ended or broke. When null (the default), the server's
    /// <c>retry:</c> field is honored, or 1 second if it sent none.
    /// </summary>
    public TimeSpan? EventReconnectDelay { get; set; }

    /// <summary>Whether <see cref="GenerationOperation.WaitForCompletionAsync(IProgress{GenerationProgress}?, CancellationToken)"/> follows <c>/api/events</c>; when false it only polls. Default true.</summary>
    public bool UseEventStream { get; set; } = true;

    internal PaddockClientOptions Snapshot()
    {
        var copy = new PaddockClientOptions
        {
            Endpoint = Endpoint,
            ApiKey = ApiKey,
            HttpClient = HttpClient,
            Transport = Transport,
            UserAgent = UserAgent,
            NetworkTimeout = NetworkTimeout,
            GenerateTimeout = GenerateTimeout,
            PollInterval = PollInterval,
            EventQuietInterval = EventQuietInterval,
            EventIdleTimeout = EventIdleTimeout,
            EventReconnectDelay = EventReconnectDelay,
            UseEventStream = UseEventStream,
        };
        copy.Retry.MaxRetries = Retry.MaxRetries;
        copy.Retry.Delay = Retry.Delay;
        copy.Retry.MaxDelay = Retry.MaxDelay;
        return copy;
    }
}

/// <summary>
/// Retries of failed requests: connection failures, timeouts, HTTP 408, 429 and 5xx. The pause doubles from
/// <see cref="Delay"/> (with jitter) up to <see cref="MaxDelay"/>, and a server's <c>Retry-After</c> wins when present.
/// Requests that create generations carry one <c>Idempotency-Key</c> across all their tries.
/// </summary>
public sealed class PaddockRetryOptions
{
    /// <summary>Retries after the first try; 0 turns retrying off. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The pause before the first retry; each further retry doubles it. Default 0.8 seconds.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>The longest pause between tries, <c>Retry-After</c> included. Default 60 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);
}
