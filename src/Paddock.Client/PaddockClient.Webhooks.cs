using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Client.Internal;

namespace Paddock.Client;

public sealed partial class PaddockClient
{
    /// <summary>
    /// Creates a webhook endpoint of the key's namespace (<c>POST /api/webhooks</c>): the server signs every delivery to
    /// <paramref name="url"/> with the endpoint's secret (Standard Webhooks), which the answer's <c>secret</c> holds.
    /// </summary>
    /// <param name="url">The http(s) URL that receives the events.</param>
    /// <param name="events">Event names (<c>media_generation_completed</c>, <c>media_generation_succeeded</c>, <c>media_generation_failed</c>, <c>media_generation_cancelled</c>; or the OpenAI face's <c>video.completed</c>, <c>video.failed</c>, not mixed with those); null or empty for completed and cancelled.</param>
    /// <param name="description">A note for people, optional.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint as the server answered it (<c>id</c>, <c>url</c>, <c>events</c>, <c>secret</c>, …).</returns>
    /// <exception cref="PaddockException">400 <c>invalid_params</c> for a URL the server may not send to, or an unknown event.</exception>
    public async Task<JsonElement> CreateWebhookAsync(string url, IEnumerable<string>? events = null, string? description = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var body = new JsonObject { ["url"] = url };
        if (events is not null) body["events"] = new JsonArray(events.Select(e => (JsonNode)JsonValue.Create(e)).ToArray());
        if (description is not null) body["description"] = description;
        var uri = _pipeline.Resolve("api/webhooks");
        using var response = await _pipeline.SendAsync(() => PostJson(uri, body.ToJsonString(), null), Ordinary, cancellationToken).ConfigureAwait(false);
        return await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the namespace's webhook endpoints (<c>GET /api/webhooks</c>): <c>{"webhooks":[…]}</c>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public Task<JsonElement> ListWebhooksAsync(CancellationToken cancellationToken = default) => GetJsonAsync(_pipeline.Resolve("api/webhooks"), cancellationToken);

    /// <summary>Deletes a webhook endpoint and its deliveries (<c>DELETE /api/webhooks/{id}</c>).</summary>
    /// <param name="id">The endpoint's id (<c>wh_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="PaddockException">404 for an unknown endpoint (or another namespace's).</exception>
    public async Task<JsonElement> DeleteWebhookAsync(string id, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve($"api/webhooks/{Segment(id, nameof(id))}");
        using var response = await _pipeline.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), Ordinary, cancellationToken).ConfigureAwait(false);
        return await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives an endpoint a new secret (<c>POST /api/webhooks/{id}/rotate</c>); the old one keeps signing until <c>previous_secret_expires_at</c>.</summary>
    /// <param name="id">The endpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint with its new <c>secret</c>.</returns>
    public Task<JsonElement> RotateWebhookSecretAsync(string id, CancellationToken cancellationToken = default) =>
        PostEmptyAsync(_pipeline.Resolve($"api/webhooks/{Segment(id, nameof(id))}/rotate"), cancellationToken);

    /// <summary>
    /// The delivery log of an endpoint (<c>GET /api/webhooks/{id}/deliveries</c>) or of a generation
    /// (<c>GET /api/webhooks/deliveries?generation_id=</c>): each delivery's status, attempts and last response code.
    /// </summary>
    /// <param name="webhookId">An endpoint's id; null to list a generation's deliveries.</param>
    /// <param name="generationId">A generation's id (with no endpoint id).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"count","deliveries":[…]}</c>.</returns>
    public Task<JsonElement> ListWebhookDeliveriesAsync(string? webhookId, string? generationId = null, CancellationToken cancellationToken = default) =>
        GetJsonAsync(webhookId is not null
            ? _pipeline.Resolve($"api/webhooks/{Segment(webhookId, nameof(webhookId))}/deliveries")
            : _pipeline.Resolve("api/webhooks/deliveries", [new("generation_id", generationId ?? throw new ArgumentException("Give a webhook id or a generation id.", nameof(generationId)))]),
            cancellationToken);

    /// <summary>Sends a delivery again now, whatever became of it (<c>POST /api/webhooks/deliveries/{id}/redeliver</c>).</summary>
    /// <param name="deliveryId">The delivery's id (<c>msg_…</c>, its <c>webhook-id</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The delivery, pending again.</returns>
    public Task<JsonElement> RedeliverWebhookAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        PostEmptyAsync(_pipeline.Resolve($"api/webhooks/deliveries/{Segment(deliveryId, nameof(deliveryId))}/redeliver"), cancellationToken);

    private async Task<JsonElement> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _pipeline.SendAsync(() => Get(uri), Ordinary, cancellationToken).ConfigureAwait(false);
        return await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonElement> PostEmptyAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _pipeline.SendAsync(() => PostJson(uri, "{}", null), Ordinary, cancellationToken).ConfigureAwait(false);
        return await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }
}
