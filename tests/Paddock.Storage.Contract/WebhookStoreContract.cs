using Paddock.Core.Events;
using Paddock.Core.Webhooks;

namespace Paddock.Storage.Contract;

/// <summary>
/// Webhook endpoints and deliveries, as every <see cref="IWebhookStore"/> backend must keep them: deliveries derived
/// once per event and receiver, only for the event's namespace and what each endpoint asked for, leased to one sender,
/// retried, failed, redelivered, and surviving a restart.
/// </summary>
public abstract class WebhookStoreContract<TBackend> : StoreContract<TBackend>
    where TBackend : IStoreBackend, new()
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private WebhookEndpoint Endpoint(string ns, string id, params string[] events) =>
        new(id, ns, $"https://hooks.example.com/{ns}/{id}", events.Length == 0 ? WebhookEvents.Default : events, StandardWebhooks.NewSecret(), null, null, null, Time.GetUtcNow());

    private static EventDraft Failed(string ns, Guid id) =>
        new(ns, EventTypes.Completed, $$"""{"generation_id":"{{id}}","status":"failed","error":"boom"}""");

    [Fact]
    public async Task Endpoints_are_created_listed_read_and_deleted_within_their_namespace()
    {
        var store = await OpenAsync();
        var a1 = Endpoint("alice", "wh_a1");
        Time.Advance(TimeSpan.FromSeconds(1));
        var a2 = Endpoint("alice", "wh_a2", WebhookEvents.Failed) with { Description = "pager" };
        var b1 = Endpoint("bob", "wh_b1");
        foreach (var e in new[] { a1, a2, b1 }) await store.Webhooks.CreateEndpointAsync(e);

        var listed = await store.Webhooks.ListEndpointsAsync("alice");
        Assert.Equal(2, listed.Count);
        Assert.True(listed[0].SameAs(a1) && listed[1].SameAs(a2), "alice's endpoints, oldest first, as created");
        Assert.True((await store.Webhooks.GetEndpointAsync("alice", "wh_a2"))!.SameAs(a2));
        Assert.Null(await store.Webhooks.GetEndpointAsync("bob", "wh_a1"));
        Assert.False(await store.Webhooks.DeleteEndpointAsync("bob", "wh_a1"));
        Assert.True(await store.Webhooks.DeleteEndpointAsync("alice", "wh_a1"));
        Assert.False(await store.Webhooks.DeleteEndpointAsync("alice", "wh_a1"));
        Assert.Equal(["wh_a2"], (await store.Webhooks.ListEndpointsAsync("alice")).Select(e => e.Id));
        Assert.Equal(["wh_b1"], (await store.Webhooks.ListEndpointsAsync("bob")).Select(e => e.Id));
    }

    [Fact]
    public async Task Each_terminal_event_makes_one_delivery_per_subscribed_endpoint_of_its_namespace_however_often_derived()
    {
        var store = await OpenAsync();
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_all"));
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_failures", WebhookEvents.Failed));
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_cancels", EventTypes.Cancelled));
        await store.Webhooks.CreateEndpointAsync(Endpoint("bob", "wh_bob"));
        Time.Advance(TimeSpan.FromSeconds(1));
        Guid ok = Guid.NewGuid(), bad = Guid.NewGuid(), gone = Guid.NewGuid(), bobs = Guid.NewGuid();
        await store.Events.AppendAsync(Completed("alice", ok));
        await store.Events.AppendAsync(new EventDraft("alice", EventTypes.Progress, $$"""{"generation_id":"{{ok}}","percent":50}"""));
        await store.Events.AppendAsync(Failed("alice", bad));
        await store.Events.AppendAsync(Cancelled("alice", gone));
        await store.Events.AppendAsync(Completed("bob", bobs));

        Assert.Equal(5, await store.Webhooks.DeriveDeliveriesAsync(100, Day));
        Assert.Equal(0, await store.Webhooks.DeriveDeliveriesAsync(100, Day));
        // A second process, opened on the same database, finds the work done.
        var other = await OpenAsync();
        Assert.Equal(0, await other.Webhooks.DeriveDeliveriesAsync(100, Day));

        static string[] Targets(IReadOnlyList<WebhookDelivery> ds) => ds.Select(d => d.EndpointId).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["wh_all"], Targets(await store.Webhooks.ListDeliveriesAsync("alice", null, ok, 100)));
        Assert.Equal(["wh_all", "wh_failures"], Targets(await store.Webhooks.ListDeliveriesAsync("alice", null, bad, 100)));
        Assert.Equal(["wh_all", "wh_cancels"], Targets(await store.Webhooks.ListDeliveriesAsync("alice", null, gone, 100)));
        Assert.Equal(["wh_bob"], Targets(await store.Webhooks.ListDeliveriesAsync("bob", null, bobs, 100)));
        Assert.Empty(await store.Webhooks.ListDeliveriesAsync("bob", null, ok, 100));
        Assert.Empty(await store.Webhooks.ListDeliveriesAsync("alice", "wh_bob", null, 100));
        Assert.Equal(3, (await store.Webhooks.ListDeliveriesAsync("alice", "wh_all", null, 100)).Count);

        var first = (await store.Webhooks.ListDeliveriesAsync("alice", "wh_all", ok, 100)).Single();
        Assert.Equal(WebhookDeliveryStatus.Pending, first.Status);
        Assert.Equal(0, first.Attempts);
        Assert.Equal(first.EventAt + Day, first.RetryUntil);
        Assert.Equal(EventTypes.Completed, first.EventType);
        Assert.Contains(ok.ToString(), first.Data, StringComparison.Ordinal);
        Assert.Equal(WebhookEvents.MessageId(first.EventSequence, "wh_all"), first.Id);
    }

    [Fact]
    public async Task An_endpoint_made_after_an_event_does_not_receive_it()
    {
        var store = await OpenAsync();
        var id = Guid.NewGuid();
        await store.Events.AppendAsync(Completed("alice", id));
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_late"));
        await store.Webhooks.DeriveDeliveriesAsync(100, Day);
        Assert.Empty(await store.Webhooks.ListDeliveriesAsync("alice", null, id, 100));
    }

    [Fact]
    public async Task A_requests_own_url_gets_its_generations_events_signed_by_the_namespace_signer()
    {
        var store = await OpenAsync();
        var signer = await store.Webhooks.RequestSignerAsync("alice", "whsec_AAAA");
        Assert.Equal("whsec_AAAA", signer.Secret);
        Assert.Equal("whsec_AAAA", (await store.Webhooks.RequestSignerAsync("alice", "whsec_BBBB")).Secret);
        Assert.Empty(await store.Webhooks.ListEndpointsAsync("alice"));
        Guid mine = Guid.NewGuid(), other = Guid.NewGuid();
        await store.Webhooks.AttachGenerationUrlAsync("alice", [mine], "https://me.example.com/done");
        await store.Webhooks.AttachGenerationUrlAsync("alice", [mine], "https://me.example.com/done");
        await store.Events.AppendAsync(Completed("alice", mine));
        await store.Events.AppendAsync(Completed("alice", other));
        await store.Webhooks.DeriveDeliveriesAsync(100, Day);

        var delivery = (await store.Webhooks.ListDeliveriesAsync("alice", null, mine, 100)).Single();
        Assert.Equal(WebhookEndpoint.RequestSigner, delivery.EndpointId);
        Assert.Equal("https://me.example.com/done", delivery.Url);
        Assert.Empty(await store.Webhooks.ListDeliveriesAsync("alice", null, other, 100));
        Assert.Empty(await store.Webhooks.ListDeliveriesAsync("bob", null, mine, 100));
    }

    [Fact]
    public async Task A_due_delivery_is_leased_to_one_sender_until_its_attempt_is_recorded()
    {
        var store = await OpenAsync();
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_1"));
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Events.AppendAsync(Completed("alice", Guid.NewGuid()));
        await store.Webhooks.DeriveDeliveriesAsync(100, Day);

        var claimed = await store.Webhooks.ClaimDueAsync("p1", TimeSpan.FromSeconds(30), 10);
        var delivery = Assert.Single(claimed);
        Assert.Empty(await store.Webhooks.ClaimDueAsync("p2", TimeSpan.FromSeconds(30), 10));

        // A 500: pending again, due after the pause, with the attempt logged.
        var retryAt = Time.GetUtcNow() + TimeSpan.FromSeconds(5);
        Assert.False(await store.Webhooks.RecordAttemptAsync(delivery.Id, "p2", new WebhookAttempt(Time.GetUtcNow(), false, 500, "500", retryAt)));
        Assert.True(await store.Webhooks.RecordAttemptAsync(delivery.Id, "p1", new WebhookAttempt(Time.GetUtcNow(), false, 500, "the receiver answered 500", retryAt)));
        var logged = (await store.Webhooks.GetDeliveryAsync("alice", delivery.Id))!;
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, (int?)500, "the receiver answered 500", retryAt), (logged.Status, logged.Attempts, logged.ResponseCode, logged.LastError, logged.NextAttemptAt));
        Assert.Null(await store.Webhooks.GetDeliveryAsync("bob", delivery.Id));
        Assert.Empty(await store.Webhooks.ClaimDueAsync("p2", TimeSpan.FromSeconds(30), 10));

        Time.Advance(TimeSpan.FromSeconds(5));
        var again = Assert.Single(await store.Webhooks.ClaimDueAsync("p2", TimeSpan.FromSeconds(30), 10));
        Assert.True(await store.Webhooks.RecordAttemptAsync(again.Id, "p2", new WebhookAttempt(Time.GetUtcNow(), true, 204, null, null)));
        var done = (await store.Webhooks.GetDeliveryAsync("alice", delivery.Id))!;
        Assert.Equal((WebhookDeliveryStatus.Delivered, 2, (int?)204, Time.GetUtcNow()), (done.Status, done.Attempts, done.ResponseCode, done.DeliveredAt!.Value));
        Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(await store.Webhooks.ClaimDueAsync("p3", TimeSpan.FromSeconds(30), 10));
    }

    [Fact]
    public async Task A_lease_of_a_sender_that_died_runs_out_and_another_sender_takes_the_delivery()
    {
        var store = await OpenAsync();
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_1"));
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Events.AppendAsync(Completed("alice", Guid.NewGuid()));
        await store.Webhooks.DeriveDeliveriesAsync(100, Day);
        Assert.Single(await store.Webhooks.ClaimDueAsync("dead", TimeSpan.FromSeconds(30), 10));
        await store.DisposeAsync();

        var restarted = await OpenAsync();
        Time.Advance(TimeSpan.FromSeconds(31));
        var taken = Assert.Single(await restarted.Webhooks.ClaimDueAsync("alive", TimeSpan.FromSeconds(30), 10));
        Assert.False(await restarted.Webhooks.RecordAttemptAsync(taken.Id, "dead", new WebhookAttempt(Time.GetUtcNow(), true, 200, null, null)));
        Assert.True(await restarted.Webhooks.RecordAttemptAsync(taken.Id, "alive", new WebhookAttempt(Time.GetUtcNow(), true, 200, null, null)));
    }

    [Fact]
    public async Task A_delivery_out_of_retries_is_failed_and_a_redelivery_sends_it_again()
    {
        var store = await OpenAsync();
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_1"));
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Events.AppendAsync(Completed("alice", Guid.NewGuid()));
        await store.Webhooks.DeriveDeliveriesAsync(100, Day);
        var d = Assert.Single(await store.Webhooks.ClaimDueAsync("p1", TimeSpan.FromSeconds(30), 10));
        Assert.True(await store.Webhooks.RecordAttemptAsync(d.Id, "p1", new WebhookAttempt(Time.GetUtcNow(), false, null, "no answer", null)));
        Assert.Equal(WebhookDeliveryStatus.Failed, (await store.Webhooks.GetDeliveryAsync("alice", d.Id))!.Status);
        Time.Advance(TimeSpan.FromHours(2));
        Assert.Empty(await store.Webhooks.ClaimDueAsync("p1", TimeSpan.FromSeconds(30), 10));

        Assert.Null(await store.Webhooks.RedeliverAsync("bob", d.Id, Time.GetUtcNow() + Day));
        var redelivered = (await store.Webhooks.RedeliverAsync("alice", d.Id, Time.GetUtcNow() + Day))!;
        Assert.Equal((WebhookDeliveryStatus.Pending, Time.GetUtcNow(), Time.GetUtcNow() + Day, d.Id), (redelivered.Status, redelivered.NextAttemptAt, redelivered.RetryUntil, redelivered.Id));
        var again = Assert.Single(await store.Webhooks.ClaimDueAsync("p1", TimeSpan.FromSeconds(30), 10));
        Assert.Equal(d.Id, again.Id);
        Assert.Equal(1, again.Attempts);
    }

    [Fact]
    public async Task Rotation_keeps_the_old_secret_until_its_expiry_and_deleting_an_endpoint_drops_its_deliveries()
    {
        var store = await OpenAsync();
        var endpoint = Endpoint("alice", "wh_1");
        await store.Webhooks.CreateEndpointAsync(endpoint);
        var until = Time.GetUtcNow() + TimeSpan.FromHours(1);
        Assert.Null(await store.Webhooks.RotateSecretAsync("bob", "wh_1", "whsec_new", until));
        var rotated = (await store.Webhooks.RotateSecretAsync("alice", "wh_1", "whsec_new", until))!;
        Assert.Equal(("whsec_new", endpoint.Secret, (DateTimeOffset?)until), (rotated.Secret, rotated.PreviousSecret, rotated.PreviousSecretExpiresAt));
        Assert.Equal(["whsec_new", endpoint.Secret], rotated.SigningSecrets(Time.GetUtcNow()));
        Assert.Equal(["whsec_new"], rotated.SigningSecrets(until));

        Time.Advance(TimeSpan.FromSeconds(1));
        await store.Events.AppendAsync(Completed("alice", Guid.NewGuid()));
        await store.Webhooks.DeriveDeliveriesAsync(100, Day);
        Assert.Single(await store.Webhooks.ListDeliveriesAsync("alice", "wh_1", null, 100));
        Assert.True(await store.Webhooks.DeleteEndpointAsync("alice", "wh_1"));
        Assert.Empty(await store.Webhooks.ListDeliveriesAsync("alice", "wh_1", null, 100));
        Assert.Empty(await store.Webhooks.ClaimDueAsync("p1", TimeSpan.FromSeconds(30), 10));
    }

    [Fact]
    public async Task Deliveries_and_the_cursor_survive_a_restart()
    {
        var store = await OpenAsync();
        await store.Webhooks.CreateEndpointAsync(Endpoint("alice", "wh_1"));
        Time.Advance(TimeSpan.FromSeconds(1));
        var id = Guid.NewGuid();
        await store.Events.AppendAsync(Completed("alice", id));
        await store.Webhooks.DeriveDeliveriesAsync(100, Day);
        await store.DisposeAsync();

        var reopened = await OpenAsync();
        Assert.Equal(0, await reopened.Webhooks.DeriveDeliveriesAsync(100, Day));
        Assert.Single(await reopened.Webhooks.ListDeliveriesAsync("alice", null, id, 100));
        Assert.Single(await reopened.Webhooks.ClaimDueAsync("p", TimeSpan.FromSeconds(30), 10));
    }
}
