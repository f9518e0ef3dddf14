using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>The HappyHorse family in the catalog: each model with its own schema, all rendered by the built-in engine.</summary>
public sealed class ModelFamilyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_catalog_lists_the_family_and_search_and_developer_filter_work()
    {
        var list = JsonNode.Parse(await fixture.Server.Client.GetStringAsync("api/ai/models"))!;
        Assert.Equal("list", list["object"]!.GetValue<string>());
        var ids = list["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["happyhorse-1.0-i2v", "happyhorse-1.0-r2v", "happyhorse-1.0-t2v", "happyhorse-1.1-i2v", "happyhorse-1.1-r2v", "happyhorse-1.1-t2v"], ids);
        Assert.All(list["data"]!.AsArray(), m => Assert.Equal("builtin", m!["engine"]!["name"]!.GetValue<string>()));

        var search = JsonNode.Parse(await fixture.Server.Client.GetStringAsync("api/ai/models/search?search=i2v"))!;
        Assert.Equal(["happyhorse-1.0-i2v", "happyhorse-1.1-i2v"], search["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()));
        var nobody = JsonNode.Parse(await fixture.Server.Client.GetStringAsync("api/ai/models?developer_name=nobody"))!;
        Assert.Empty(nobody["data"]!.AsArray());

        var t2v = JsonNode.Parse(await fixture.Server.Client.GetStringAsync("api/ai/models/happyhorse-1.0-t2v"))!;
        Assert.DoesNotContain("reference_images", t2v["json_request_schema"]!["properties"]!.AsObject().Select(p => p.Key));
        var v11 = JsonNode.Parse(await fixture.Server.Client.GetStringAsync("api/ai/models/happyhorse-1.1-r2v"))!;
        Assert.DoesNotContain("seed", v11["json_request_schema"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Text_to_video_renders_from_the_prompt_alone()
    {
        var id = (await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.0-t2v", prompt = "a horse gallops along a beach at sunset", aspect_ratio = "1:1", resolution = "720P", duration = 3, seed = 5 }))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id);
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        await AssertSizeAsync(row, 720, 720);

        var (status, error) = await Api.PostJsonAsync(fixture.Server.Client, "api/ai/queue", "{\"model\":\"happyhorse-1.0-t2v\",\"prompt\":\"x\",\"reference_images\":[\"https://example.com/a.png\"]}");
        Assert.Equal(400, status);
        Assert.Contains("reference_images: is not a parameter of happyhorse-1.0-t2v", error!["error"]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Image_to_video_follows_the_aspect_of_its_input_image()
    {
        var portrait = fixture.Images.Add("/i2v/portrait.png", TestImages.Png(600, 1000, SKColors.Teal, SKColors.Beige));
        var id = (await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.0-i2v", prompt = "Image 1 turns toward the camera", input_image = portrait, resolution = "720P", duration = 3 }))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
        await AssertSizeAsync(row, 720, 1280); // 600 × 1000 is closest to 9:16

        var missing = await Api.PostJsonAsync(fixture.Server.Client, "api/ai/queue", "{\"model\":\"happyhorse-1.0-i2v\",\"prompt\":\"x\"}");
        Assert.Equal(400, missing.Status);
        Assert.Contains("input_image: is required", missing.Body!["error"]!["detail"]!.GetValue<string>());

        var small = fixture.Images.Add("/i2v/small.png", TestImages.Png(300, 300, SKColors.Red, SKColors.White));
        var (status, error) = await Api.PostJsonAsync(fixture.Server.Client, "api/ai/videos/generate", $"{{\"model\":\"happyhorse-1.0-i2v\",\"prompt\":\"x\",\"input_image\":\"{small}\",\"resolution\":\"720P\",\"duration\":3}}");
        Assert.Equal(400, status);
        Assert.Equal("input_image: shorter side is 300 px; it must be more than 400 px", error!["error"]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Version_1_1_has_no_seed_and_records_none()
    {
        var (status, error) = await Api.PostJsonAsync(fixture.Server.Client, "api/ai/queue", "{\"model\":\"happyhorse-1.1-t2v\",\"prompt\":\"x\",\"seed\":3}");
        Assert.Equal(400, status);
        Assert.Contains("seed: is not a parameter of happyhorse-1.1-t2v", error!["error"]!["detail"]!.GetValue<string>());

        var id = (await Api.EnqueueAsync(fixture.Server.Client, new { model = "happyhorse-1.1-t2v", prompt = "snow falls on a quiet city", resolution = "720P", duration = 3 }))[0];
        var row = await Api.WaitTerminalAsync(fixture.Server.Client, id);
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        Assert.Null(row["seed"]);
    }

    private static async Task AssertSizeAsync(JsonNode row, int width, int height)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(file, await Api.DownloadAsync(row["result_url"]!.GetValue<string>()));
        var video = await Ffprobe.InspectAsync(file);
        File.Delete(file);
        Assert.Equal((width, height), (video.Width, video.Height));
    }
}
