using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock render</c>: a request JSON to an MP4 in this process, no server involved.</summary>
[Collection(CliServerCollection.Name)]
public sealed class RenderTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_request_with_a_local_reference_renders_to_the_requested_size_and_the_same_bytes_each_time()
    {
        var sample = await _cli.RunAsync("render", "--sample-image", "fox.png", "--subject", "fox");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        // Relative paths in the request are read from the request's own folder.
        Directory.CreateDirectory(_cli.PathOf("requests"));
        File.Move(_cli.PathOf("fox.png"), _cli.PathOf("requests/fox.png"));
        File.WriteAllText(_cli.PathOf("requests/walk.json"), """
            {"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks through a snowy forest, pan left",
             "reference_images":["fox.png"],"aspect_ratio":"9:16","resolution":"720P","duration":3,"seed":7}
            """);

        var first = await _cli.RunAsync("render", "requests/walk.json", "-o", "a.mp4", "--preset", "ultrafast");
        var again = await _cli.RunAsync("render", "requests/walk.json", "-o", "b.mp4", "--preset", "ultrafast");
        var reseeded = await _cli.RunAsync("render", "requests/walk.json", "-o", "c.mp4", "--preset", "ultrafast", "--seed", "8");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("wrote a.mp4 (720x1280, 72 frames, seed 7)", first.Stderr);
        var video = await TestMedia.ProbeAsync(_cli.PathOf("a.mp4"));
        Assert.Equal(("h264", 720, 1280, 72), (video.Codec, video.Width, video.Height, video.Frames));
        Assert.True(again.ExitCode == 0 && reseeded.ExitCode == 0, again + "\n" + reseeded);
        Assert.Equal(File.ReadAllBytes(_cli.PathOf("a.mp4")), File.ReadAllBytes(_cli.PathOf("b.mp4")));
        Assert.NotEqual(File.ReadAllBytes(_cli.PathOf("a.mp4")), File.ReadAllBytes(_cli.PathOf("c.mp4")));
    }

    [Fact]
    public async Task An_image_to_video_request_follows_its_input_images_aspect()
    {
        TestMedia.WritePng(_cli.PathOf("tall.png"), 600, 800);
        File.WriteAllText(_cli.PathOf("i2v.json"), """{"model":"happyhorse-1.0-i2v","prompt":"Image 1 turns","input_image":"tall.png","resolution":"720P","duration":3}""");

        var result = await _cli.RunAsync("render", "i2v.json", "-o", "tall.mp4", "--preset", "ultrafast");

        Assert.True(result.ExitCode == 0, result.ToString());
        var video = await TestMedia.ProbeAsync(_cli.PathOf("tall.mp4"));
        Assert.Equal((720, 960, 72), (video.Width, video.Height, video.Frames)); // 3:4, the image's aspect
    }

    [Theory]
    [InlineData("""{"prompt":"Image 2 waves","reference_images":["small.png"]}""", "prompt: names Image 2 but reference_images")]
    [InlineData("""{"prompt":"Image 1 waves","reference_images":["small.png"],"duration":5}""", "reference_images[0]: shorter side is 300 px")]
    [InlineData("""{"prompt":"Image 1 waves","reference_images":["missing.png"]}""", "reference_images[0]: no such file")]
    [InlineData("""{"prompt":"","duration":5}""", "prompt: must not be empty")]
    [InlineData("""{"prompt":"a horse","duration":20}""", "duration: must be between 3 and 15")]
    [InlineData("""{"prompt":"a horse","duration":"five"}""", "duration: must be an integer")]
    [InlineData("""{"prompt":"a horse",""", "paddock: the request: is not valid JSON: it ends at line 1, position 21 before the JSON is complete")]
    [InlineData("""["a horse"]""", "paddock: the request must be a JSON object")]
    [InlineData("""{"prompt":"Image 1 walks","prompt":"Image 1 runs"}""", "prompt: is given twice (at line 1, position 27); send each field once")]
    [InlineData("""{"prompt":"a horse \ud83e"}""", "prompt: is not valid text")]
    [InlineData("""{"prompt":"Image 1 waves","reference_images":["\udc00.png"]}""", "reference_images[0]: is not valid text")]
    [InlineData("""{"prompt":"a horse","reference_images":[3]}""", "reference_images[0]: must be a string")]
    [InlineData("""{"prompt":"a horse","resolution":"4K"}""", "resolution: must be one of 720P, 1080P")]
    [InlineData("""{"model":"happyhorse-1.1-r2v","prompt":"a horse","seed":3}""", "seed: is not a parameter of happyhorse-1.1-r2v")]
    [InlineData("""{"model":"happyhorse-1.0-i2v","prompt":"Image 1 runs","input_image":"bad.json"}""", "input_image: is not a JPEG or PNG image")]
    public async Task A_request_it_cannot_render_exits_2_with_what_to_fix_and_writes_nothing(string request, string message)
    {
        TestMedia.WritePng(_cli.PathOf("small.png"), 300, 300);
        File.WriteAllText(_cli.PathOf("bad.json"), request);

        var result = await _cli.RunAsync("render", "bad.json", "-o", "out.mp4");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.False(File.Exists(_cli.PathOf("out.mp4")));
    }
}
