using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.OpenAI.Tests;

/// <summary>
/// The OpenAI face's completion events through Paddock's webhooks: an endpoint that subscribes to <c>video.completed</c>
/// and <c>video.failed</c> gets them, for videos made through <c>/v1/videos</c>, in OpenAI's event shape and signed the
/// Standard Webhooks way, so that the official JavaScript SDK's <c>webhooks.unwrap</c> accepts them as it would OpenAI's.
/// </summary>
public sealed class VideoWebhookTests : IAsyncLifetime
{
    private PaddockHost _host = null!;
    private string _nodePath = null!;

    public async Task InitializeAsync()
    {
        _nodePath = await OpenAINode.InstallAsync();
        _host = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            // The receivers are on loopback: allowed here as an operator allows a receiver on its own network.
            ["Paddock:Webhooks:AllowedHosts:0"] = "127.0.0.1",
            ["Paddock:Webhooks:BaseDelay"] = "00:00:00.200",
            ["Paddock:Webhooks:PollInterval"] = "00:00:00.100",
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonNode> CreateEndpointAsync(string url, params string[] events)
    {
        using var response = await _host.Client.PostAsync("api/webhooks",
            new StringContent(JsonSerializer.Serialize(new { url, events }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, $"create answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task A_completed_and_a_failed_video_reach_the_endpoint_as_video_completed_and_video_failed_which_the_sdk_unwraps()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var paddockShaped = await WebhookReceiver.StartAsync();
        var secret = (await CreateEndpointAsync(receiver.Url, "video.completed", "video.failed"))["secret"]!.GetValue<string>();
        // The same namespace's endpoint on Paddock's face gets the same generations in its own shape.
        await CreateEndpointAsync(paddockShaped.Url, "media_generation_completed");

        var client = Faces.VideoClient(_host);
        var made = Faces.Json(await client.CreateVideoAsync(
            Faces.JsonBody(new { model = Faces.Model, prompt = "A fox runs through a snowy forest", size = "1280x720", seconds = "4" }), "application/json"));
        var completedId = made.GetProperty("id").GetString()!;
        Assert.Equal("completed", (await Faces.WaitAsync(client, completedId)).GetProperty("status").GetString());
        // An input_reference that is not an image: accepted, then failed by the worker that reads it.
        var broken = Faces.Json(await client.CreateVideoAsync(Faces.JsonBody(new
        {
            model = Faces.Model, prompt = "Image 1 waves", size = "1280x720", seconds = "4",
            input_reference = new { image_url = "data:image/png;base64," + Convert.ToBase64String("not a picture"u8) },
        }), "application/json"));
        var failedId = broken.GetProperty("id").GetString()!;
        var failedVideo = await Faces.WaitAsync(client, failedId);
        Assert.Equal("failed", failedVideo.GetProperty("status").GetString());

        var got = await receiver.WaitForAsync(r => r.Count >= 2);
        Assert.All(got, r => Assert.True(WebhookReceiver.Verifies(r, secret), $"signature {r.Signature} does not verify"));
        Assert.All(got, r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        var events = got.Select(r => JsonNode.Parse(r.Body)!.AsObject()).ToList();
        // OpenAI's event shape and nothing more: {id, object, created_at, type, data: {id}}.
        Assert.All(events, e => Assert.Equal(["id", "object", "created_at", "type", "data"], e.Select(p => p.Key)));
        Assert.All(events, e => Assert.Equal(["id"], e["data"]!.AsObject().Select(p => p.Key)));
        Assert.All(events, e => Assert.Matches("^evt_[0-9a-f]{32}$", e["id"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal("event", e["object"]!.GetValue<string>()));
        var byVideo = events.ToDictionary(e => e["data"]!["id"]!.GetValue<string>(), e => e["type"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { [completedId] = "video.completed", [failedId] = "video.failed" }, byVideo);
        var failedEvent = events.Single(e => e["type"]!.GetValue<string>() == "video.failed");
        // created_at is when the video failed: the video object's completed_at (the same moment, to the second).
        Assert.InRange(failedEvent["created_at"]!.GetValue<long>() - failedVideo.GetProperty("completed_at").GetInt64(), -1, 1);
        Assert.Equal(2, events.Select(e => e["id"]!.GetValue<string>()).Distinct().Count());

        var paddock = (await paddockShaped.WaitForAsync(r => r.Count >= 2)).Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.All(paddock, b => Assert.Equal("media_generation_completed", b["type"]!.GetValue<string>()));
        Assert.Equal(new[] { completedId, failedId }.Order(), paddock.Select(b => b["data"]!["generation_id"]!.GetValue<string>()).Order());

        // The official SDK, as a receiver of OpenAI's webhooks uses it: unwrap verifies and parses each delivery, and
        // the id in data is the video the SDK then retrieves; a body altered on the way is refused.
        var file = Path.Combine(_host.DataDirectory, "deliveries.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(got.Select(r => new
        {
            headers = new Dictionary<string, string> { ["webhook-id"] = r.Id, ["webhook-timestamp"] = r.Timestamp, ["webhook-signature"] = r.Signature, ["content-type"] = r.ContentType },
            body = r.Body,
        })));
        var run = await Processes.RunAsync("node", [Path.Combine(AppContext.BaseDirectory, "Scripts", "webhooks.cjs"), file], new Dictionary<string, string>
        {
            ["NODE_PATH"] = _nodePath,
            ["OPENAI_BASE_URL"] = _host.BaseUrl + "/v1",
            ["OPENAI_API_KEY"] = _host.ApiKey,
            ["WEBHOOK_SECRET"] = secret,
        }, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"node webhooks.cjs failed ({run.ExitCode}): {run.Stderr}\n{run.Stdout}");
        var steps = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToDictionary(e => e.GetProperty("step").GetString()!);
        for (var n = 0; n < got.Count; n++)
        {
            var step = steps[$"delivery{n}"];
            var type = step.GetProperty("event").GetProperty("type").GetString();
            var video = step.GetProperty("video");
            Assert.Equal(step.GetProperty("event").GetProperty("data").GetProperty("id").GetString(), video.GetProperty("id").GetString());
            Assert.Equal(type == "video.completed" ? "completed" : "failed", video.GetProperty("status").GetString());
        }
        Assert.False(steps["tampered"].GetProperty("accepted").GetBoolean());
        Assert.Equal("InvalidWebhookSignatureError", steps["tampered"].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_cancelled_video_is_video_failed_and_an_endpoint_of_video_completed_alone_does_not_get_it()
    {
        await using var failures = await WebhookReceiver.StartAsync();
        await using var successes = await WebhookReceiver.StartAsync();
        var secret = (await CreateEndpointAsync(failures.Url, "video.failed"))["secret"]!.GetValue<string>();
        await CreateEndpointAsync(successes.Url, "video.completed");

        var client = Faces.VideoClient(_host);
        var made = Faces.Json(await client.CreateVideoAsync(
            Faces.JsonBody(new { model = Faces.Model, prompt = "A long, slow pan over hills", size = "1920x1080", seconds = "15" }), "application/json"));
        var id = made.GetProperty("id").GetString()!;
        // The other API's delete of an unfinished video cancels it (a failed video whose error says so).
        Assert.Equal("failed", Faces.Json(await client.DeleteVideoAsync(id)).GetProperty("video").GetProperty("status").GetString());

        var got = (await failures.WaitForAsync(r => r.Count >= 1))[0];
        Assert.True(WebhookReceiver.Verifies(got, secret));
        var body = JsonNode.Parse(got.Body)!;
        Assert.Equal(("video.failed", id), (body["type"]!.GetValue<string>(), body["data"]!["id"]!.GetValue<string>()));
        await Task.Delay(500);
        Assert.Empty(successes.Requests);
        Assert.Single(failures.Requests);
    }

    [Fact]
    public async Task An_endpoint_that_mixes_the_two_faces_events_is_refused_with_a_message_that_says_how_to_fix_it()
    {
        using var response = await _host.Client.PostAsync("api/webhooks", new StringContent(
            JsonSerializer.Serialize(new { url = "http://127.0.0.1:9/hooks", events = new[] { "video.completed", "media_generation_cancelled" } }), Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)response.StatusCode);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.ToJsonString();
        Assert.Contains("events: mixes the OpenAI face", message, StringComparison.Ordinal);
        Assert.Contains("create one endpoint for each", message, StringComparison.Ordinal);
    }
}
