using System.Net.Http.Headers;
using System.Text;

namespace Paddock.Core.Webhooks;

/// <summary>
/// Sends one attempt of a delivery: the Standard Webhooks headers and a JSON body in the shape of the face whose event
/// the endpoint subscribed to (<see cref="IWebhookPayloadBuilder"/>: Paddock's <see cref="PaddockEventPayloads"/>, the
/// OpenAI face's <see cref="OpenAIVideoEvents"/>). 2xx delivers; anything else, or no answer, is retried. Redirects are
/// not followed (a receiver is one fixed URL), and every connection passes the network policy.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly Dictionary<string, IWebhookPayloadBuilder> _builders = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public WebhookSender(WebhookOptions options, WebhookReceivers receivers, IEnumerable<IWebhookPayloadBuilder> builders, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(receivers);
        ArgumentNullException.ThrowIfNull(builders);
        foreach (var builder in builders)
            foreach (var type in builder.EventTypes)
                _builders.Add(type, builder);
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

    /// <summary>The body of an attempt, by the builder of the delivery's event name; null when no builder writes that name.</summary>
    public string? Body(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return _builders.TryGetValue(delivery.EventType, out var builder) ? builder.Body(delivery) : null;
    }

    /// <summary>One attempt; never throws for the receiver's faults (they are the outcome).</summary>
    /// <returns>The status code (null when no answer came) and what went wrong (null on a 2xx).</returns>
    public async Task<(int? ResponseCode, string? Error)> SendAsync(WebhookDelivery delivery, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        // A name no builder writes (a delivery derived by a newer version, read by an older one) waits for a process that can.
        if (Body(delivery) is not { } body) return (null, $"this process cannot write a '{delivery.EventType}' event (a newer Paddock can)");
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
