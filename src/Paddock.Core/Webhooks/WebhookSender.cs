using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Paddock.Core.Events;

namespace Paddock.Core.Webhooks;

/// <summary>
/// Sends one attempt of a delivery: the Standard Webhooks headers and a JSON body
/// <c>{"type","timestamp","data"}</c>, where <c>data</c> is the event as the event stream carries it (with a freshly
/// signed <c>url</c> on a success). 2xx delivers; anything else, or no answer, is retried. Redirects are not followed
/// (a receiver is one fixed URL), and every connection passes the network policy.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly HttpClient _http;
    private readonly IWebhookOutputLinks _links;
    private readonly TimeProvider _time;

    public WebhookSender(WebhookOptions options, WebhookReceivers receivers, IWebhookOutputLinks links, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(receivers);
        _links = links;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = receivers.ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = options.Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Paddock/1.0 (webhooks)");
    }

    /// <summary>The body of an attempt.</summary>
    public string Body(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var data = delivery.Data;
        if (delivery.EventType == EventTypes.Completed && data.Contains("\"status\":\"succeeded\"", StringComparison.Ordinal)
            && _links.OutputUrl(delivery.Namespace, delivery.GenerationId) is { } url)
            data = GenerationEvents.WithUrl(data, url);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", delivery.EventType);
            writer.WriteString("timestamp", delivery.EventAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WritePropertyName("data");
            writer.WriteRawValue(data, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>One attempt; never throws for the receiver's faults (they are the outcome).</summary>
    /// <returns>The status code (null when no answer came) and what went wrong (null on a 2xx).</returns>
    public async Task<(int? ResponseCode, string? Error)> SendAsync(WebhookDelivery delivery, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var body = Body(delivery);
        var now = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(StandardWebhooks.IdHeader, delivery.Id);
        request.Headers.TryAddWithoutValidation(StandardWebhooks.TimestampHeader, StandardWebhooks.Timestamp(now));
        request.Headers.TryAddWithoutValidation(StandardWebhooks.SignatureHeader, StandardWebhooks.Signature(secrets, delivery.Id, now, body));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return (code, code is >= 200 and < 300 ? null : $"the receiver answered {code} {response.ReasonPhrase}".TrimEnd());
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookRefusedException refused)
        {
            return (null, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return (null, $"no answer: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "no answer within Paddock:Webhooks:Timeout");
        }
    }

    public void Dispose() => _http.Dispose();
}
