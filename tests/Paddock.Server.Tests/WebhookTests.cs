using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;
using Xunit.Abstractions;

namespace Paddock.Server.Tests;

/// <summary>One server whose webhooks may reach loopback receivers, retrying after a short pause (the test setting).</summary>
public sealed class WebhookServerFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, string> Settings = new()
    {
        // Loopback receivers are internal: the tests allow them, as an operator would for a receiver on the same network.
        ["Paddock:Webhooks:AllowedHosts:0"] = "127.0.0.1",
        ["Paddock:Webhooks:BaseDelay"] = "00:00:00.200",
        ["Paddock:Webhooks:MaxDelay"] = "00:00:03",
        ["Paddock:Webhooks:PollInterval"] = "00:00:00.100",
    };

    public PaddockHost Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PaddockHost.StartAsync(Settings);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Webhooks end to end: a real receiver on loopback gets every completion, signed so that an independent implementation
/// of Standard Webhooks verifies it, retried after failures, logged, redelivered on request; private receivers are refused
/// unless allowed; nothing crosses namespaces.
/// </summary>
public sealed class WebhookTests(WebhookServerFixture fixture, ITestOutputHelper output) : IClassFixture<WebhookServerFixture>
{
    private static readonly object ShortClip = new { model = "happyhorse-1.0-t2v", prompt = "a red ball bounces", resolution = "720P", duration = 3 };

