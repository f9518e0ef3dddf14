using System.Diagnostics;
using System.Net;
using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>Retries, idempotency keys and error parsing against a scripted transport: no server, no waiting on renders.</summary>
public sealed class RetryTests
{
    private const string Queued = """{"generations":[{"generation_id":"0b0c7a5e-6c55-4a36-9d1e-2f0a51a0e001","status":"queued"}]}""";

    private static PaddockClient Client(ScriptedHandler handler, Action<PaddockClientOptions>? configure = null)
    {
        var options = new PaddockClientOptions { Transport = handler };
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        configure?.Invoke(options);
        return new PaddockClient(new Uri("http://paddock.test:5080"), "pk_test", options);
    }

    [Fact]
    public async Task A_503_is_retried_with_the_same_idempotency_key()
    {
        var handler = new ScriptedHandler()
            .ThenStatus(HttpStatusCode.ServiceUnavailable, """{"error":{"type":"unknown_error","title":"t","detail":"busy","message":"busy"},"status":"error","status_message":"unknown_error"}""")
            .ThenThrow(new HttpRequestException("connection refused"))
            .ThenStatus(HttpStatusCode.OK, Queued);

        var operations = await Client(handler).EnqueueAsync(TestMedia.Small("a fox"));

        Assert.Equal("0b0c7a5e-6c55-4a36-9d1e-2f0a51a0e001", Assert.Single(operations).Id);
        var keys = handler.Seen.Select(s => s.IdempotencyKey).ToList();
        Assert.Equal(3, keys.Count);
        Assert.True(Guid.TryParse(keys[0], out _), $"the key is a new GUID: {keys[0]}");
        Assert.All(keys, k => Assert.Equal(keys[0], k));
        Assert.All(handler.Seen, s => Assert.Equal("Bearer pk_test", s.Authorization));
    }

    [Fact]
    public async Task Each_logical_call_gets_its_own_key_and_a_callers_key_is_sent_as_given()
    {
        var handler = new ScriptedHandler().ThenStatus(HttpStatusCode.OK, Queued).ThenStatus(HttpStatusCode.OK, Queued).ThenStatus(HttpStatusCode.OK, Queued);
        var client = Client(handler);

        await client.EnqueueAsync(TestMedia.Small("one"));
        await client.EnqueueAsync(TestMedia.Small("two"));
        await client.EnqueueAsync(TestMedia.Small("three"), "order-42");

        var keys = handler.Seen.Select(s => s.IdempotencyKey).ToList();
        Assert.NotEqual(keys[0], keys[1]);
        Assert.Equal("order-42", keys[2]);
        await Assert.ThrowsAsync<ArgumentException>(() => client.EnqueueAsync(TestMedia.Small("four"), "has space"));
    }

