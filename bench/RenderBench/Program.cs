// Render + encode time of the built-in engine against ffmpeg alone encoding the very same frames
// with the same arguments through the same pipe. ENGINE.md asks for a ratio of at most 1.3.
//
//   dotnet run -c Release --project bench/RenderBench -- --duration 5 --resolution 1080P --runs 3
//
// The baseline's frames are held in memory (8 MB each at 1080p: 1 GB for 5 s). Runs alternate so
// that load from elsewhere on the machine falls on both sides; medians are reported.

using System.Diagnostics;
using System.Globalization;
using Paddock.Core.Engines;
using Paddock.Engines.Builtin;
using Paddock.Engines.Builtin.Encoding;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

var settings = BenchSettings.Parse(args);
var (width, height) = settings.Size ?? settings.Resolution switch
{
    "720P" => (1280, 720),
    "1080P" => (1920, 1080),
    _ => throw new ArgumentException($"--resolution must be 720P or 1080P, not {settings.Resolution}"),
};
var frameCount = 24 * settings.Duration;
var options = new BuiltinEngineOptions { Preset = settings.Preset };
var engine = new BuiltinVideoEngine(options);
IReadOnlyList<ReferenceImage> references = settings.References
    ?
    [
        Reference(1, 1600, 1200, new SKColor(214, 96, 48), SKEncodedImageFormat.Jpeg),
        Reference(2, 1024, 1024, new SKColor(52, 120, 196), SKEncodedImageFormat.Png),
    ]
    : [];
var job = new RenderJob(Guid.NewGuid(), "happyhorse-1.0-r2v", "Image 1 walks through a beautiful garden, then Image 2 waves, cinematic lighting.",
    references, width, height, 24, frameCount, 42);
var scratch = Directory.CreateTempSubdirectory("paddock-bench-").FullName;
var label = settings.Size is { } size ? $"{size.Width}x{size.Height}" : settings.Resolution;

try
{
    Console.WriteLine($"{frameCount} frames {width}x{height}, preset {options.Preset}, crf {options.Crf}, threads {options.Threads}, {Environment.ProcessorCount} cores, {references.Count} references");

    // The baseline encodes exactly the frames the engine draws, prepared in memory beforehand.
    var frames = ComposeAll(job, settings.FrameTimes ? 5 : 1, out var frameMs);
    Console.WriteLine($"compose only: {frameMs.Average():F1} ms/frame");
    if (settings.FrameTimes)
    {
        // Per second of video, to see which kind of shot costs what.
        Console.WriteLine("compose ms/frame per second of video: " + string.Join(" ", frameMs.Chunk(24).Select(c => c.Average().ToString("F1", CultureInfo.InvariantCulture))));
    }

    // Warm-up (JIT, Skia and ffmpeg start-up paths), not counted.
    await engine.RenderAsync(job with { FrameCount = 24 }, Path.Combine(scratch, "warmup.mp4"), new Progress<RenderProgress>(), CancellationToken.None);

    var renderTimes = new List<double>();
    var baselineTimes = new List<double>();
    for (var run = 0; run < settings.Runs; run++)
    {
        var output = Path.Combine(scratch, $"render{run}.mp4");
        var clock = Stopwatch.StartNew();
        await engine.RenderAsync(job, output, new Progress<RenderProgress>(), CancellationToken.None);
        renderTimes.Add(clock.Elapsed.TotalSeconds);

        var baseline = Path.Combine(scratch, $"baseline{run}.mp4");
        clock.Restart();
        EncodeOnly(EncoderSettings.From(options, width, height, 24), frames, baseline);
        baselineTimes.Add(clock.Elapsed.TotalSeconds);

        // Same frames, same arguments: the two files must be byte for byte the same.
        var same = File.ReadAllBytes(output).AsSpan().SequenceEqual(File.ReadAllBytes(baseline));
        Console.WriteLine($"run {run + 1}: render {renderTimes[^1]:F2} s, ffmpeg alone {baselineTimes[^1]:F2} s, {new FileInfo(output).Length / 1024} KiB, {(same ? "identical bytes" : "OUTPUTS DIFFER")}");
        if (run == 0 && settings.Keep is not null)
        {
            File.Copy(output, settings.Keep, overwrite: true);
        }
    }

    var render = Median(renderTimes);
    var alone = Median(baselineTimes);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"render {settings.Duration}s {label}: {render:F2} s, ffmpeg alone: {alone:F2} s, ratio {render / alone:F2}"));
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

