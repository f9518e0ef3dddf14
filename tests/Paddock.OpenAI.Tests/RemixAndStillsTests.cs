using System.Net;
using System.Net.Http.Json;
using System.ClientModel;

namespace Paddock.OpenAI.Tests;

/// <summary>Remix (a new take of a finished video with a new prompt) and the still variants of its content.</summary>
public sealed class RemixAndStillsTests : IAsyncLifetime
{
    private PaddockHost _host = null!;

    public async Task InitializeAsync() => _host = await PaddockHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_remix_is_a_new_generation_with_the_new_prompt_and_the_sources_references_seed_size_and_length()
    {
        var client = Faces.VideoClient(_host);
        var image = Convert.ToBase64String(TestImages.Png(600, 600, SkiaSharp.SKColors.SteelBlue, SkiaSharp.SKColors.White));
        var source = Faces.Json(await client.CreateVideoAsync(Faces.JsonBody(new
        {
            model = Faces.Model, prompt = "Image 1 walks through a garden", size = "720x720", seconds = "3",
            input_reference = new { image_url = $"data:image/png;base64,{image}" },
        }), "application/json"));
        var sourceId = source.GetProperty("id").GetString()!;

        // Only a completed video can be remixed.
        using var http = Faces.Bearer(_host, _host.ApiKey);
        var early = await http.PostAsJsonAsync($"v1/videos/{sourceId}/remix", new { prompt = "too soon" });
        if (early.StatusCode != HttpStatusCode.OK)
            Faces.AssertOpenAIError(await Faces.JsonAsync(early), "video_id", "video_not_completed");
        else
            Assert.Fail("a remix of an unfinished video was accepted");
        Assert.Equal("completed", (await Faces.WaitAsync(client, sourceId)).GetProperty("status").GetString());

        var remix = Faces.Json(await client.CreateVideoRemixAsync(sourceId, Faces.JsonBody(new { prompt = "Image 1 dances in the rain, night" }), "application/json"));
        var remixId = remix.GetProperty("id").GetString()!;
        Assert.NotEqual(sourceId, remixId);
        Assert.Equal(sourceId, remix.GetProperty("remixed_from_video_id").GetString());
        Assert.Equal("Image 1 dances in the rain, night", remix.GetProperty("prompt").GetString());
        Assert.Equal(("720x720", "3"), (remix.GetProperty("size").GetString(), remix.GetProperty("seconds").GetString()));

        var sourceRow = await Faces.JsonAsync(await _host.Client.GetAsync($"api/ai/queue/{sourceId}"));
        var remixRow = await Faces.JsonAsync(await _host.Client.GetAsync($"api/ai/queue/{remixId}"));
        Assert.Equal(sourceRow.GetProperty("seed").GetInt64(), remixRow.GetProperty("seed").GetInt64());
        Assert.Equal(sourceRow.GetProperty("reference_images")[0].GetString(), remixRow.GetProperty("reference_images")[0].GetString());
        Assert.Equal(sourceRow.GetProperty("model_name").GetString(), remixRow.GetProperty("model_name").GetString());

        Assert.Equal("completed", (await Faces.WaitAsync(client, remixId)).GetProperty("status").GetString());
        var path = Path.Combine(_host.DataDirectory, "remix.mp4");
        await File.WriteAllBytesAsync(path, (await client.DownloadVideoAsync(remixId, "video")).GetRawResponse().Content.ToArray());
        var facts = await Ffprobe.InspectAsync(path);
        Assert.Equal((720, 720, 72), (facts.Width, facts.Height, facts.Frames));
        // A new take, not a copy: the prompt changed the picture.
        var sourcePath = Path.Combine(_host.DataDirectory, "source.mp4");
        await File.WriteAllBytesAsync(sourcePath, (await client.DownloadVideoAsync(sourceId, "video")).GetRawResponse().Content.ToArray());
        Assert.NotEqual(await File.ReadAllBytesAsync(sourcePath), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task The_thumbnail_is_a_still_of_the_videos_size_and_the_spritesheet_one_small_frame_a_second()
    {
        var client = Faces.VideoClient(_host);
        var created = Faces.Json(await client.CreateVideoAsync(Faces.JsonBody(new { model = "happyhorse-1.0-t2v", prompt = "A red ball bounces", size = "1280x720", seconds = "5" }), "application/json"));
        var id = created.GetProperty("id").GetString()!;

        using var http = Faces.Bearer(_host, _host.ApiKey);
        var notYet = await http.GetAsync($"v1/videos/{id}/content?variant=thumbnail");
        if (notYet.StatusCode != HttpStatusCode.OK) Faces.AssertOpenAIError(await Faces.JsonAsync(notYet), "video_id", "video_not_ready");
        await Faces.WaitAsync(client, id);

        var thumbnail = (await client.DownloadVideoAsync(id, "thumbnail")).GetRawResponse();
        Assert.True(thumbnail.Headers.TryGetValue("Content-Type", out var type) && type == "image/jpeg");
        Assert.Equal((1280, 720), await JpegSizeAsync(thumbnail.Content.ToArray()));
        var sprites = (await client.DownloadVideoAsync(id, "spritesheet")).GetRawResponse();
        Assert.Equal((5 * 256, 144), await JpegSizeAsync(sprites.Content.ToArray()));

        var bad = await http.GetAsync($"v1/videos/{id}/content?variant=poster");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Faces.AssertOpenAIError(await Faces.JsonAsync(bad), "variant", null);

        // Range requests work on the video, as on Paddock's signed output URLs.
        using var range = new HttpRequestMessage(HttpMethod.Get, $"v1/videos/{id}/content");
        range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
        var partial = await http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Deleting_a_video_while_it_renders_stops_the_render_and_paddocks_face_sees_it_cancelled()
    {
        var client = Faces.VideoClient(_host);
        var created = Faces.Json(await client.CreateVideoAsync(Faces.JsonBody(new { model = "happyhorse-1.0-t2v", prompt = "A long slow pan over hills", size = "1920x1080", seconds = "15" }), "application/json"));
        var id = created.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (Faces.Json(await client.GetVideoAsync(id)).GetProperty("status").GetString() != "in_progress")
        {
            Assert.True(DateTime.UtcNow < deadline, "the render never started");
            await Task.Delay(100);
        }

        var deleted = Faces.Json(await client.DeleteVideoAsync(id));
        Assert.False(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal("cancelled", deleted.GetProperty("video").GetProperty("error").GetProperty("code").GetString());
        var row = await Faces.JsonAsync(await _host.Client.GetAsync($"api/ai/queue/{id}"));
        Assert.Equal("cancelled", row.GetProperty("status").GetString());
        // The render stopped: the row never becomes a video, and the content is refused.
        await Task.Delay(2000);
        Assert.Equal("failed", Faces.Json(await client.GetVideoAsync(id)).GetProperty("status").GetString());
        using var http = Faces.Bearer(_host, _host.ApiKey);
        Faces.AssertOpenAIError(await Faces.JsonAsync(await http.GetAsync($"v1/videos/{id}/content")), "video_id", "video_not_ready");
    }

    private async Task<(int Width, int Height)> JpegSizeAsync(byte[] jpeg)
    {
        var path = Path.Combine(_host.DataDirectory, $"{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(path, jpeg);
        var probe = await Processes.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", path]);
        var parts = probe.Stdout.Trim().Split(',');
        Assert.Equal("mjpeg", parts[0]);
        return (int.Parse(parts[1]), int.Parse(parts[2]));
    }
}