    [Fact]
    public async Task Retry_After_is_honored()
    {
        var handler = new ScriptedHandler()
            .ThenStatus(HttpStatusCode.TooManyRequests, """{"error":{"type":"rate_limited","title":"Slow down","detail":"over quota","message":"over quota"},"status":"error","status_message":"rate_limited"}""",
                r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1)))
            .ThenStatus(HttpStatusCode.OK, """{"object":"list","data":[]}""");

        var watch = Stopwatch.StartNew();
        await Client(handler).ListModelsAsync();

        Assert.Equal(2, handler.Seen.Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_carries_the_envelope()
    {
        const string body = """{"error":{"type":"invalid_params","title":"Invalid parameters supplied, please check your request and try again.","detail":"duration: must be between 3 and 15","message":"duration: must be between 3 and 15"},"status":"error","status_message":"invalid_params"}""";
        var handler = new ScriptedHandler().ThenStatus(HttpStatusCode.BadRequest, body);

        var e = await Assert.ThrowsAsync<PaddockException>(() => Client(handler).GenerateAsync(TestMedia.Small("x")));

        Assert.Single(handler.Seen);
        Assert.Equal(400, e.Status);
        Assert.Equal("invalid_params", e.ErrorType);
        Assert.Equal("Invalid parameters supplied, please check your request and try again.", e.Title);
        Assert.Equal("duration: must be between 3 and 15", e.Detail);
        Assert.Equal(body, e.RawBody);
        Assert.Contains("duration: must be between 3 and 15", e.Message);
    }

    [Fact]
    public async Task Exhausted_retries_surface_the_last_answer()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 3; i++) handler.ThenStatus(HttpStatusCode.BadGateway, "<html>bad gateway</html>");

        var e = await Assert.ThrowsAsync<PaddockException>(() => Client(handler, o => o.Retry.MaxRetries = 2).GetGenerationAsync("abc"));

        Assert.Equal(3, handler.Seen.Count);
        Assert.Equal(502, e.Status);
        Assert.Equal("<html>bad gateway</html>", e.RawBody);
    }

    [Fact]
    public async Task Connection_failures_after_the_retries_are_a_PaddockException_with_status_0()
    {
        var handler = new ScriptedHandler().ThenThrow(new HttpRequestException("connection refused")).ThenThrow(new HttpRequestException("connection refused"));

        var e = await Assert.ThrowsAsync<PaddockException>(() => Client(handler, o => o.Retry.MaxRetries = 1).ListModelsAsync());

        Assert.Equal(0, e.Status);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    [Fact]
    public async Task Other_error_shapes_are_read_too()
    {
        var handler = new ScriptedHandler()
            .ThenStatus(HttpStatusCode.NotFound, """{"error":"no such thing"}""")
            .ThenStatus(HttpStatusCode.Forbidden, """{"status":"error","status_message":"forbidden"}""");
        var client = Client(handler);

        var first = await Assert.ThrowsAsync<PaddockException>(() => client.GetModelAsync("x"));
        var second = await Assert.ThrowsAsync<PaddockException>(() => client.GetModelAsync("x"));

        Assert.Equal("no such thing", first.Detail);
        Assert.Equal("forbidden", second.ErrorType);
    }

    [Fact]
    public async Task The_key_is_sent_only_to_the_servers_own_origin()
    {
        var handler = new ScriptedHandler()
            .ThenStatus(HttpStatusCode.OK, "video")
            .ThenStatus(HttpStatusCode.OK, "video");
        var client = Client(handler, o => o.UserAgent = "my-app/1.0");

        await client.DownloadAsync(new Uri("https://cdn.example.com/out.mp4?sig=1"), new MemoryStream());
        await client.DownloadAsync(new Uri("http://paddock.test:5080/api/outputs/default/x.mp4"), new MemoryStream());

        var seen = handler.Seen.ToList();
        Assert.Null(seen[0].Authorization);
        Assert.Equal("Bearer pk_test", seen[1].Authorization);
        Assert.StartsWith("my-app/1.0 Paddock.Client/", seen[0].UserAgent);
    }

    [Fact]
    public void Requests_serialize_to_the_wire_body()
    {
        var typed = new HappyHorseR2VRequest("Image 1 runs") { AspectRatio = "9:16", Resolution = "720P", Duration = 5, Seed = 7, NumGenerations = 2 };
        typed.ReferenceImages.Add("https://example.com/a.png");
        Assert.Equal("""{"model":"happyhorse-1.0-r2v","prompt":"Image 1 runs","reference_images":["https://example.com/a.png"],"aspect_ratio":"9:16","resolution":"720P","duration":5,"seed":7,"num_generations":2}""",
            typed.ToJson().ToJsonString());

        var free = new GenerationRequest("happyhorse-1.0-t2v") { ["prompt"] = "a horse", ["duration"] = 4, ResponseFormat = VideoResponseFormat.Base64Json };
        Assert.Equal("""{"model":"happyhorse-1.0-t2v","prompt":"a horse","duration":4,"response_format":"b64_json"}""", free.ToJson().ToJsonString());
    }
}
