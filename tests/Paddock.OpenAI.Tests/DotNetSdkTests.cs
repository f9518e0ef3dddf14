using System.ClientModel;
using System.Text.Json;
using OpenAI.Videos;

namespace Paddock.OpenAI.Tests;

/// <summary>The official OpenAI SDK for .NET (NuGet OpenAI 2.15.0, its VideoClient) against a running Paddock, unchanged but for endpoint and key.</summary>
public sealed class DotNetSdkTests : IAsyncLifetime
{
    private PaddockHost _host = null!;

    public async Task InitializeAsync() => _host = await PaddockHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_dotnet_sdk_creates_polls_lists_downloads_and_deletes_a_video_of_the_size_and_length_asked()
    {
        var client = Faces.VideoClient(_host);
        var created = Faces.Json(await client.CreateVideoAsync(
            Faces.JsonBody(new { model = Faces.Model, prompt = "A fox runs through a snowy forest, pan left", size = "1280x720", seconds = "4" }), "application/json"));
        Assert.Equal("video", created.GetProperty("object").GetString());
        // The answer is the row read back after its commit: an idle worker of this process may have claimed it already.
        Assert.Contains(created.GetProperty("status").GetString(), new[] { "queued", "in_progress" });
        Assert.Equal("1280x720", created.GetProperty("size").GetString());
        Assert.Equal("4", created.GetProperty("seconds").GetString());
        Assert.Equal(Faces.Model, created.GetProperty("model").GetString());
        var id = created.GetProperty("id").GetString()!;

        var finished = await Faces.WaitAsync(client, id);
        Assert.Equal("completed", finished.GetProperty("status").GetString());
        Assert.Equal(100, finished.GetProperty("progress").GetInt32());
        Assert.True(finished.GetProperty("completed_at").GetInt64() >= finished.GetProperty("created_at").GetInt64());
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("error").ValueKind);

        var pages = new List<JsonElement>();
        await foreach (var page in client.GetVideosAsync(limit: 10, order: "desc", after: null).GetRawPagesAsync()) pages.Add(Faces.Json(page));
        var listed = Assert.Single(pages);
        Assert.Equal("list", listed.GetProperty("object").GetString());
        Assert.Equal(id, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.False(listed.GetProperty("has_more").GetBoolean());

        var content = await client.DownloadVideoAsync(id, "video");
        Assert.Equal("video/mp4", content.GetRawResponse().Headers.TryGetValue("Content-Type", out var type) ? type : null);
        var path = Path.Combine(_host.DataDirectory, "dotnet-sdk.mp4");
        await File.WriteAllBytesAsync(path, content.GetRawResponse().Content.ToArray());
        var facts = await Ffprobe.InspectAsync(path);
        Assert.Equal((1280, 720), (facts.Width, facts.Height));
        Assert.Equal(4 * 24, facts.Frames);
        Assert.Equal("24/1", facts.FrameRate);

        var deleted = Faces.Json(await client.DeleteVideoAsync(id));
        Assert.Equal(id, deleted.GetProperty("id").GetString());
        Assert.Equal("video.deleted", deleted.GetProperty("object").GetString());
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => client.GetVideoAsync(id));
        Assert.Equal(404, gone.Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => client.DownloadVideoAsync(id, "video"))).Status);
    }

    [Fact]
    public async Task A_multipart_create_with_an_image_file_makes_a_vertical_video_that_casts_the_image()
    {
        var client = Faces.VideoClient(_host);
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(Faces.Model), "model");
        form.Add(new StringContent("Image 1 walks through a garden"), "prompt");
        form.Add(new StringContent("720x1280"), "size");
        form.Add(new StringContent("3"), "seconds");
        var image = new ByteArrayContent(TestImages.Png(640, 800, SkiaSharp.SKColors.OrangeRed, SkiaSharp.SKColors.White));
        image.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        form.Add(image, "input_reference", "fox.png");
        var bytes = await form.ReadAsByteArrayAsync();

        var created = Faces.Json(await client.CreateVideoAsync(BinaryContent.Create(BinaryData.FromBytes(bytes)), form.Headers.ContentType!.ToString()));
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("720x1280", created.GetProperty("size").GetString());
        Assert.Equal("3", created.GetProperty("seconds").GetString());
        var finished = await Faces.WaitAsync(client, id);
        Assert.Equal("completed", finished.GetProperty("status").GetString());

        // The same row on Paddock's face: the image kept once, by content, as any inline image is.
        var row = await Faces.JsonAsync(await _host.Client.GetAsync($"api/ai/queue/{id}"));
        Assert.StartsWith("inline:sha256:", Assert.Single(row.GetProperty("reference_images").EnumerateArray()).GetString());
        Assert.Equal("9:16", row.GetProperty("aspect_ratio").GetString());
        Assert.Equal("720P", row.GetProperty("resolution").GetString());
        Assert.Equal(3, row.GetProperty("duration").GetInt32());

        var path = Path.Combine(_host.DataDirectory, "multipart.mp4");
        await File.WriteAllBytesAsync(path, (await client.DownloadVideoAsync(id, null)).GetRawResponse().Content.ToArray());
        var facts = await Ffprobe.InspectAsync(path);
        Assert.Equal((720, 1280, 72), (facts.Width, facts.Height, facts.Frames));
    }
}