    private async Task<(HttpClient Client, string Namespace)> NamespaceAsync()
    {
        var ns = "wh-" + Guid.NewGuid().ToString("N")[..8];
        return (fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync(ns)), ns);
    }

    private static async Task<JsonNode> CreateEndpointAsync(HttpClient client, object body)
    {
        var (status, json) = await Api.PostJsonAsync(client, "api/webhooks", JsonSerializer.Serialize(body));
        Assert.True(status == 201, $"create answered {status}: {json}");
        return json!;
    }

    [Fact]
    public async Task A_receiver_that_fails_gets_retries_then_the_signed_event_once_it_answers_and_the_log_shows_each_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = n => n <= 3 ? 500 : 204;
        var (client, _) = await NamespaceAsync();
        var endpoint = await CreateEndpointAsync(client, new { url = receiver.Url, events = new[] { "media_generation_completed" } });
        var secret = endpoint["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        var id = (await Api.EnqueueAsync(client, ShortClip))[0];
        Assert.Equal("succeeded", (await Api.WaitTerminalAsync(client, id))["status"]!.GetValue<string>());
        var seen = await receiver.WaitForAsync(r => r.Any(x => x.AnsweredWith == 204));

        Assert.Equal([500, 500, 500, 204], seen.Select(r => r.AnsweredWith));
        Assert.All(seen, r => Assert.True(WebhookReceiver.Verifies(r, secret), $"signature {r.Signature} does not verify"));
        Assert.Single(seen.Select(r => r.Id).Distinct());
        Assert.All(seen, r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        for (var i = 1; i < seen.Count; i++) output.WriteLine($"gap before attempt {i + 1}: {(seen[i].At - seen[i - 1].At).TotalMilliseconds:F0} ms");
        var body = JsonNode.Parse(seen[^1].Body)!;
        Assert.Equal("media_generation_completed", body["type"]!.GetValue<string>());
        Assert.Equal(id, body["data"]!["generation_id"]!.GetValue<string>());
        Assert.Equal("succeeded", body["data"]!["status"]!.GetValue<string>());
        // The video itself, at the URL the webhook carries, without a key.
        var video = await Api.DownloadAsync(body["data"]!["url"]!.GetValue<string>());
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(video, 4, 4));

        var log = await client.GetFromJsonAsync<JsonNode>($"api/webhooks/{endpoint["id"]}/deliveries");
        var delivery = log!["deliveries"]!.AsArray().Single()!;
        Assert.Equal(("delivered", 4, 204, id), (delivery["status"]!.GetValue<string>(), delivery["attempts"]!.GetValue<int>(), delivery["response_code"]!.GetValue<int>(), delivery["generation_id"]!.GetValue<string>()));
        var perGeneration = await client.GetFromJsonAsync<JsonNode>($"api/webhooks/deliveries?generation_id={id}");
        Assert.Equal(delivery["id"]!.GetValue<string>(), perGeneration!["deliveries"]![0]!["id"]!.GetValue<string>());

        // Redelivery: the same message (same webhook-id) once more, freshly signed.
        var (status, redelivered) = await Api.PostJsonAsync(client, $"api/webhooks/deliveries/{delivery["id"]}/redeliver", "");
        Assert.True(status == 200, $"redeliver answered {status}: {redelivered}");
        var again = await receiver.WaitForAsync(r => r.Count == 5);
        Assert.Equal(seen[0].Id, again[^1].Id);
        Assert.True(WebhookReceiver.Verifies(again[^1], secret));
        await WaitAsync(async () => (await client.GetFromJsonAsync<JsonNode>($"api/webhooks/deliveries/{delivery["id"]}"))!["attempts"]!.GetValue<int>() == 5);
    }

    [Fact]
    public async Task A_requests_own_webhook_url_gets_its_completion_and_an_endpoint_gets_only_the_events_it_asked_for()
    {
        await using var requestReceiver = await WebhookReceiver.StartAsync();
        await using var cancelsOnly = await WebhookReceiver.StartAsync();
        var (client, _) = await NamespaceAsync();
        await CreateEndpointAsync(client, new { url = cancelsOnly.Url, events = new[] { "media_generation_cancelled" } });

        var id = (await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-t2v", prompt = "a red ball bounces", resolution = "720P", duration = 3, webhook_url = requestReceiver.Url }))[0];
        Assert.Equal("succeeded", (await Api.WaitTerminalAsync(client, id))["status"]!.GetValue<string>());
        var got = (await requestReceiver.WaitForAsync(r => r.Count >= 1))[0];
        var signer = await client.GetFromJsonAsync<JsonNode>("api/webhooks/request-signer");
        Assert.True(WebhookReceiver.Verifies(got, signer!["secret"]!.GetValue<string>()));
        Assert.Equal(id, JsonNode.Parse(got.Body)!["data"]!["generation_id"]!.GetValue<string>());

        // A cancel reaches the endpoint that asked for cancels; the success before it did not.
        var queued = (await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-t2v", prompt = "cancelled at once", resolution = "1080P", duration = 15 }))[0];
        using (await client.DeleteAsync($"api/ai/queue/{queued}")) { }
        var cancel = (await cancelsOnly.WaitForAsync(r => r.Count >= 1))[0];
        var body = JsonNode.Parse(cancel.Body)!;
        Assert.Equal(("media_generation_cancelled", queued), (body["type"]!.GetValue<string>(), body["data"]!["generation_id"]!.GetValue<string>()));
        await Task.Delay(500);
        Assert.Single(cancelsOnly.Requests);
        Assert.Single(requestReceiver.Requests);
    }

    [Fact]
    public async Task After_a_rotation_deliveries_carry_both_signatures_so_either_secret_verifies()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, _) = await NamespaceAsync();
        var endpoint = await CreateEndpointAsync(client, new { url = receiver.Url });
        var old = endpoint["secret"]!.GetValue<string>();
        var (status, rotated) = await Api.PostJsonAsync(client, $"api/webhooks/{endpoint["id"]}/rotate", "");
        Assert.Equal(200, status);
        var fresh = rotated!["secret"]!.GetValue<string>();
        Assert.NotEqual(old, fresh);
        Assert.NotNull(rotated["previous_secret_expires_at"]);

        var id = (await Api.EnqueueAsync(client, ShortClip))[0];
        await Api.WaitTerminalAsync(client, id);
        var got = (await receiver.WaitForAsync(r => r.Count >= 1))[0];
        Assert.Equal(2, got.Signature.Split(' ').Length);
        Assert.True(WebhookReceiver.Verifies(got, fresh));
        Assert.True(WebhookReceiver.Verifies(got, old));
        Assert.False(WebhookReceiver.Verifies(got, "whsec_" + Convert.ToBase64String(new byte[32])));
    }

    [Fact]
    public async Task Nothing_crosses_namespaces()
    {
        await using var aliceReceiver = await WebhookReceiver.StartAsync();
        var (alice, _) = await NamespaceAsync();
        var (bob, _) = await NamespaceAsync();
        var endpoint = await CreateEndpointAsync(alice, new { url = aliceReceiver.Url });
        var hook = endpoint["id"]!.GetValue<string>();

        Assert.Empty((await bob.GetFromJsonAsync<JsonNode>("api/webhooks"))!["webhooks"]!.AsArray());
        foreach (var (method, path) in new[] { ("GET", $"api/webhooks/{hook}"), ("DELETE", $"api/webhooks/{hook}"), ("POST", $"api/webhooks/{hook}/rotate"), ("GET", $"api/webhooks/{hook}/deliveries") })
        {
            using var answer = await bob.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            var error = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"{method} {path} by another namespace answered {(int)answer.StatusCode}");
            Assert.Equal("resource_not_found", error["error"]!["type"]!.GetValue<string>());
        }

        // Bob's generation is not told to Alice's receiver; Alice's is, and Bob cannot see or redeliver its delivery.
        var bobs = (await Api.EnqueueAsync(bob, ShortClip))[0];
        await Api.WaitTerminalAsync(bob, bobs);
        var alices = (await Api.EnqueueAsync(alice, ShortClip))[0];
        await Api.WaitTerminalAsync(alice, alices);
        var got = await aliceReceiver.WaitForAsync(r => r.Count >= 1);
        await Task.Delay(500);
        Assert.Equal([alices], aliceReceiver.Requests.Select(r => JsonNode.Parse(r.Body)!["data"]!["generation_id"]!.GetValue<string>()));
        var delivery = (await alice.GetFromJsonAsync<JsonNode>($"api/webhooks/deliveries?generation_id={alices}"))!["deliveries"]![0]!["id"]!.GetValue<string>();
        Assert.Empty((await bob.GetFromJsonAsync<JsonNode>($"api/webhooks/deliveries?generation_id={alices}"))!["deliveries"]!.AsArray());
        using var peek = await bob.GetAsync($"api/webhooks/deliveries/{delivery}");
        Assert.Equal(HttpStatusCode.NotFound, peek.StatusCode);
        var (status, _) = await Api.PostJsonAsync(bob, $"api/webhooks/deliveries/{delivery}/redeliver", "");
        Assert.Equal(404, status);
        Assert.Single(got);
    }

    [Fact]
    public async Task Bad_endpoint_requests_are_refused_with_every_problem_named()
    {
        var (client, _) = await NamespaceAsync();
        var (status, json) = await Api.PostJsonAsync(client, "api/webhooks", """{"url":"ftp://example.com/x","events":["media_generation_done"],"colour":"red"}""");
        Assert.Equal(400, status);
        var detail = json!["error"]!["detail"]!.GetValue<string>();
        Assert.Contains("colour: is not a field", detail, StringComparison.Ordinal);
        (status, json) = await Api.PostJsonAsync(client, "api/webhooks", """{"url":"ftp://example.com/x","events":["media_generation_done"]}""");
        detail = json!["error"]!["detail"]!.GetValue<string>();
        Assert.Contains("url: 'ftp://example.com/x' is not an absolute http(s) URL", detail, StringComparison.Ordinal);
        Assert.Contains("events: 'media_generation_done' is not an event", detail, StringComparison.Ordinal);
        (status, json) = await Api.PostJsonAsync(client, "api/webhooks", "{}");
        Assert.Equal((400, "invalid_params"), (status, json!["error"]!["type"]!.GetValue<string>()));
        Assert.Contains("url: is required", json["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var missing = await client.GetAsync("api/webhooks/deliveries");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonNode>("api/webhooks"))!["webhooks"]!.AsArray());
    }

    private static async Task WaitAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in 30 s");
            await Task.Delay(100);
        }
    }
}

