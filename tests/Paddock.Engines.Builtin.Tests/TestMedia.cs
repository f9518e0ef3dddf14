using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Paddock.Core.Engines;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>Reference images made in the test, and ffprobe/ffmpeg to look at what the engine wrote.</summary>
internal static class TestMedia
{
    /// <summary>A picture with a clear subject: a coloured field with a contrasting disc and stripes.</summary>
    public static byte[] Picture(int width, int height, SKColor color, SKEncodedImageFormat format)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(color);
        using var paint = new SKPaint { IsAntialias = true, Color = new SKColor((byte)(255 - color.Red), (byte)(255 - color.Green), (byte)(255 - color.Blue)) };
        canvas.DrawCircle(width * 0.5f, height * 0.5f, Math.Min(width, height) * 0.3f, paint);
        paint.Color = SKColors.White.WithAlpha(90);
        for (var x = 0; x < width; x += 40)
        {
            canvas.DrawRect(x, 0, 12, height, paint);
        }

        return Encode(surface, format);
    }

    /// <summary>One flat colour: frames can be checked pixel by pixel.</summary>
    public static byte[] Solid(int width, int height, SKColor color, SKEncodedImageFormat format)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        surface.Canvas.Clear(color);
        return Encode(surface, format);
    }

    public static ReferenceImage Reference(int index, byte[] bytes, SKEncodedImageFormat format, int width, int height) =>
        new(index, $"test://image{index}", bytes, format == SKEncodedImageFormat.Png ? "image/png" : "image/jpeg", width, height);

    /// <summary>Two 640x480 references, a PNG and a JPEG, in clearly different colours.</summary>
    public static IReadOnlyList<ReferenceImage> TwoReferences() =>
    [
        Reference(1, Picture(640, 480, new SKColor(200, 40, 40), SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 640, 480),
        Reference(2, Picture(640, 480, new SKColor(30, 90, 210), SKEncodedImageFormat.Jpeg), SKEncodedImageFormat.Jpeg, 640, 480),
    ];

    public static RenderJob Job(int width, int height, int seconds, IReadOnlyList<ReferenceImage> references,
        string prompt = "Image 1 walks through a beautiful garden, cinematic lighting.", long seed = 42) =>
        new(Guid.NewGuid(), "happyhorse-1.0-r2v", prompt, references, width, height, 24, 24 * seconds, seed);

    public static VideoInfo Probe(string path)
    {
        var json = Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries", "stream=width,height,r_frame_rate,nb_read_frames,codec_name,pix_fmt,color_space,color_transfer,color_primaries,color_range",
            "-of", "json", path]);
        using var document = JsonDocument.Parse(json);
        var stream = document.RootElement.GetProperty("streams")[0];
        string Text(string name) => stream.TryGetProperty(name, out var value) ? value.ToString() : "";
        return new VideoInfo(
            stream.GetProperty("width").GetInt32(),
            stream.GetProperty("height").GetInt32(),
            Text("r_frame_rate"),
            int.Parse(Text("nb_read_frames"), CultureInfo.InvariantCulture),
            Text("codec_name"),
            Text("pix_fmt"),
            Text("color_space"),
            Text("color_transfer"),
            Text("color_primaries"),
            Text("color_range"));
    }

    /// <summary>One decoded frame as packed RGB.</summary>
    public static byte[] FrameRgb(string path, int frameIndex)
    {
        var file = Path.Combine(Path.GetTempPath(), $"paddock-frame-{Guid.NewGuid():N}.rgb");
        try
        {
            Run("ffmpeg", ["-v", "error", "-i", path, "-vf", $"select=eq(n\\,{frameIndex})", "-frames:v", "1",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", file]);
            return File.ReadAllBytes(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The MP4's top-level box types in file order.</summary>
    public static List<string> TopLevelBoxes(string path)
    {
        var boxes = new List<string>();
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        while (stream.Position + 8 <= stream.Length)
        {
            var start = stream.Position;
            stream.ReadExactly(header[..8]);
            long size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
            boxes.Add(System.Text.Encoding.ASCII.GetString(header[4..8]));
            if (size == 1)
            {
                stream.ReadExactly(header[8..16]);
                size = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(header[8..16]);
            }
            else if (size == 0)
            {
                break;
            }

            stream.Position = start + size;
        }

        return boxes;
    }

    private static string Run(string program, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout;
    }

    private static byte[] Encode(SKSurface surface, SKEncodedImageFormat format)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}

internal sealed record VideoInfo(int Width, int Height, string FrameRate, int Frames, string Codec, string PixelFormat,
    string ColorSpace, string ColorTransfer, string ColorPrimaries, string ColorRange);

/// <summary>Records progress on the reporting thread (Progress&lt;T&gt; would post it elsewhere, later).</summary>
internal sealed class ProgressLog : IProgress<RenderProgress>
{
    private readonly List<RenderProgress> _reports = [];
    private readonly Action<RenderProgress>? _onReport;

    public ProgressLog(Action<RenderProgress>? onReport = null) => _onReport = onReport;

    public IReadOnlyList<RenderProgress> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(RenderProgress value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }

        _onReport?.Invoke(value);
    }
}
