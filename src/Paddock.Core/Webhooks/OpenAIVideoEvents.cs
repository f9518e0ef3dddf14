using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Paddock.Core.Generations;

namespace Paddock.Core.Webhooks;

/// <summary>
/// The OpenAI face's completion events (<c>/v1/videos</c>), for receivers written against OpenAI's webhooks: an endpoint
/// that subscribes to <c>video.completed</c> and/or <c>video.failed</c> gets these instead of Paddock's events.
/// <list type="bullet">
/// <item>The names: openai-python <c>src/openai/types/webhooks/webhook_create_params.py</c>, whose <c>event_types</c>
/// lists <c>"video.completed"</c> and <c>"video.failed"</c> beside <c>response.*</c>, <c>batch.*</c>, ….</item>
/// <item>The shape, which every event of OpenAI's webhook reference shares (developers.openai.com, API reference "Webhook
/// Events"; openai-node 6.49.0 <c>src/resources/webhooks/webhooks.ts</c>, e.g. <c>ResponseCompletedWebhookEvent</c>):
/// <c>id</c> "the unique ID of the event", <c>object</c> "always <c>event</c>", <c>created_at</c> "the Unix timestamp
/// (in seconds) of when" the thing completed or failed, <c>type</c>, and <c>data</c> {<c>id</c>: the ID of the object
/// the event is about — here the video, as <c>GET /v1/videos/{id}</c> takes it}. openai-node 6.49.0's
/// <c>UnwrapWebhookEvent</c> union predates the video events; its <c>unwrap</c> verifies the signature and parses any event.</item>
/// <item>The signature: OpenAI's webhooks follow Standard Webhooks (developers.openai.com, guide "Webhooks": headers
/// <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>), so deliveries are signed as every other.</item>
/// </list>
/// Which event a generation's end is follows the face's status mapping (<see cref="VideoStatus"/>): a success is
/// <c>video.completed</c>; a failure and a cancel are <c>video.failed</c>, as the video object shows them.
/// </summary>
public sealed class OpenAIVideoEvents : IWebhookPayloadBuilder
{
    public const string Completed = "video.completed";
    public const string Failed = "video.failed";

    /// <summary>The names an endpoint may subscribe to on this face.</summary>
    public static IReadOnlyList<string> Names { get; } = [Completed, Failed];

    public IReadOnlyList<string> EventTypes => Names;

    /// <summary>Paddock's five statuses onto the video object's four (openai-node <c>interface Video</c>, <c>status</c>): a cancelled generation is a failed video.</summary>
    public static string VideoStatus(GenerationStatus status) => status switch
    {
        GenerationStatus.Queued => "queued",
        GenerationStatus.Processing => "in_progress",
        GenerationStatus.Succeeded => "completed",
        _ => "failed",
    };

    /// <summary>This face's name for a stored terminal event of status <paramref name="status"/> (the event data's); null when the status is not a terminal one.</summary>
    public static string? NameOf(string? status) =>
        GenerationStatusNames.TryParse(status, out var s) && s.IsTerminal() ? "video." + VideoStatus(s) : null;

    /// <summary><c>{"id","object","created_at","type","data":{"id"}}</c>: the event id is the same for every receiver of one event.</summary>
    public string Body(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", EventId(delivery.EventSequence));
            writer.WriteString("object", "event");
            writer.WriteNumber("created_at", delivery.EventAt.ToUnixTimeSeconds());
            writer.WriteString("type", delivery.EventType);
            writer.WriteStartObject("data");
            writer.WriteString("id", delivery.GenerationId.ToString());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>An event id in OpenAI's form (<c>evt_</c> + hex), a function of the event log's sequence.</summary>
    public static string EventId(long eventSequence) =>
        "evt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"event\n{eventSequence}")))[..32];
}
