// Render + encode time of the built-in engine against ffmpeg alone encoding the very same frames
// with the same arguments through the same pipe, for 5 s and 15 s clips at 720P and 1080P, and the
// peak memory of a 15 s 1080P render. The target is a ratio of at most 1.3 (the built-in renderer may cost at most 30% over encoding alone).
//
//   dotnet run -c Release --project bench/RenderBench                       # the whole table
//   dotnet run -c Release --project bench/RenderBench -- --duration 5 --resolution 1080P --runs 3
//
// The baseline's frames are composed first and held in memory (8 MB each at 1080p: 3 GB for 15 s).
// Runs alternate so that load from elsewhere on the machine falls on both sides; medians are
// reported. The memory figure comes from a child process that only renders (as a server does),
// reading its own peak resident set (VmHWM) and ffmpeg's (getrusage of its children).

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Paddock.Core.Engines;
using Paddock.Engines.Builtin;
using Paddock.Engines.Builtin.Encoding;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var settings = BenchSettings.Parse(args);
if (settings.MemoryChild)
{
    return await Bench.MeasureMemoryAsync(settings);
}

var configs = settings.Duration is { } duration
    ? [(duration, settings.Resolution ?? "1080P")]
    : new List<(int, string)> { (5, "720P"), (5, "1080P"), (15, "720P"), (15, "1080P") };
Console.WriteLine($"RenderBench: {Environment.ProcessorCount} cores, preset {settings.Preset}, {settings.Runs} alternating runs per clip, {(settings.References ? "two references" : "no references")}");
Console.WriteLine($"prompt: {Bench.Prompt}");
var startLoad = Bench.Load();
var rows = new List<string>();
foreach (var (seconds, resolution) in configs)
{
    rows.Add(await Bench.CompareAsync(settings, seconds, resolution));
}

