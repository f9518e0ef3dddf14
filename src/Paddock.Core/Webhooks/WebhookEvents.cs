using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Paddock.Core.Events;

namespace Paddock.Core.Webhooks;

/// <summary>
/// Which events an endpoint may ask for, by the API's event names: the event stream's <c>media_generation_completed</c>
/// (success and failure, as the seed API has it) and <c>media_generation_cancelled</c>, and the two halves of completed
/// for a receiver that wants only one: <c>media_generation_succeeded</c>, <c>media_generation_failed</c>; or the OpenAI
/// face's <c>video.completed</c> and <c>video.failed</c> (<see cref="OpenAIVideoEvents"/>). An endpoint takes the names of
/// one face, so its receiver parses one shape (and an event is one delivery per endpoint).
/// </summary>
public static class WebhookEvents
{
    public const string Succeeded = "media_generation_succeeded";
    public const string Failed = "media_generation_failed";

    /// <summary>Paddock's own names, as its event stream has them.</summary>
    public static IReadOnlyList<string> PaddockNames { get; } = [EventTypes.Completed, Succeeded, Failed, EventTypes.Cancelled];

    /// <summary>Every name an endpoint may subscribe to, in the order help text lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. PaddockNames, .. OpenAIVideoEvents.Names];

    /// <summary>What an endpoint created without a list gets: every terminal event.</summary>
    public static IReadOnlyList<string> Default { get; } = [EventTypes.Completed, EventTypes.Cancelled];

    /// <summary>Whether a stored event is one that webhooks carry (a generation ended).</summary>
    public static bool IsTerminal(string eventType) => eventType is EventTypes.Completed or EventTypes.Cancelled;

    /// <summary>Whether an endpoint subscribed to <paramref name="subscribed"/> wants the event.</summary>
    public static bool Wants(IReadOnlyList<string> subscribed, string eventType, string data) => DeliveredAs(subscribed, eventType, data) is not null;

    /// <summary>
    /// The event name a delivery of the stored event carries to an endpoint subscribed to <paramref name="subscribed"/>:
    /// the stored name on Paddock's face, the OpenAI face's name (<c>video.completed</c>, <c>video.failed</c>) on that one;
    /// null when the endpoint does not want the event.
    /// </summary>
    public static string? DeliveredAs(IReadOnlyList<string> subscribed, string eventType, string data)
    {
        ArgumentNullException.ThrowIfNull(subscribed);
        if (!IsTerminal(eventType)) return null;
        var status = StatusOf(data);
        if (OpenAIVideoEvents.NameOf(status) is { } video && subscribed.Contains(video)) return video;
        if (subscribed.Contains(eventType)) return eventType;
        if (eventType != EventTypes.Completed) return null;
        return (status == "succeeded" && subscribed.Contains(Succeeded)) || (status == "failed" && subscribed.Contains(Failed)) ? eventType : null;
    }

    /// <summary>Why a list of event names cannot be one endpoint's (it mixes the two faces); null when it can.</summary>
    public static string? MixProblem(IReadOnlyList<string> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Any(OpenAIVideoEvents.Names.Contains) && events.Any(PaddockNames.Contains)
            ? $"events: mixes the OpenAI face's events ({string.Join(", ", OpenAIVideoEvents.Names)}) with Paddock's ({string.Join(", ", PaddockNames)}); an endpoint's receiver gets one shape of body, so create one endpoint for each"
            : null;
    }

    /// <summary>The deliveries an event makes, for the endpoints of its namespace and the generation's own URL (when it has one).</summary>
    public static IEnumerable<WebhookDelivery> DeliveriesFor(StoredEvent e, IEnumerable<WebhookEndpoint> endpoints, string? generationUrl, TimeSpan retryFor)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!IsTerminal(e.Type) || GenerationEvents.GenerationIdOf(e) is not { } generation) yield break;
        foreach (var endpoint in endpoints)
        {
            // An endpoint made after the event did not ask for it (the deriving loop may run behind the log).
            if (endpoint.Url is null || endpoint.Namespace != e.Namespace || endpoint.CreatedAt > e.CreatedAt) continue;
            if (DeliveredAs(endpoint.Events, e.Type, e.Data) is { } name) yield return New(e, generation, endpoint.Id, endpoint.Url, name, retryFor);
        }
        if (generationUrl is not null) yield return New(e, generation, WebhookEndpoint.RequestSigner, generationUrl, e.Type, retryFor);
    }

    /// <summary>
    /// The message id of the event's delivery to one receiver: a function of both, so deriving twice gives the same id
    /// (and the same <c>webhook-id</c> for receivers that deduplicate).
    /// </summary>
    public static string MessageId(long eventSequence, string endpointId) =>
        "msg_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{eventSequence}\n{endpointId}")))[..26];

    private static WebhookDelivery New(StoredEvent e, Guid generation, string endpointId, string url, string eventType, TimeSpan retryFor) => new(
        MessageId(e.Sequence, endpointId), e.Namespace, endpointId, url, generation, e.Sequence, eventType, e.Data, e.CreatedAt,
        WebhookDeliveryStatus.Pending, Attempts: 0, NextAttemptAt: e.CreatedAt, RetryUntil: e.CreatedAt + retryFor,
        LastAttemptAt: null, ResponseCode: null, LastError: null, DeliveredAt: null);

    private static string? StatusOf(string data)
    {
        using var doc = JsonDocument.Parse(data);
        return doc.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
    }
}