static byte[][] ComposeAll(RenderJob job, int repeats, out double[] frameMs)
{
    var cast = job.References.Select(r => ReferenceDecoder.Decode(r, job.Width, job.Height)).ToList();
    try
    {
        using var composer = new FrameComposer(Director.Plan(job), cast);
        using var buffer = new FrameBuffer(job.Width, job.Height);
        var frames = new byte[job.FrameCount][];
        frameMs = new double[job.FrameCount];
        for (var i = 0; i < job.FrameCount; i++)
        {
            // With --frame-times each frame is drawn a few times and the fastest kept: other load on
            // the machine only ever adds time.
            frameMs[i] = double.MaxValue;
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                var started = Stopwatch.GetTimestamp();
                composer.Compose(buffer, i);
                frameMs[i] = Math.Min(frameMs[i], Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            frames[i] = (byte[])buffer.Pixels.Clone();
        }

        return frames;
    }
    finally
    {
        cast.ForEach(member => member.Dispose());
    }
}

static void EncodeOnly(EncoderSettings settings, byte[][] frames, string output)
{
    using var encoder = FfmpegEncoder.Start(settings, output);
    foreach (var frame in frames)
    {
        encoder.WriteFrame(frame);
    }

    encoder.Complete();
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static ReferenceImage Reference(int index, int width, int height, SKColor color, SKEncodedImageFormat format)
{
    // A photo-like test card: gradient, soft shapes and fine detail, so the encoder has real work.
    using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
    var canvas = surface.Canvas;
    using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
               [color, new SKColor((byte)(color.Blue / 2), (byte)(color.Red / 2), color.Green), SKColors.Black], SKShaderTileMode.Clamp))
    using (var paint = new SKPaint { Shader = shader })
    {
        canvas.DrawPaint(paint);
    }

    var random = new DeterministicRandom((ulong)index);
    using var dot = new SKPaint { IsAntialias = true };
    for (var i = 0; i < 400; i++)
    {
        dot.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), (byte)random.Range(60, 220));
        canvas.DrawCircle(random.Range(0, width), random.Range(0, height), random.Range(2, width * 0.06f), dot);
    }

    using var image = surface.Snapshot();
    using var data = image.Encode(format, 90);
    return new ReferenceImage(index, $"bench://image{index}", data.ToArray(), format == SKEncodedImageFormat.Png ? "image/png" : "image/jpeg", width, height);
}

internal sealed record BenchSettings(int Duration, string Resolution, int Runs, string Preset, bool References, string? Keep, bool FrameTimes, (int Width, int Height)? Size)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(5, "1080P", 3, "veryfast", true, null, false, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            settings = args[i] switch
            {
                "--duration" => settings with { Duration = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--resolution" => settings with { Resolution = Value().ToUpperInvariant() },
                "--runs" => settings with { Runs = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--preset" => settings with { Preset = Value() },
                "--no-references" => settings with { References = false },
                "--keep" => settings with { Keep = Path.GetFullPath(Value()) },
                "--frame-times" => settings with { FrameTimes = true },
                "--size" => settings with { Size = ParseSize(Value()) },
                _ => throw new ArgumentException($"unknown argument {args[i]}; use --duration N --resolution 720P|1080P --runs N [--preset P] [--no-references] [--keep out.mp4] [--frame-times] [--size WxH]"),
            };
        }

        static (int, int) ParseSize(string text)
        {
            var parts = text.Split('x');
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        return settings.Runs >= 1 && settings.Duration >= 1 ? settings : throw new ArgumentException("--runs and --duration must be at least 1");
    }
}
