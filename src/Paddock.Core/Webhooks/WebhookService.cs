using Microsoft.Extensions.Options;

namespace Paddock.Core.Webhooks;

/// <summary>What the API does with webhooks: endpoints checked and created, secrets rotated, deliveries sent again.</summary>
public sealed class WebhookService(IWebhookStore store, WebhookReceivers receivers, IOptions<WebhookOptions> options, TimeProvider time)
{
    /// <summary>The most endpoints one namespace may have.</summary>
    public const int MaxEndpointsPerNamespace = 50;

    public IWebhookStore Store => store;

    /// <summary>Creates an endpoint, or says every problem with the request (each naming its field).</summary>
    public async Task<(WebhookEndpoint? Endpoint, IReadOnlyList<string> Problems)> CreateAsync(
        string ns, string? url, IReadOnlyList<string>? events, string? description, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (await receivers.ProblemAsync("url", url, cancellationToken).ConfigureAwait(false) is { } urlProblem) problems.Add(urlProblem);
        var wanted = events is null || events.Count == 0 ? WebhookEvents.Default : events.Distinct(StringComparer.Ordinal).ToList();
        foreach (var unknown in wanted.Where(e => !WebhookEvents.Names.Contains(e)))
            problems.Add($"events: '{unknown}' is not an event; use {string.Join(", ", WebhookEvents.Names)}");
        if (WebhookEvents.MixProblem(wanted) is { } mix) problems.Add(mix);
        if (description is { Length: > 200 }) problems.Add($"description: is {description.Length} characters; at most 200");
        if (problems.Count > 0) return (null, problems);
        if ((await store.ListEndpointsAsync(ns, cancellationToken).ConfigureAwait(false)).Count >= MaxEndpointsPerNamespace)
            return (null, [$"url: namespace '{ns}' already has {MaxEndpointsPerNamespace} webhook endpoints, the most it may have; delete one first"]);

        var endpoint = new WebhookEndpoint("wh_" + Guid.NewGuid().ToString("N")[..20], ns, url!, wanted, StandardWebhooks.NewSecret(), null, null,
            string.IsNullOrWhiteSpace(description) ? null : description, Truncated(time.GetUtcNow()));
        await store.CreateEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false);
        return (endpoint, []);
    }

    /// <summary>A new secret; the old one keeps signing for <see cref="WebhookOptions.RotationOverlap"/>. Null when no such endpoint.</summary>
    public Task<WebhookEndpoint?> RotateAsync(string ns, string id, CancellationToken cancellationToken) =>
        store.RotateSecretAsync(ns, id, StandardWebhooks.NewSecret(), Truncated(time.GetUtcNow() + options.Value.RotationOverlap), cancellationToken);

    /// <summary>The namespace's signer of per-request URLs (made on first use).</summary>
    public Task<WebhookEndpoint> RequestSignerAsync(string ns, CancellationToken cancellationToken) =>
        store.RequestSignerAsync(ns, StandardWebhooks.NewSecret(), cancellationToken);

    /// <summary>Sends a delivery again at once, with a new day of retries.</summary>
    public Task<WebhookDelivery?> RedeliverAsync(string ns, string deliveryId, CancellationToken cancellationToken) =>
        store.RedeliverAsync(ns, deliveryId, Truncated(time.GetUtcNow() + options.Value.RetryFor), cancellationToken);

    /// <summary>Stores keep milliseconds.</summary>
    private static DateTimeOffset Truncated(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
