using System.Text.Json.Nodes;
using Paddock.Engines.HappyHorse.Tests.Support;
using Paddock.Fakes.DashScope.Recording;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>The same request a user sends to the built-in renderer, served by the provider's API (the fake) instead.</summary>
public sealed class EndToEndTests
{
    private const string CreatePath = "/api/v1/services/aigc/video-generation/video-synthesis";

    [Fact]
    public async Task Two_named_references_reach_the_provider_as_its_documentation_asks_and_the_video_is_exactly_the_one_promised()
    {
        await using var rig = await Rig.StartAsync();
        // The provider fetches Paddock's own signed links, so Paddock needs a public base URL: its own loopback address here.
        var port = Rig.FreePort();
        var paddock = await rig.StartPaddockAsync(new Dictionary<string, string>
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["Paddock:PublicBaseUrl"] = $"http://127.0.0.1:{port}",
        });
        var fox = rig.Reference("fox", SKColors.OrangeRed);
        var garden = rig.Reference("garden", SKColors.ForestGreen);
        await using var events = await SseReader.OpenAsync(paddock.Client);

        var id = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 walks through @image 2 while @Image1 looks back at the camera",
            reference_images = new[] { fox, garden },
            aspect_ratio = "1:1",
            resolution = "720P",
            duration = 3,
            seed = 42,
        });
        var seen = await events.ReadUntilAsync(e => e.Type == "media_generation_completed" && e.Data.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var row = await Api.GetRowAsync(paddock.Client, id);
        Assert.Equal("succeeded", Wire.Status(row));

        // The provider's 1:1 720P is 960x960; the API promises 720x720, 24 fps, 72 frames, and the provider's sound is kept.
        var (video, hasAudio) = await Wire.DownloadAndProbeAsync(row);
        Assert.Equal((720, 720, "24/1", 72, "h264"), (video.Width, video.Height, video.FrameRate, video.Frames, video.Codec));
        Assert.True(hasAudio, "the provider's audio track was kept");
        var task = Assert.Single(rig.Fake.Tasks);
        Assert.Equal((960, 960), (task.Width, task.Height));

        // Progress as a client sees it: the provider's phases in their order.
        var phases = seen.Where(e => e.Type == "media_generation_progress" && e.Data.Contains(id, StringComparison.Ordinal))
            .Select(e => JsonNode.Parse(e.Data)!["phase"]!.GetValue<string>()).Distinct().ToList();
        string[] order = ["fetching_references", "rendering", "submitting", "queued", "generating", "downloading", "conforming", "storing"];
        Assert.Contains("generating", phases);
        Assert.Equal(phases.OrderBy(p => Array.IndexOf(order, p)), phases);
        Assert.All(phases, p => Assert.Contains(p, order));

        // The create call, as docs/providers/dashscope.md (Create a task) asks for it.
        var create = Assert.Single(rig.Fake.Requests.Where("POST", CreatePath));
        Assert.Equal("enable", create.Header("X-DashScope-Async"));
        Assert.Equal(RequestLog.RedactedAuthorization, create.Header("Authorization"));
        Assert.StartsWith("application/json", create.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Null(create.Header("X-DashScope-OssResourceResolve"));
        var body = JsonNode.Parse(create.Body)!;
        Assert.Equal("happyhorse-1.0-r2v", body["model"]!.GetValue<string>());
        Assert.Equal("[Image 1] walks through [Image 2] while [Image 1] looks back at the camera", body["input"]!["prompt"]!.GetValue<string>());
        var media = body["input"]!["media"]!.AsArray();
        Assert.Equal(["reference_image", "reference_image"], media.Select(m => m!["type"]!.GetValue<string>()));
        Assert.All(media, m => Assert.StartsWith($"http://127.0.0.1:{port}/api/references/", m!["url"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"resolution":"720P","ratio":"1:1","duration":3,"watermark":false,"seed":42}"""), body["parameters"]),
            body["parameters"]!.ToJsonString());
        // The provider downloaded both links (the exact checked bytes) while it inspected the request.
        Assert.Equal(["ok", "ok"], rig.Fake.MediaFetches.Select(f => f.Outcome));

        // The row names the task it waited on; the task was polled with the key only, never sent the async header.
        Assert.Equal(Rig.Backend, row["remote"]!["backend"]!.GetValue<string>());
        Assert.Equal(task.TaskId, row["remote"]!["id"]!.GetValue<string>());
        var queries = rig.Fake.Requests.Where("GET", "/api/v1/tasks/" + task.TaskId);
        Assert.NotEmpty(queries);
        Assert.All(queries, q => Assert.Null(q.Header("X-DashScope-Async")));
    }

    [Fact]
    public async Task Without_a_public_address_the_references_travel_inline_and_the_character_style_names_them()
    {
        await using var rig = await Rig.StartAsync();
        var paddock = await rig.StartPaddockAsync(new Dictionary<string, string> { [$"Paddock:Backends:{Rig.Backend}:PromptReferenceStyle"] = "character" });
        var id = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.1-r2v",
            prompt = "The fox from Image1 sits in the garden of [Image 2].",
            reference_images = new[] { rig.Reference("fox", SKColors.OrangeRed), rig.Reference("garden", SKColors.ForestGreen) },
            aspect_ratio = "16:9",
            resolution = "720P",
            duration = 3,
        });
        var row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal("succeeded", Wire.Status(row));
        var (video, hasAudio) = await Wire.DownloadAndProbeAsync(row);
        Assert.Equal((1280, 720, 72), (video.Width, video.Height, video.Frames));
        Assert.True(hasAudio);

        var body = JsonNode.Parse(Assert.Single(rig.Fake.Requests.Where("POST", CreatePath)).Body)!;
        Assert.Equal("happyhorse-1.1-r2v", body["model"]!.GetValue<string>());
        Assert.Equal("The fox from character1 sits in the garden of character2.", body["input"]!["prompt"]!.GetValue<string>());
        Assert.All(body["input"]!["media"]!.AsArray(), m => Assert.StartsWith("data:image/png;base64,", m!["url"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal("16:9", body["parameters"]!["ratio"]!.GetValue<string>());
        Assert.Equal(2, rig.Images.Requests); // Paddock fetched each reference once; the provider needed no link
    }

    [Fact]
    public async Task Temporary_uploads_carry_the_references_as_oss_urls_that_the_create_call_asks_to_resolve()
    {
        await using var rig = await Rig.StartAsync();
        var paddock = await rig.StartPaddockAsync(new Dictionary<string, string> { [$"Paddock:Backends:{Rig.Backend}:ReferenceDelivery"] = "oss_upload" });
        var id = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 and Image 2 dance.",
            reference_images = new[] { rig.Reference("fox", SKColors.OrangeRed), rig.Reference("owl", SKColors.SaddleBrown) },
            aspect_ratio = "9:16",
            resolution = "720P",
            duration = 3,
        });
        var row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal("succeeded", Wire.Status(row));

        var policy = Assert.Single(rig.Fake.Requests.Where("GET", "/api/v1/uploads"));
        Assert.Equal("?action=getPolicy&model=happyhorse-1.0-r2v", policy.Query);
        var uploads = rig.Fake.Requests.Where("POST", "/oss");
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, u => Assert.Null(u.Header("Authorization"))); // the key never goes to the storage host
        Assert.Equal(2, rig.Fake.UploadedFiles.Count);

        var create = Assert.Single(rig.Fake.Requests.Where("POST", CreatePath));
        Assert.Equal("enable", create.Header("X-DashScope-OssResourceResolve"));
        var urls = JsonNode.Parse(create.Body)!["input"]!["media"]!.AsArray().Select(m => m!["url"]!.GetValue<string>()).ToList();
        Assert.Equal(rig.Fake.UploadedFiles.Select(f => "oss://" + f.Key).Order(), urls.Order());
    }

    [Fact]
    public async Task Image_to_video_sends_one_first_frame_and_no_ratio_and_text_to_video_sends_no_media()
    {
        await using var rig = await Rig.StartAsync();
        var paddock = await rig.StartPaddockAsync();
        var i2v = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.0-i2v",
            prompt = "Image 1 slowly turns toward the camera.",
            input_image = rig.Reference("portrait", SKColors.SteelBlue, 800, 600),
            resolution = "720P",
            duration = 3,
        });
        var t2v = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A paper city at night.", aspect_ratio = "9:16", resolution = "720P", duration = 3 });

        var i2vRow = await Wire.WaitForAsync(paddock.Client, i2v, r => Wire.Status(r) is "succeeded" or "failed");
        var t2vRow = await Wire.WaitForAsync(paddock.Client, t2v, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal(("succeeded", "succeeded"), (Wire.Status(i2vRow), Wire.Status(t2vRow)));
        // The input image is 4:3, so the promised video is 960x720 (the provider's own is another 4:3-ish size).
        var (i2vVideo, _) = await Wire.DownloadAndProbeAsync(i2vRow);
        var (t2vVideo, _) = await Wire.DownloadAndProbeAsync(t2vRow);
        Assert.Equal((960, 720, 72), (i2vVideo.Width, i2vVideo.Height, i2vVideo.Frames));
        Assert.Equal((720, 1280, 72), (t2vVideo.Width, t2vVideo.Height, t2vVideo.Frames));

        var bodies = rig.Fake.Requests.Where("POST", CreatePath).Select(r => JsonNode.Parse(r.Body)!).ToList();
        var i2vBody = bodies.Single(b => b["model"]!.GetValue<string>() == "happyhorse-1.0-i2v");
        Assert.Equal("first_frame", Assert.Single(i2vBody["input"]!["media"]!.AsArray())!["type"]!.GetValue<string>());
        Assert.Null(i2vBody["parameters"]!["ratio"]);
        Assert.Equal("Image 1 slowly turns toward the camera.", i2vBody["input"]!["prompt"]!.GetValue<string>());
        var t2vBody = bodies.Single(b => b["model"]!.GetValue<string>() == "happyhorse-1.0-t2v");
        Assert.Null(t2vBody["input"]!["media"]);
        Assert.Equal("9:16", t2vBody["parameters"]!["ratio"]!.GetValue<string>());
        Assert.False(t2vBody["parameters"]!["watermark"]!.GetValue<bool>());
    }
}
