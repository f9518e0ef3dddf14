using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Paddock.Client.Internal;

/// <summary>How one logical call is sent: its per-try timeout, whether it may be retried, and how much of the answer to wait for.</summary>
internal readonly record struct CallSettings(TimeSpan Timeout, bool Retry = true, bool Stream = false, bool AcceptRangeNotSatisfiable = false);

/// <summary>
/// Sends requests for a <see cref="PaddockClient"/>: authentication (only to the server's own origin), User-Agent,
/// per-try timeouts, and retries with exponential backoff that honor <c>Retry-After</c>. A request is rebuilt for
/// each try by the caller's factory, so headers like <c>Idempotency-Key</c> are whatever the factory captured.
/// </summary>
internal sealed class PaddockPipeline
{
    // No automatic decompression: byte ranges of resumed downloads must be ranges of the bytes on the wire.
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    });

    private readonly HttpClient _http;
    private readonly string _apiKey;
    private readonly string _userAgent;

    public PaddockPipeline(Uri endpoint, string apiKey, PaddockClientOptions options, HttpClient? httpClient)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        if (!endpoint.IsAbsoluteUri) throw new ArgumentException("The endpoint must be an absolute URI, e.g. http://localhost:5080.", nameof(endpoint));
        var text = endpoint.GetLeftPart(UriPartial.Path);
        Endpoint = new Uri(text.EndsWith('/') ? text : text + "/");
        _apiKey = apiKey;
        Options = options;
        _http = httpClient
            ?? options.HttpClient
            ?? (options.Transport is { } transport
                ? new HttpClient(transport, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan }
                : SharedClient.Value);
        _userAgent = BuildUserAgent(options.UserAgent);
    }

    /// <summary>The server's base address, always ending in a slash.</summary>
    public Uri Endpoint { get; }

    public PaddockClientOptions Options { get; }

    public Uri Resolve(string relative, IEnumerable<KeyValuePair<string, string?>>? query = null)
    {
        var builder = new StringBuilder(relative);
        var first = !relative.Contains('?', StringComparison.Ordinal);
        foreach (var (name, value) in query ?? [])
        {
            if (value is null) continue;
            builder.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return new Uri(Endpoint, builder.ToString());
    }

    /// <summary>Whether a URL belongs to the server itself, so it may receive the API key.</summary>
    public bool IsOwnOrigin(Uri uri) =>
        Uri.Compare(uri, Endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>
    /// Sends the request (a fresh one per try) and returns a successful answer, retrying transient failures.
    /// Throws <see cref="PaddockException"/> for an error answer or when the tries are used up;
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> was cancelled.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> createRequest, CallSettings settings, CancellationToken cancellationToken)
    {
        var retry = Options.Retry;
        var maxRetries = settings.Retry ? Math.Max(0, retry.MaxRetries) : 0;
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PaddockException failure;
            TimeSpan? retryAfter = null;
            var transient = false;
            using (var request = createRequest())
            {
                Prepare(request);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (settings.Timeout != System.Threading.Timeout.InfiniteTimeSpan && settings.Timeout > TimeSpan.Zero) timeout.CancelAfter(settings.Timeout);
                HttpResponseMessage? response = null;
                try
                {
                    response = await _http.SendAsync(request, settings.Stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode || (settings.AcceptRangeNotSatisfiable && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)) return response;

                    var body = await ReadBodyAsync(response, timeout.Token).ConfigureAwait(false);
                    retryAfter = RetryAfterOf(response);
                    failure = PaddockException.FromResponse(response.StatusCode, response.ReasonPhrase, body, retryAfter);
                    transient = IsTransient(response.StatusCode, failure.ErrorType);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    response?.Dispose();
                    throw;
                }
                catch (OperationCanceledException e)
                {
                    response?.Dispose();
                    failure = new PaddockException($"{request.Method} {Describe(request.RequestUri)} timed out after {settings.Timeout.TotalSeconds:0.#} s",
                        new TimeoutException(e.Message, e));
                    transient = true;
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    response?.Dispose();
                    failure = new PaddockException($"{request.Method} {Describe(request.RequestUri)} failed: {e.Message}", e);
                    transient = true;
                }
                response?.Dispose();
            }

            if (!transient || attempt >= maxRetries) throw failure;
            await Task.Delay(DelayBefore(attempt + 1, retryAfter), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The pause before retry number <paramref name="retry"/> (1-based).</summary>
    public TimeSpan DelayBefore(int retry, TimeSpan? retryAfter = null)
    {
        var options = Options.Retry;
        if (retryAfter is { } asked) return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > options.MaxDelay ? options.MaxDelay : asked;
        var exponent = Math.Min(retry - 1, 16);
        var ms = options.Delay.TotalMilliseconds * Math.Pow(2, exponent) * (0.8 + Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(ms, options.MaxDelay.TotalMilliseconds));
    }

    internal static bool IsTransient(HttpStatusCode status, string? errorType) => (int)status switch
    {
        408 or 425 or 429 => true,
        // A render that failed fails again; a 501/505 is a fact about the server, not a hiccup.
        500 => errorType is not ("generation_failed" or "cancelled"),
        501 or 505 => false,
        >= 500 => true,
        _ => false,
    };

    /// <summary>True for failures worth trying again later: no answer at all, a timeout, 408, 429 or most 5xx.</summary>
    internal static bool IsTransient(PaddockException e) =>
        e.Status == 0 ? e.InnerException is HttpRequestException or IOException or TimeoutException : IsTransient((HttpStatusCode)e.Status, e.ErrorType);

    private void Prepare(HttpRequestMessage request)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri && IsOwnOrigin(uri) && request.Headers.Authorization is null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
    }

    private static async Task<string?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
            return TimeSpan.FromMilliseconds(millis);
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta) return delta;
            if (retryAfter.Date is { } date) return date - DateTimeOffset.UtcNow;
        }
        return null;
    }

    private static string Describe(Uri? uri) => uri is null ? "" : uri.GetLeftPart(UriPartial.Path);

    private static string BuildUserAgent(string? application)
    {
        var assembly = typeof(PaddockPipeline).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0) version = version[..plus];
        var sdk = $"Paddock.Client/{version} ({RuntimeInformation.FrameworkDescription}; {RuntimeInformation.OSDescription})";
        sdk = new string(sdk.Where(c => c >= 0x20 && c < 0x7F).ToArray());
        return string.IsNullOrWhiteSpace(application) ? sdk : $"{application.Trim()} {sdk}";
    }
}
