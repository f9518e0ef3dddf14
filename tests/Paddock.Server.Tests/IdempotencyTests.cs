using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>Idempotency-Key on submissions: a retry after a lost answer never makes a second video.</summary>
public sealed class IdempotencyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(HttpClient client, string path, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    private async Task<long> TotalRowsAsync(HttpClient client) =>
        JsonNode.Parse(await client.GetStringAsync("api/ai/generations?page_size=1"))!["total_entries"]!.GetValue<long>();

    [Fact]
    public async Task A_repeated_enqueue_returns_the_same_generations_and_creates_nothing()
    {
        using var client = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("idem-queue"));
        const string body = "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"one video only\",\"resolution\":\"720P\",\"duration\":3,\"num_generations\":2}";
        var key = Guid.NewGuid().ToString();

        var first = await PostAsync(client, "api/ai/queue", key, body);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        // The retry, as after a lost answer: whitespace differs, the request does not.
        var again = await PostAsync(client, "api/ai/queue", key, body.Replace(",", ", "));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("true", again.Response.Headers.GetValues("Idempotent-Replayed").Single());

        var ids = first.Body!["generations"]!.AsArray().Select(g => g!["generation_id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids, again.Body!["generations"]!.AsArray().Select(g => g!["generation_id"]!.GetValue<string>()));
        Assert.Equal(2, await TotalRowsAsync(client));
        foreach (var id in ids) Assert.Equal("succeeded", (await Api.WaitTerminalAsync(client, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_409_and_keys_are_per_namespace()
    {
        using var client = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("idem-conflict"));
        var key = "order-42";
        var first = await PostAsync(client, "api/ai/queue", key, "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"a fox\",\"resolution\":\"720P\",\"duration\":3}");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var conflict = await PostAsync(client, "api/ai/queue", key, "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"an owl\",\"resolution\":\"720P\",\"duration\":3}");
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("idempotency_conflict", conflict.Body!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("order-42", conflict.Body["error"]!["detail"]!.GetValue<string>());

        using var other = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("idem-other"));
        var elsewhere = await PostAsync(other, "api/ai/queue", key, "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"an owl\",\"resolution\":\"720P\",\"duration\":3}");
        Assert.Equal(HttpStatusCode.OK, elsewhere.Status);

        var bad = await PostAsync(client, "api/ai/queue", "has space", "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"x\"}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("Idempotency-Key", bad.Body!["error"]!["detail"]!.GetValue<string>());
        await Api.WaitTerminalAsync(client, first.Body!["generations"]![0]!["generation_id"]!.GetValue<string>());
        await Api.WaitTerminalAsync(other, elsewhere.Body!["generations"]![0]!["generation_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_repeated_sync_request_returns_the_same_video_and_renders_once()
    {
        using var client = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("idem-sync"));
        const string body = "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"sync once\",\"resolution\":\"720P\",\"duration\":3}";
        var first = await PostAsync(client, "api/ai/videos/generate", "sync-1", body);
        var again = await PostAsync(client, "api/ai/videos/generate", "sync-1", body);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Body!["generation_id"]!.GetValue<string>(), again.Body!["generation_id"]!.GetValue<string>());
        Assert.False(first.Response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", again.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await TotalRowsAsync(client));

        // A queue submission under the sync request's key is a different request.
        var crossed = await PostAsync(client, "api/ai/queue", "sync-1", body);
        Assert.Equal(HttpStatusCode.Conflict, crossed.Status);
    }
}
