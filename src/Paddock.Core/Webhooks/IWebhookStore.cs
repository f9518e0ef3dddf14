namespace Paddock.Core.Webhooks;

/// <summary>
/// Webhook endpoints and deliveries. Deliveries are derived from the durable event log: <see cref="DeriveDeliveriesAsync"/>
/// reads the terminal events after a cursor kept in the same database and writes one delivery per subscribed receiver,
/// with the cursor's advance, in one transaction; a delivery's identity is (event, receiver), so deriving twice (two
/// processes, or a crash between the two writes of a non-transactional caller) never makes a second one. An event that
/// was committed is therefore delivered, whatever process dies when. Implementations: SQLite and PostgreSQL.
/// </summary>
public interface IWebhookStore
{
    /// <summary>Stores a new endpoint (its id unique).</summary>
    Task CreateEndpointAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken = default);

    /// <summary>The namespace's endpoints, oldest first (its request signer is not one of them).</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(string ns, CancellationToken cancellationToken = default);

    /// <summary>One endpoint of a namespace (the request signer too, by its id); null when absent or another namespace's.</summary>
    Task<WebhookEndpoint?> GetEndpointAsync(string ns, string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes the endpoint and its deliveries (nothing more is sent to it). False when absent or another namespace's.</summary>
    Task<bool> DeleteEndpointAsync(string ns, string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="newSecret"/> the endpoint's secret; the one it replaces keeps signing until
    /// <paramref name="previousExpiresAt"/>. Null when the endpoint is absent or another namespace's.
    /// </summary>
    Task<WebhookEndpoint?> RotateSecretAsync(string ns, string id, string newSecret, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken = default);

    /// <summary>The namespace's signer of per-request URLs, created with <paramref name="secretIfNew"/> when it has none yet.</summary>
    Task<WebhookEndpoint> RequestSignerAsync(string ns, string secretIfNew, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the generations' terminal events go to <paramref name="url"/> as well (a request's <c>webhook_url</c>).
    /// Written before the generations are, so no completion can come first; a repeat is a no-op.
    /// </summary>
    Task AttachGenerationUrlAsync(string ns, IReadOnlyList<Guid> generationIds, string url, CancellationToken cancellationToken = default);

    /// <summary>
    /// Derives the deliveries of up to <paramref name="maxEvents"/> events after the cursor, in one transaction with the
    /// cursor's advance: one per endpoint of the event's namespace that wants the event and existed when it happened,
    /// and one to the generation's own URL. Due at once, retried until <paramref name="retryFor"/> after the event.
    /// Returns how many events it read (0: caught up).
    /// </summary>
    Task<int> DeriveDeliveriesAsync(int maxEvents, TimeSpan retryFor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Leases up to <paramref name="limit"/> pending deliveries that are due and not leased by a live owner, oldest due
    /// first, to <paramref name="owner"/> until now + <paramref name="leaseDuration"/>: two processes never send one at once.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(string owner, TimeSpan leaseDuration, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records an attempt of a delivery leased to <paramref name="owner"/> and releases the lease: delivered, pending until
    /// its next attempt, or failed when no next attempt is given. False (and no change) when the lease is no longer held.
    /// </summary>
    Task<bool> RecordAttemptAsync(string deliveryId, string owner, WebhookAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>A namespace's deliveries, newest event first, of one endpoint and/or one generation when given.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(string ns, string? endpointId, Guid? generationId, int limit, CancellationToken cancellationToken = default);

    /// <summary>One delivery of a namespace; null when absent or another namespace's.</summary>
    Task<WebhookDelivery?> GetDeliveryAsync(string ns, string deliveryId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a delivery again, whatever became of it: pending and due now, retried until <paramref name="retryUntil"/>,
    /// any lease dropped. Null when absent or another namespace's.
    /// </summary>
    Task<WebhookDelivery?> RedeliverAsync(string ns, string deliveryId, DateTimeOffset retryUntil, CancellationToken cancellationToken = default);
}