Console.WriteLine();
Console.WriteLine($"Load average (1, 5, 15 min) at the start: {startLoad}; at the end: {Bench.Load()}");
Console.WriteLine();
Console.WriteLine("| clip | frames | compose ms/frame | render + encode (median) | ffmpeg alone (median) | ratio of medians | fastest runs | bytes |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
rows.ForEach(Console.WriteLine);

if (settings.Memory && settings.Duration is null)
{
    Console.WriteLine();
    Console.WriteLine(await Bench.PeakMemoryAsync(settings));
}

return 0;

internal static class Bench
{
    public const string Prompt =
        "Image 1 walks through Image 2 at golden hour with falling petals. Then Image 1 dances in the city at night in the rain, neon, pan left. Cut to Image 1 jumping on the beach, zoom in.";

    /// <summary>The machine's load averages: how much else was running while the benchmark ran.</summary>
    public static string Load() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static async Task<string> CompareAsync(BenchSettings settings, int seconds, string resolution)
    {
        var (width, height) = Size(resolution);
        var options = new BuiltinEngineOptions { Preset = settings.Preset };
        var engine = new BuiltinVideoEngine(options);
        var job = Job(settings, seconds, width, height);
        var scratch = Directory.CreateTempSubdirectory("paddock-bench-").FullName;
        try
        {
            Console.WriteLine();
            Console.WriteLine($"{seconds} s {resolution}: {job.FrameCount} frames {width}x{height}");
            // The baseline encodes exactly the frames the engine draws, prepared in memory beforehand.
            var frames = ComposeAll(job, out var frameMs);
            Console.WriteLine($"  compose only: {frameMs.Average():F2} ms/frame (fastest of each frame's {Repeats} draws: {frameMs.Sum() / 1000:F2} s)");

            // Warm-up (JIT, Skia and ffmpeg start-up paths), not counted.
            await engine.RenderAsync(job with { FrameCount = 24 }, Path.Combine(scratch, "warmup.mp4"), new Progress<RenderProgress>(), CancellationToken.None);

            var renderTimes = new List<double>();
            var baselineTimes = new List<double>();
            var identical = true;
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
                identical &= same;
                Console.WriteLine($"  run {run + 1}: render {renderTimes[^1]:F2} s, ffmpeg alone {baselineTimes[^1]:F2} s, {new FileInfo(output).Length / 1024} KiB, {(same ? "identical bytes" : "OUTPUTS DIFFER")}");
                if (run == 0 && settings.Keep is not null)
                {
                    File.Copy(output, settings.Keep.Replace("{clip}", $"{seconds}s-{resolution}"), overwrite: true);
                }

                File.Delete(output);
                File.Delete(baseline);
            }

            var render = Median(renderTimes);
            var alone = Median(baselineTimes);
            // Load from elsewhere only ever adds time: the fastest runs are the best estimate of each side.
            var fastest = renderTimes.Min() / baselineTimes.Min();
            Console.WriteLine($"  render {seconds}s {resolution}: {render:F2} s, ffmpeg alone: {alone:F2} s, ratio {render / alone:F2} (fastest runs: {fastest:F2})");
            return $"| {seconds} s {resolution} ({width}×{height}) | {job.FrameCount} | {frameMs.Average():F1} | {render:F2} s | {alone:F2} s | **{render / alone:F2}** | {renderTimes.Min():F2} / {baselineTimes.Min():F2} s = **{fastest:F2}** | {(identical ? "identical" : "DIFFER")} |";
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
            GC.Collect();
        }
    }

    /// <summary>Runs a 15 s 1080P render in a child process that does nothing else, and reports its peak memory.</summary>
    public static async Task<string> PeakMemoryAsync(BenchSettings settings)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Bench).Assembly.Location);
        }

        foreach (var argument in new[] { "--memory-child", "--preset", settings.Preset })
        {
            start.ArgumentList.Add(argument);
        }

        if (!settings.References)
        {
            start.ArgumentList.Add("--no-references");
        }

        using var child = Process.Start(start)!;
        var report = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return report.Trim();
    }

    /// <summary>In the child: one 15 s 1080P render, then this process's and ffmpeg's peak resident sets.</summary>
    public static async Task<int> MeasureMemoryAsync(BenchSettings settings)
    {
        var job = Job(settings, 15, 1920, 1080);
        var output = Path.Combine(Path.GetTempPath(), $"paddock-bench-memory-{Guid.NewGuid():N}.mp4");
        var clock = Stopwatch.StartNew();
        await new BuiltinVideoEngine(new BuiltinEngineOptions { Preset = settings.Preset }).RenderAsync(job, output, new Progress<RenderProgress>(), CancellationToken.None);
        var elapsed = clock.Elapsed.TotalSeconds;
        File.Delete(output);
        var self = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var engineMb = long.Parse(self, CultureInfo.InvariantCulture) / 1024.0;
        var ffmpegMb = ChildrenPeakKb() / 1024.0;
        Console.WriteLine($"Peak memory of a 15 s 1080P render ({elapsed:F1} s): the rendering process {engineMb:F0} MB resident (VmHWM), ffmpeg {ffmpegMb:F0} MB; together {engineMb + ffmpegMb:F0} MB (target: under 600 MB).");
        return 0;
    }

    private const int Repeats = 2;

    private static RenderJob Job(BenchSettings settings, int seconds, int width, int height)
    {
        IReadOnlyList<ReferenceImage> references = settings.References ? [Character(1), Landscape(2)] : [];
        return new RenderJob(Guid.NewGuid(), "happyhorse-1.0-r2v", Prompt, references, width, height, 24, 24 * seconds, 42);
    }

    private static (int Width, int Height) Size(string resolution) => resolution switch
    {
        "720P" => (1280, 720),
        "1080P" => (1920, 1080),
        _ => throw new ArgumentException($"--resolution must be 720P or 1080P, not {resolution}"),
    };

    private static byte[][] ComposeAll(RenderJob job, out double[] frameMs)
    {
        var cast = job.References.Select(r => ReferenceDecoder.Decode(r, job.Width, job.Height)).ToList();
        try
        {
            using var composer = new FrameComposer(Director.Plan(job, cast.Select((member, slot) => member.Profile(slot)).ToList()), cast);
            using var buffer = new FrameBuffer(job.Width, job.Height);
            var frames = new byte[job.FrameCount][];
            frameMs = new double[job.FrameCount];
            for (var i = 0; i < job.FrameCount; i++)
            {
                // Each frame drawn a few times and the fastest kept: other load on the machine only ever adds time.
                frameMs[i] = double.MaxValue;
                for (var repeat = 0; repeat < Repeats; repeat++)
                {
                    var started = Stopwatch.GetTimestamp();
                    composer.Compose(buffer, i);
                    frameMs[i] = Math.Min(frameMs[i], Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                frames[i] = GC.AllocateUninitializedArray<byte>(buffer.Pixels.Length);
                buffer.Pixels.CopyTo(frames[i], 0);
            }

            return frames;
        }
        finally
        {
            cast.ForEach(member => member.Dispose());
        }
    }

    private static void EncodeOnly(EncoderSettings settings, byte[][] frames, string output)
    {
        using var encoder = FfmpegEncoder.Start(settings, output);
        foreach (var frame in frames)
        {
            encoder.WriteFrame(frame);
        }

        encoder.Complete();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>A character on a plain backdrop: cut out and animated.</summary>
    private static ReferenceImage Character(int index)
    {
        using var surface = SKSurface.Create(new SKImageInfo(900, 1100, SKColorType.Bgra8888, SKAlphaType.Premul));
        var c = surface.Canvas;
        c.Clear(new SKColor(248, 247, 244));
        using var p = new SKPaint { IsAntialias = true, Color = new SKColor(232, 118, 42) };
        c.DrawOval(450, 690, 200, 260, p);
        c.DrawCircle(450, 360, 165, p);
        p.Color = new SKColor(250, 246, 240);
        c.DrawOval(450, 760, 110, 150, p);
        p.Color = new SKColor(40, 30, 28);
        c.DrawCircle(390, 335, 20, p);
        c.DrawCircle(510, 335, 20, p);
        p.Color = new SKColor(70, 45, 32);
        c.DrawRoundRect(360, 900, 46, 110, 18, 18, p);
        c.DrawRoundRect(494, 900, 46, 110, 18, 18, p);
        return Encode(index, surface, SKEncodedImageFormat.Png);
    }

    /// <summary>A photo-like scene (gradient, soft shapes, fine detail): used whole as a set, and real work for the encoder.</summary>
    private static ReferenceImage Landscape(int index)
    {
        const int width = 1600;
        const int height = 1200;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                   [new SKColor(214, 96, 48), new SKColor(24, 107, 60), SKColors.Black], SKShaderTileMode.Clamp))
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

        return Encode(index, surface, SKEncodedImageFormat.Jpeg);
    }

    private static ReferenceImage Encode(int index, SKSurface surface, SKEncodedImageFormat format)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(format, 90);
        return new ReferenceImage(index, $"bench://image{index}", data.ToArray(), format == SKEncodedImageFormat.Png ? "image/png" : "image/jpeg", image.Width, image.Height);
    }

    /// <summary>The largest resident set of any waited-for child (ffmpeg), in kB: getrusage(RUSAGE_CHILDREN).</summary>
    private static long ChildrenPeakKb()
    {
        var usage = new long[18];
        return getrusage(-1, usage) == 0 ? usage[4] : 0;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, [Out] long[] usage);
}

internal sealed record BenchSettings(int? Duration, string? Resolution, int Runs, string Preset, bool References, string? Keep, bool Memory, bool MemoryChild)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(null, null, 3, "veryfast", true, null, true, false);
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
                "--no-memory" => settings with { Memory = false },
                "--memory-child" => settings with { MemoryChild = true },
                _ => throw new ArgumentException($"unknown argument {args[i]}; use [--duration N --resolution 720P|1080P] [--runs N] [--preset P] [--no-references] [--keep out-{{clip}}.mp4] [--no-memory]"),
            };
        }

        return settings.Runs >= 1 ? settings : throw new ArgumentException("--runs must be at least 1");
    }
}
