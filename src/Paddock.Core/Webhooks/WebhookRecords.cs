namespace Paddock.Core.Webhooks;

/// <summary>
/// A receiver of one namespace's generation events: its URL, the events it wants and the secret its deliveries are
/// signed with (Standard Webhooks). After a rotation the previous secret keeps signing beside the new one until
/// <see cref="PreviousSecretExpiresAt"/>, so a receiver can switch without missing a delivery.
/// </summary>
/// <param name="Url">The receiver; null for the namespace's signer of per-request <c>webhook_url</c> deliveries (<see cref="WebhookEndpoint.RequestSigner"/>).</param>
public sealed record WebhookEndpoint(
    string Id,
    string Namespace,
    string? Url,
    IReadOnlyList<string> Events,
    string Secret,
    string? PreviousSecret,
    DateTimeOffset? PreviousSecretExpiresAt,
    string? Description,
    DateTimeOffset CreatedAt)
{
    /// <summary>The id of each namespace's signer of per-request URLs (one per namespace; never listed as an endpoint).</summary>
    public const string RequestSigner = "wh_requests";

    /// <summary>The secrets that sign a delivery made at <paramref name="now"/>: the current one, and the previous one while it still counts.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is not null && PreviousSecretExpiresAt > now ? [Secret, PreviousSecret] : [Secret];

    /// <summary>Equality by value, the event list included (records compare lists by reference).</summary>
    public bool SameAs(WebhookEndpoint other) =>
        other is not null && this with { Events = [] } == other with { Events = [] } && Events.SequenceEqual(other.Events);
}

/// <summary>Where a delivery stands.</summary>
public enum WebhookDeliveryStatus
{
    /// <summary>Not delivered yet: due at <see cref="WebhookDelivery.NextAttemptAt"/> (first try, or a retry).</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Retries ran out (<see cref="WebhookDelivery.RetryUntil"/> passed) without a 2xx; a redelivery tries again.</summary>
    Failed,
}

/// <summary>
/// One event for one receiver, derived from the durable event log (so it exists as surely as the event does), and the
/// record of its attempts.
/// </summary>
/// <param name="Id">The message id: the <c>webhook-id</c> header, the same on every attempt and redelivery (receivers deduplicate by it).</param>
/// <param name="EndpointId">The endpoint, or <see cref="WebhookEndpoint.RequestSigner"/> for a request's own <c>webhook_url</c>.</param>
/// <param name="EventSequence">The event log's sequence of the event this delivers.</param>
/// <param name="EventType">The event's name as its receiver gets it: Paddock's (<c>media_generation_completed</c>, <c>media_generation_cancelled</c>) or the OpenAI face's (<c>video.completed</c>, <c>video.failed</c>), whichever the endpoint subscribed to.</param>
/// <param name="Data">The event's data, as the event stream carries it (the output URL is added, freshly signed, at each attempt).</param>
/// <param name="Attempts">Attempts made so far (every try, redeliveries included).</param>
/// <param name="ResponseCode">The HTTP status of the last attempt; null when it got no answer (see <see cref="LastError"/>).</param>
/// <param name="RetryUntil">No retry is scheduled after this (a day after the event, or after a redelivery).</param>
public sealed record WebhookDelivery(
    string Id,
    string Namespace,
    string EndpointId,
    string Url,
    Guid GenerationId,
    long EventSequence,
    string EventType,
    string Data,
    DateTimeOffset EventAt,
    WebhookDeliveryStatus Status,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset RetryUntil,
    DateTimeOffset? LastAttemptAt,
    int? ResponseCode,
    string? LastError,
    DateTimeOffset? DeliveredAt,
    string? LeaseOwner = null,
    DateTimeOffset? LeaseExpiresAt = null);

/// <summary>How one attempt ended, as the sender saw it.</summary>
/// <param name="ResponseCode">The receiver's HTTP status, or null when none came (refused, timed out, policy).</param>
/// <param name="Error">What went wrong, for the log (null on success).</param>
/// <param name="NextAttemptAt">When to try again; null when this attempt delivered it or retries are over.</param>
public sealed record WebhookAttempt(DateTimeOffset At, bool Delivered, int? ResponseCode, string? Error, DateTimeOffset? NextAttemptAt);
