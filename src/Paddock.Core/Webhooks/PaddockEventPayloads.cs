using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Paddock.Core.Events;

namespace Paddock.Core.Webhooks;

/// <summary>
/// Paddock's own face: <c>{"type","timestamp","data"}</c>, where <c>data</c> is the event as the event stream carries it
/// (with a freshly signed <c>url</c> on a success).
/// </summary>
public sealed class PaddockEventPayloads(IWebhookOutputLinks links) : IWebhookPayloadBuilder
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public IReadOnlyList<string> EventTypes { get; } = [Events.EventTypes.Completed, Events.EventTypes.Cancelled];

    public string Body(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var data = delivery.Data;
        if (delivery.EventType == Events.EventTypes.Completed && data.Contains("\"status\":\"succeeded\"", StringComparison.Ordinal)
            && links.OutputUrl(delivery.Namespace, delivery.GenerationId) is { } url)
            data = GenerationEvents.WithUrl(data, url);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", delivery.EventType);
            writer.WriteString("timestamp", delivery.EventAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WritePropertyName("data");
            writer.WriteRawValue(data, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
