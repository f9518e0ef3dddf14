using System.Net.Http.Headers;
using System.Text;
using Paddock.Client.Internal;

namespace Paddock.Client;

/// <summary>
/// The client of a Paddock server, or of any server with the same HTTP API (the hosted one included): models,
/// synchronous and queued generation, the event stream and file hosting. Thread-safe; create one per server and key
/// and share it.
/// </summary>
/// <example>
/// <code>
/// var client = new PaddockClient(new Uri("http://localhost:5080"), apiKey);
/// var request = new HappyHorseR2VRequest("Image 1 walks through a garden") { Resolution = "720P", Duration = 5 };
/// request.ReferenceImages.Add("https://example.com/cat.png");
/// var operation = (await client.EnqueueAsync(request))[0];
/// await operation.WaitForCompletionAsync(new Progress&lt;GenerationProgress&gt;(p => Console.WriteLine($"{p.Phase} {p.Percent}%")));
/// await operation.DownloadVideoAsync("out.mp4");
/// </code>
/// </example>
public sealed partial class PaddockClient
{
    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddPaddockClient</c> registers with <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "Paddock.Client";

    private readonly PaddockPipeline _pipeline;

    /// <summary>Creates a client with default options.</summary>
    /// <param name="endpoint">The server's base address, e.g. <c>http://localhost:5080</c>.</param>
    /// <param name="apiKey">The API key, sent as <c>Authorization: Bearer</c> to this server only.</param>
    public PaddockClient(Uri endpoint, string apiKey) : this(endpoint, apiKey, new PaddockClientOptions()) { }

    /// <summary>Creates a client.</summary>
    /// <param name="endpoint">The server's base address, e.g. <c>http://localhost:5080</c>.</param>
    /// <param name="apiKey">The API key, sent as <c>Authorization: Bearer</c> to this server only.</param>
    /// <param name="options">Transport, retries and timeouts; copied, so later changes do not affect this client.</param>
    public PaddockClient(Uri endpoint, string apiKey, PaddockClientOptions options) : this(endpoint, apiKey, options, httpClient: null) { }

    internal PaddockClient(Uri endpoint, string apiKey, PaddockClientOptions options, HttpClient? httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pipeline = new PaddockPipeline(endpoint, apiKey, options.Snapshot(), httpClient);
    }

    /// <summary>The server's base address.</summary>
    public Uri Endpoint => _pipeline.Endpoint;

    internal PaddockClientOptions Options => _pipeline.Options;

    internal PaddockPipeline Pipeline => _pipeline;

    /// <summary>A new idempotency key: what a call that creates generations sends when the caller gives none.</summary>
    /// <returns>A random UUID string.</returns>
    public static string CreateIdempotencyKey() => Guid.NewGuid().ToString();

    private CallSettings Ordinary => new(Options.NetworkTimeout);

    private static HttpRequestMessage Get(Uri uri) => new(HttpMethod.Get, uri);

    private static HttpRequestMessage PostJson(Uri uri, string json, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return request;
    }

    private static string Segment(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        return Uri.EscapeDataString(value);
    }

    private static void CheckIdempotencyKey(string? key)
    {
        if (key is null) return;
        if (key.Length is 0 or > 255 || key.Any(c => c < 0x21 || c > 0x7E))
            throw new ArgumentException("An idempotency key is 1-255 printable ASCII characters without spaces.", nameof(key));
    }
}
