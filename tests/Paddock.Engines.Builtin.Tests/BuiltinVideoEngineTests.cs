using System.Diagnostics;
using System.Security.Cryptography;
using Paddock.Core.Engines;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

public sealed class BuiltinVideoEngineTests : IDisposable
{
    private static readonly BuiltinEngineOptions Fast = new() { Preset = "ultrafast" };

    private readonly string _directory = Directory.CreateTempSubdirectory("paddock-builtin-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Describes_itself_as_a_renderer_not_a_model()
    {
        var engine = new BuiltinVideoEngine(new BuiltinEngineOptions());

        Assert.Equal("builtin", engine.Name);
        Assert.Contains("not a neural network", engine.Description);
        Assert.False(string.IsNullOrWhiteSpace(engine.Version));
    }

    [Theory]
    [InlineData(1280, 720)]
    [InlineData(720, 1280)]
    public async Task Three_seconds_with_default_settings_is_exact_h264(int width, int height)
    {
        var engine = new BuiltinVideoEngine(new BuiltinEngineOptions());
        var output = Output();

        await engine.RenderAsync(TestMedia.Job(width, height, 3, TestMedia.TwoReferences()), output, new ProgressLog(), CancellationToken.None);

        var video = TestMedia.Probe(output);
        Assert.Equal(width, video.Width);
        Assert.Equal(height, video.Height);
        Assert.Equal("24/1", video.FrameRate);
        Assert.Equal(72, video.Frames);
        Assert.Equal("h264", video.Codec);
        Assert.Equal("yuv420p", video.PixelFormat);
        Assert.Equal("bt709", video.ColorSpace);
        Assert.Equal("bt709", video.ColorTransfer);
        Assert.Equal("bt709", video.ColorPrimaries);
        Assert.Equal("tv", video.ColorRange);
        // Fast start: the index comes before the media data, so playback starts before the download ends.
        var boxes = TestMedia.TopLevelBoxes(output);
        Assert.True(boxes.IndexOf("moov") < boxes.IndexOf("mdat"), string.Join(",", boxes));
        Assert.Equal([Path.GetFileName(output)], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Renders_a_procedural_scene_without_references()
    {
        var output = Output();

        await new BuiltinVideoEngine(Fast).RenderAsync(TestMedia.Job(1280, 720, 3, [], "A red ball bounces across a field"),
            output, new ProgressLog(), CancellationToken.None);

        var video = TestMedia.Probe(output);
        Assert.Equal((1280, 720, 72, "h264"), (video.Width, video.Height, video.Frames, video.Codec));
        // Something moves: the first and last frames differ.
        Assert.NotEqual(TestMedia.FrameRgb(output, 0), TestMedia.FrameRgb(output, 71));
    }

    [Fact]
    public async Task Same_job_twice_gives_identical_bytes()
    {
        var engine = new BuiltinVideoEngine(Fast);
        var job = TestMedia.Job(1280, 720, 3, TestMedia.TwoReferences(), seed: 7);
        var first = Output();
        var second = Output();

        await engine.RenderAsync(job, first, new ProgressLog(), CancellationToken.None);
        await engine.RenderAsync(job with { GenerationId = Guid.NewGuid() }, second, new ProgressLog(), CancellationToken.None);

        Assert.Equal(Hash(first), Hash(second));
    }

    [Fact]
    public async Task Same_job_without_references_twice_gives_identical_bytes()
    {
        var engine = new BuiltinVideoEngine(Fast);
        var job = TestMedia.Job(720, 720, 3, [], "A fox runs through the snow", seed: 3);
        var first = Output();
        var second = Output();

        await engine.RenderAsync(job, first, new ProgressLog(), CancellationToken.None);
        await engine.RenderAsync(job, second, new ProgressLog(), CancellationToken.None);

        Assert.Equal(Hash(first), Hash(second));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Different_seed_gives_different_bytes(bool withReferences)
    {
        var engine = new BuiltinVideoEngine(Fast);
        var references = withReferences ? TestMedia.TwoReferences() : [];
        var first = Output();
        var second = Output();

        await engine.RenderAsync(TestMedia.Job(1280, 720, 3, references, seed: 1), first, new ProgressLog(), CancellationToken.None);
        await engine.RenderAsync(TestMedia.Job(1280, 720, 3, references, seed: 2), second, new ProgressLog(), CancellationToken.None);

        Assert.NotEqual(Hash(first), Hash(second));
        Assert.NotEqual(TestMedia.FrameRgb(first, 36), TestMedia.FrameRgb(second, 36));
    }

    [Fact]
    public async Task Named_references_lead_in_prompt_order_with_true_colours()
    {
        var references = new[]
        {
            TestMedia.Reference(1, TestMedia.Solid(1280, 720, new SKColor(220, 20, 20), SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 1280, 720),
            TestMedia.Reference(2, TestMedia.Solid(1280, 720, new SKColor(20, 20, 220), SKEncodedImageFormat.Jpeg), SKEncodedImageFormat.Jpeg, 1280, 720),
        };
        var output = Output();

        await new BuiltinVideoEngine(Fast).RenderAsync(
            TestMedia.Job(1280, 720, 3, references, "@image 2 dances in the rain, then Image1 waves"), output, new ProgressLog(), CancellationToken.None);

        // Image 2 (blue) opens because the prompt names it first; Image 1 (red) closes. Red and blue
        // swapped would mean the wrong pixel order on the pipe; a shift of 15-20 levels, RGB converted
        // with BT.601 while the file is tagged BT.709. (The median of the middle, so a raindrop
        // crossing the centre pixel does not count.)
        AssertClose((20, 20, 220), CentrePixel(TestMedia.FrameRgb(output, 0), 1280, 720));
        AssertClose((220, 20, 20), CentrePixel(TestMedia.FrameRgb(output, 71), 1280, 720));
    }

    [Fact]
    public async Task Transparent_reference_is_cut_out_over_the_set()
    {
        // A PNG cut-out: a disc on a transparent field.
        using var surface = SKSurface.Create(new SKImageInfo(800, 600, SKColorType.Bgra8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.Transparent);
        using (var paint = new SKPaint { Color = new SKColor(240, 200, 0), IsAntialias = true })
        {
            surface.Canvas.DrawCircle(400, 300, 250, paint);
        }

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        var references = new[] { TestMedia.Reference(1, png.ToArray(), SKEncodedImageFormat.Png, 800, 600) };
        var output = Output();

        await new BuiltinVideoEngine(Fast).RenderAsync(TestMedia.Job(1280, 720, 3, references), output, new ProgressLog(), CancellationToken.None);

        Assert.Equal(72, TestMedia.Probe(output).Frames);
        var frame = TestMedia.FrameRgb(output, 36);
        var centre = CentrePixel(frame, 1280, 720);
        Assert.True(centre.R > 180 && centre.G > 140 && centre.B < 80, $"centre {centre}");
        // Outside the disc (the left edge, halfway down) the garden shows, not black.
        var edge = ((360 * 1280) + 8) * 3;
        Assert.True(frame[edge] + frame[edge + 1] + frame[edge + 2] > 60, $"edge {frame[edge]},{frame[edge + 1]},{frame[edge + 2]}");
    }

    [Fact]
    public async Task Reports_rendering_progress_then_encoding_done()
    {
        var progress = new ProgressLog();

        await new BuiltinVideoEngine(Fast).RenderAsync(TestMedia.Job(1280, 720, 3, TestMedia.TwoReferences()), Output(), progress, CancellationToken.None);

        var reports = progress.Reports;
        var rendering = reports.Where(r => r.Phase == "rendering").Select(r => r.Fraction).ToList();
        Assert.True(rendering.Count >= 5, $"{rendering.Count} rendering reports");
        Assert.Equal(rendering.Order(), rendering);
        Assert.All(rendering, fraction => Assert.InRange(fraction, 0.0, 1.0));
        Assert.Equal(new RenderProgress("encoding", 1.0), reports[^1]);
    }

    [Fact]
    public async Task Cancel_during_render_stops_within_a_second_and_leaves_no_file()
    {
        using var cts = new CancellationTokenSource();
        var underway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new ProgressLog(report =>
        {
            if (report.Fraction >= 0.1)
            {
                underway.TrySetResult();
            }
        });
        var output = Output();
        // 15 s at the default preset: far longer than the test waits before cancelling.
        var render = new BuiltinVideoEngine(new BuiltinEngineOptions())
            .RenderAsync(TestMedia.Job(1280, 720, 15, TestMedia.TwoReferences()), output, progress, cts.Token);

        await underway.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => render);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"stopped after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(progress.Reports[^1].Fraction < 1.0);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    /// <summary>
    /// The kernel's out-of-memory killer (or an operator) ends the encoder mid-render: the failure says so and is of a
    /// kind the worker retries, since nothing in the request caused it.
    /// </summary>
    [Fact]
    public async Task An_encoder_killed_from_outside_is_a_retryable_failure_that_says_so()
    {
        var underway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new ProgressLog(report =>
        {
            if (report.Fraction >= 0.1) underway.TrySetResult();
        });
        var output = Output();
        var render = new BuiltinVideoEngine(new BuiltinEngineOptions())
            .RenderAsync(TestMedia.Job(1280, 720, 15, TestMedia.TwoReferences()), output, progress, CancellationToken.None);
        await underway.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var encoder = Directory.EnumerateDirectories("/proc")
            .Select(entry => (Pid: Path.GetFileName(entry), Arguments: ReadCommandLine(entry)))
            .Single(p => p.Arguments.Any(a => a.StartsWith(output + ".", StringComparison.Ordinal) && a.EndsWith(".partial", StringComparison.Ordinal)));
        Process.Start("kill", ["-KILL", encoder.Pid])!.WaitForExit();

        var failure = await Assert.ThrowsAsync<EngineFailureException>(() => render);
        Assert.Equal(FailureKind.ProviderUnavailable, failure.Kind);
        Assert.True(failure.Kind.IsRetryable());
        Assert.Contains("killed (SIGKILL)", failure.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    private static string[] ReadCommandLine(string procEntry)
    {
        try { return File.ReadAllText(Path.Combine(procEntry, "cmdline")).Split('\0'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    [Fact]
    public async Task Already_cancelled_token_renders_nothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new BuiltinVideoEngine(Fast).RenderAsync(TestMedia.Job(1280, 720, 3, []), Output(), new ProgressLog(), cts.Token));

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Undecodable_reference_is_named_in_the_error()
    {
        var references = new[]
        {
            TestMedia.TwoReferences()[0],
            new ReferenceImage(2, "test://broken.png", "\u0089PNG but not really an image"u8.ToArray(), "image/png", 640, 480),
        };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            new BuiltinVideoEngine(Fast).RenderAsync(TestMedia.Job(1280, 720, 3, references), Output(), new ProgressLog(), CancellationToken.None));

        Assert.StartsWith("reference_images[1]: ", error.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Truncated_reference_is_named_in_the_error()
    {
        var bytes = TestMedia.Picture(640, 480, SKColors.Teal, SKEncodedImageFormat.Jpeg);
        var references = new[] { TestMedia.Reference(1, bytes[..(bytes.Length / 3)], SKEncodedImageFormat.Jpeg, 640, 480) };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            new BuiltinVideoEngine(Fast).RenderAsync(TestMedia.Job(1280, 720, 3, references), Output(), new ProgressLog(), CancellationToken.None));

        Assert.StartsWith("reference_images[0]: ", error.Message);
    }

    [Fact]
    public async Task Ffmpeg_failure_carries_its_message_and_leaves_no_file()
    {
        var engine = new BuiltinVideoEngine(new BuiltinEngineOptions { Preset = "nosuchpreset" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            engine.RenderAsync(TestMedia.Job(1280, 720, 3, TestMedia.TwoReferences()), Output(), new ProgressLog(), CancellationToken.None));

        Assert.Contains("ffmpeg", error.Message);
        Assert.Contains("nosuchpreset", error.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Missing_ffmpeg_is_a_clear_error()
    {
        var engine = new BuiltinVideoEngine(new BuiltinEngineOptions { FfmpegPath = "/nonexistent/ffmpeg" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            engine.RenderAsync(TestMedia.Job(1280, 720, 3, []), Output(), new ProgressLog(), CancellationToken.None));

        Assert.Contains("/nonexistent/ffmpeg", error.Message);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Options_out_of_range_are_rejected_when_the_engine_is_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BuiltinVideoEngine(new BuiltinEngineOptions { Crf = 60 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BuiltinVideoEngine(new BuiltinEngineOptions { Threads = 0 }));
        Assert.Throws<ArgumentException>(() => new BuiltinVideoEngine(new BuiltinEngineOptions { Preset = "fast; rm -rf" }));
    }

    private string Output() => Path.Combine(_directory, $"{Guid.NewGuid():N}.mp4");

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static void AssertClose((int R, int G, int B) expected, (byte R, byte G, byte B) actual)
    {
        var close = Math.Abs(expected.R - actual.R) <= 8 && Math.Abs(expected.G - actual.G) <= 8 && Math.Abs(expected.B - actual.B) <= 8;
        Assert.True(close, $"expected about {expected}, got {actual}");
    }

    /// <summary>The per-channel median of the 15×15 pixels around the centre.</summary>
    private static (byte R, byte G, byte B) CentrePixel(byte[] rgb, int width, int height)
    {
        var channels = new List<byte>[] { [], [], [] };
        for (var y = (height / 2) - 7; y <= (height / 2) + 7; y++)
        {
            for (var x = (width / 2) - 7; x <= (width / 2) + 7; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    channels[c].Add(rgb[(((y * width) + x) * 3) + c]);
                }
            }
        }

        byte Median(List<byte> values) => values.Order().ElementAt(values.Count / 2);
        return (Median(channels[0]), Median(channels[1]), Median(channels[2]));
    }
}