/// <summary>The default policy: receivers inside the network are refused, the answer naming the settings that allow them.</summary>
public sealed class WebhookPolicyTests
{
    [Fact]
    public async Task A_private_or_loopback_receiver_is_refused_unless_allowed_and_the_request_is_not_accepted()
    {
        await using var server = await PaddockHost.StartAsync();
        foreach (var url in new[] { "http://127.0.0.1:9/hooks", "http://169.254.169.254/latest", "http://10.1.2.3/x", "http://localhost:8080/x" })
        {
            var (status, json) = await Api.PostJsonAsync(server.Client, "api/webhooks", JsonSerializer.Serialize(new { url }));
            Assert.True(status == 400, $"{url}: {status} {json}");
            Assert.Equal("invalid_params", json!["error"]!["type"]!.GetValue<string>());
            Assert.Contains("Paddock:Webhooks:AllowPrivateNetworks", json["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var (queued, body) = await Api.PostJsonAsync(server.Client, "api/ai/queue",
            """{"model":"happyhorse-1.0-t2v","prompt":"a ball","webhook_url":"http://127.0.0.1:9/hooks"}""");
        Assert.Equal(400, queued);
        var detail = body!["error"]!["detail"]!.GetValue<string>();
        Assert.StartsWith("webhook_url: ", detail, StringComparison.Ordinal);
        Assert.Contains("Paddock:Webhooks:AllowedHosts", detail, StringComparison.Ordinal);
        Assert.Equal(0, (await server.Client.GetFromJsonAsync<JsonNode>("api/ai/generations"))!["total_entries"]!.GetValue<int>());
        Assert.Empty((await server.Client.GetFromJsonAsync<JsonNode>("api/webhooks"))!["webhooks"]!.AsArray());
    }
}
