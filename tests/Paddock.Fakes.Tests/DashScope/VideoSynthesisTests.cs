using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Paddock.Fakes.DashScope;
using Paddock.Fakes.Tests.Support;

namespace Paddock.Fakes.Tests.DashScope;

/// <summary>A task from create to a real video, as docs/providers/dashscope.md describes the provider.</summary>
public sealed class VideoSynthesisTests
{
    internal static FakeDashScopeOptions Fast(Action<FakeDashScopeOptions>? tweak = null)
    {
        var options = new FakeDashScopeOptions
        {
            PendingTime = TimeSpan.FromMilliseconds(300),
            TaskTime = TimeSpan.FromMilliseconds(800),
            ReferenceTimeout = TimeSpan.FromSeconds(5),
        };
        tweak?.Invoke(options);
        return options;
    }

    internal static object R2v(string prompt, IEnumerable<string> urls, string resolution = "720P", string ratio = "16:9", int duration = 3, string model = "happyhorse-1.1-r2v") => new
    {
        model,
        input = new { prompt, media = urls.Select(url => new { type = "reference_image", url }).ToArray() },
        parameters = new { resolution, ratio, duration, watermark = false, seed = 42 },
    };

    [Fact]
    public async Task Reference_to_video_goes_pending_running_succeeded_and_serves_a_24fps_mp4_with_audio_at_the_providers_size()
    {
        await using var images = await ImageServer.StartAsync();
        var fox = images.Add("/files/fox.png", TestMedia.Image(640, 480));
        var garden = TestMedia.DataUri(TestMedia.Image(800, 600, "jpg", "green"), "image/jpeg");
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.PendingTime = TimeSpan.FromMilliseconds(500)));
        using var calls = new DashScopeCalls(fake);
        const string prompt = "The fox from [Image 1] runs through the garden from [Image 2].";

        var created = await calls.CreateAsync(R2v(prompt, [fox, garden], ratio: "1:1"));

        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal("PENDING", created.TaskStatus);
        Assert.False(string.IsNullOrEmpty(created.Body.GetProperty("request_id").GetString()));
        var (seen, done) = await calls.WaitAsync(created.TaskId);
        Assert.Equal(new[] { "PENDING", "RUNNING", "SUCCEEDED" }, seen);

        var output = done.Output;
        Assert.Equal(prompt, output.GetProperty("orig_prompt").GetString());
        foreach (var time in new[] { "submit_time", "scheduled_time", "end_time" })
            Assert.Matches(new Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$"), output.GetProperty(time).GetString());
        var usage = done.Body.GetProperty("usage");
        Assert.Equal(3, usage.GetProperty("duration").GetInt32());
        Assert.Equal(0, usage.GetProperty("input_video_duration").GetInt32());
        Assert.Equal(3, usage.GetProperty("output_video_duration").GetInt32());
        Assert.Equal(1, usage.GetProperty("video_count").GetInt32());
        Assert.Equal(720, usage.GetProperty("SR").GetInt32());
        Assert.Equal("1:1", usage.GetProperty("ratio").GetString());

        // The video URL needs no key, like the provider's signed OSS link; the provider's 1:1 720P is 960x960, not Paddock's 720x720.
        var videoUrl = output.GetProperty("video_url").GetString()!;
        Assert.Contains("Expires=", videoUrl, StringComparison.Ordinal);
        using var download = new HttpClient();
        var video = TestMedia.Probe(await download.GetByteArrayAsync(videoUrl));
        Assert.Equal(new TestMedia.VideoFacts("h264", 960, 960, "24/1", 72, true, "aac"), video);

        // What the fake received is what the docs ask for, and the key was never recorded.
        var create = Assert.Single(fake.Requests.Where("POST", "/api/v1/services/aigc/video-generation/video-synthesis"));
        Assert.Equal("enable", create.Header("X-DashScope-Async"));
        Assert.Equal("Bearer ***", create.Header("Authorization"));
        Assert.DoesNotContain(fake.Requests.All, r => r.Headers.Values.Any(v => v.Contains(fake.ApiKey, StringComparison.Ordinal)) || r.Body.Contains(fake.ApiKey, StringComparison.Ordinal));
        var sent = JsonDocument.Parse(create.Body).RootElement;
        Assert.Equal("happyhorse-1.1-r2v", sent.GetProperty("model").GetString());
        Assert.Equal(new[] { fox, garden }, sent.GetProperty("input").GetProperty("media").EnumerateArray().Select(m => m.GetProperty("url").GetString()));
        Assert.False(sent.GetProperty("parameters").GetProperty("watermark").GetBoolean());
        Assert.Equal(1, fake.TasksCreated(prompt));
        Assert.Contains(fake.MediaFetches, f => f.Url == fox && f.Outcome == "ok");
    }

    [Fact]
    public async Task Png_jpeg_and_webp_references_given_as_data_uris_all_work()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);
        var urls = new[]
        {
            TestMedia.DataUri(TestMedia.Image(640, 480, "png"), "image/png"),
            TestMedia.DataUri(TestMedia.Image(480, 640, "jpg"), "image/jpeg"),
            TestMedia.DataUri(TestMedia.Image(500, 500, "webp"), "image/webp"),
        };

        var created = await calls.CreateAsync(R2v("[Image 1], [Image 2] and [Image 3] meet.", urls));
        var (_, done) = await calls.WaitAsync(created.TaskId);

        Assert.Equal("SUCCEEDED", done.TaskStatus);
        var task = fake.FindTask(created.TaskId)!;
        Assert.Equal((1280, 720), (task.Width!.Value, task.Height!.Value));
    }

    [Fact]
    public async Task Image_to_video_follows_the_first_frames_aspect_at_the_tiers_pixel_count()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);
        var frame = TestMedia.DataUri(TestMedia.Image(800, 600), "image/png");

        var created = await calls.CreateAsync(new
        {
            model = "happyhorse-1.0-i2v",
            input = new { media = new[] { new { type = "first_frame", url = frame } } },
            parameters = new { resolution = "720P", duration = 3, watermark = false },
        });
        var (_, done) = await calls.WaitAsync(created.TaskId);

        Assert.Equal("SUCCEEDED", done.TaskStatus);
        using var download = new HttpClient();
        var video = TestMedia.Probe(await download.GetByteArrayAsync(done.Output.GetProperty("video_url").GetString()));
        Assert.Equal((1104, 832), (video.Width, video.Height)); // 4:3 at about 1280x720's pixel count, sides in multiples of 16
        Assert.True(video.HasAudio);
    }

    [Fact]
    public async Task Parameters_left_out_take_the_documented_defaults()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast(o => o.PendingTime = o.TaskTime = TimeSpan.FromSeconds(30)));
        using var calls = new DashScopeCalls(fake);

        var created = await calls.CreateAsync(new { model = "happyhorse-1.0-t2v", input = new { prompt = "A paper city at night." } });

        Assert.Equal(HttpStatusCode.OK, created.Status);
        var request = fake.FindTask(created.TaskId)!.Request;
        Assert.Equal(("1080P", "16:9", 5, true, (long?)null), (request.Resolution, request.Ratio, request.Duration, request.Watermark, request.Seed));
        Assert.Equal(HttpStatusCode.OK, (await calls.CancelAsync(created.TaskId)).Status);
    }

    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        { """{"model":"happyhorse-9-r2v","input":{"prompt":"x"}}""", "InvalidParameter", "Model not exist." },
        { """{"input":{"prompt":"x"}}""", "BadRequest.EmptyModel", "\"model\"" },
        { """{"model":"happyhorse-1.0-t2v"}""", "BadRequest.EmptyInput", "input" },
        { """{"model":"happyhorse-1.0-t2v","input":{}}""", "InvalidParameter", "input.prompt" },
        { """{"model":"happyhorse-1.0-t2v","input":{"prompt":"x"},"parameters":{"resolution":"4K"}}""", "InvalidParameter", "parameters.resolution" },
        { """{"model":"happyhorse-1.0-t2v","input":{"prompt":"x"},"parameters":{"ratio":"2:1"}}""", "InvalidParameter", "parameters.ratio" },
        { """{"model":"happyhorse-1.0-t2v","input":{"prompt":"x"},"parameters":{"duration":16}}""", "InvalidParameter", "parameters.duration" },
        { """{"model":"happyhorse-1.0-t2v","input":{"prompt":"x"},"parameters":{"seed":-1}}""", "InvalidParameter", "parameters.seed" },
        { """{"model":"happyhorse-1.0-t2v","input":{"prompt":"x","media":[{"type":"reference_image","url":"https://a/b.png"}]}}""", "InvalidParameter", "not supported" },
        { """{"model":"happyhorse-1.0-r2v","input":{"prompt":"x","media":[]}}""", "InvalidParameter", "1 to 9" },
        { """{"model":"happyhorse-1.0-r2v","input":{"prompt":"x","media":[{"type":"first_frame","url":"https://a/b.png"}]}}""", "InvalidParameter", "reference_image" },
        { """{"model":"happyhorse-1.0-i2v","input":{"media":[]}}""", "InvalidParameter", "exactly one first_frame" },
        { "not json", "InvalidParameter", "JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task A_bad_create_body_is_a_400_that_names_the_problem_and_creates_nothing(string body, string code, string messagePart)
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);

        var answer = await calls.CreateRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(code, answer.Code);
        Assert.Contains(messagePart, answer.Message, StringComparison.Ordinal);
        Assert.Equal(0, fake.TasksCreated());
    }

    [Fact]
    public async Task Ten_references_are_one_too_many()
    {
        await using var fake = await FakeDashScope.StartAsync(Fast());
        using var calls = new DashScopeCalls(fake);
        var image = TestMedia.DataUri(TestMedia.Image(640, 480), "image/png");

        var answer = await calls.CreateAsync(R2v("[Image 1]", Enumerable.Repeat(image, 10)));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("1 to 9", answer.Message, StringComparison.Ordinal);
    }
}
