using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Paddock.OpenAI.Tests;

/// <summary>One generation is one row whichever face made it: read, listed and cancelled through the other face.</summary>
public sealed class CrossFaceTests : IAsyncLifetime
{
    private PaddockHost _host = null!;

    // No workers: every generation stays queued until a test cancels it (an API-only process, Paddock:Workers:Concurrency=0).
    public async Task InitializeAsync() => _host = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Workers:Concurrency"] = "0" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_generation_enqueued_on_paddocks_face_is_read_listed_and_cancelled_through_the_openai_face()
    {
        var enqueued = await Faces.JsonAsync(await _host.Client.PostAsJsonAsync("api/ai/queue", new
        {
            model = "happyhorse-1.0-t2v", prompt = "A lighthouse at night", aspect_ratio = "1:1", resolution = "1080P", duration = 7,
        }));
        var id = enqueued.GetProperty("generations")[0].GetProperty("generation_id").GetString()!;
        var client = Faces.VideoClient(_host);

        var video = Faces.Json(await client.GetVideoAsync(id));
        Assert.Equal(id, video.GetProperty("id").GetString());
        Assert.Equal("queued", video.GetProperty("status").GetString());
        Assert.Equal("happyhorse-1.0-t2v", video.GetProperty("model").GetString());
        Assert.Equal("1080x1080", video.GetProperty("size").GetString());
        Assert.Equal("7", video.GetProperty("seconds").GetString());
        Assert.Equal("A lighthouse at night", video.GetProperty("prompt").GetString());

        var listed = new List<string>();
        await foreach (var page in client.GetVideosAsync(null, null, null).GetRawPagesAsync())
            listed.AddRange(Faces.Json(page).GetProperty("data").EnumerateArray().Select(v => v.GetProperty("id").GetString()!));
        Assert.Contains(id, listed);

        // The other face's delete of an unfinished video cancels it, as Paddock's own cancel does; the row stays.
        var deleted = Faces.Json(await client.DeleteVideoAsync(id));
        Assert.False(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal("failed", deleted.GetProperty("video").GetProperty("status").GetString());
        Assert.Equal("cancelled", deleted.GetProperty("video").GetProperty("error").GetProperty("code").GetString());
        var row = await Faces.JsonAsync(await _host.Client.GetAsync($"api/ai/queue/{id}"));
        Assert.Equal("cancelled", row.GetProperty("status").GetString());

        // A second delete removes the finished row from both faces.
        Assert.True(Faces.Json(await client.DeleteVideoAsync(id)).GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync($"api/ai/queue/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_video_created_on_the_openai_face_is_read_listed_and_cancelled_through_paddocks_face()
    {
        var client = Faces.VideoClient(_host);
        var created = Faces.Json(await client.CreateVideoAsync(
            Faces.JsonBody(new { model = "happyhorse-1.0-r2v", prompt = "A robot waves", size = "960x720", seconds = "12" }), "application/json"));
        var id = created.GetProperty("id").GetString()!;

        var row = await Faces.JsonAsync(await _host.Client.GetAsync($"api/ai/queue/{id}"));
        Assert.Equal("queued", row.GetProperty("status").GetString());
        Assert.Equal("happyhorse-1.0-r2v", row.GetProperty("model_name").GetString());
        Assert.Equal(("4:3", "720P", 12), (row.GetProperty("aspect_ratio").GetString(), row.GetProperty("resolution").GetString(), row.GetProperty("duration").GetInt32()));
        Assert.Equal("A robot waves", row.GetProperty("prompt").GetString());
        Assert.True(row.GetProperty("seed").GetInt64() >= 0);

        var active = await Faces.JsonAsync(await _host.Client.GetAsync("api/ai/queue"));
        Assert.Contains(id, active.GetProperty("generations").EnumerateArray().Select(g => g.GetProperty("generation_id").GetString()));

        var cancelled = await Faces.JsonAsync(await _host.Client.DeleteAsync($"api/ai/queue/{id}"));
        Assert.Equal("cancelled", cancelled.GetProperty("status_message").GetString());
        var video = Faces.Json(await client.GetVideoAsync(id));
        Assert.Equal("failed", video.GetProperty("status").GetString());
        Assert.Equal("cancelled", video.GetProperty("error").GetProperty("code").GetString());
        Assert.NotEqual(JsonValueKind.Null, video.GetProperty("completed_at").ValueKind);
    }

    [Fact]
    public async Task Each_key_sees_only_its_namespace_on_the_openai_face()
    {
        var other = await _host.CreateKeyAsync("other");
        var created = Faces.Json(await Faces.VideoClient(_host).CreateVideoAsync(Faces.JsonBody(new { prompt = "A cat sleeps" }), "application/json"));
        var id = created.GetProperty("id").GetString()!;
        // The other API's defaults when size and seconds are left out: 720x1280, 4 seconds.
        Assert.Equal(("720x1280", "4"), (created.GetProperty("size").GetString(), created.GetProperty("seconds").GetString()));

        using var stranger = Faces.Bearer(_host, other);
        var read = await stranger.GetAsync($"v1/videos/{id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Faces.AssertOpenAIError(await Faces.JsonAsync(read), "video_id", "not_found");
        Assert.Empty((await Faces.JsonAsync(await stranger.GetAsync("v1/videos"))).GetProperty("data").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.DeleteAsync($"v1/videos/{id}")).StatusCode);
        Assert.Equal("queued", Faces.Json(await Faces.VideoClient(_host).GetVideoAsync(id)).GetProperty("status").GetString());
    }
}
