using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Paddock.Core.Engines;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;
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

    /// <summary>The director's plan for a job, with the cast as the engine decodes it.</summary>
    public static Storyboard Plan(RenderJob job, IReadOnlyList<CastMember> cast) =>
        Director.Plan(job, cast.Select((member, slot) => member.Profile(slot)).ToList());

    /// <summary>
    /// Frames drawn by the engine's own composer (BGRA, no encoding): what the encoder would be fed.
    /// <paramref name="frames"/> null means every frame.
    /// </summary>
    public static List<byte[]> Frames(RenderJob job, IEnumerable<int>? frames = null)
    {
        var cast = job.References.Select(r => ReferenceDecoder.Decode(r, job.Width, job.Height)).ToList();
        try
        {
            using var composer = new FrameComposer(Plan(job, cast), cast);
            using var buffer = new FrameBuffer(job.Width, job.Height);
            var result = new List<byte[]>();
            foreach (var frame in frames ?? Enumerable.Range(0, job.FrameCount))
            {
                composer.Compose(buffer, frame);
                result.Add((byte[])buffer.Pixels.Clone());
            }

            return result;
        }
        finally
        {
            cast.ForEach(member => member.Dispose());
        }
    }

    /// <summary>As <see cref="Frames(RenderJob, IEnumerable{int}?)"/> with the references decoded already (kept for other renders).</summary>
    public static List<byte[]> Frames(RenderJob job, IEnumerable<int>? frames, IReadOnlyList<CastMember> cast)
    {
        using var composer = new FrameComposer(Plan(job, cast), cast);
        using var buffer = new FrameBuffer(job.Width, job.Height);
        var result = new List<byte[]>();
        foreach (var frame in frames ?? Enumerable.Range(0, job.FrameCount))
        {
            composer.Compose(buffer, frame);
            result.Add((byte[])buffer.Pixels.Clone());
        }

        return result;
    }

    /// <summary>Background colours of the characters: what the test knows it drew around them.</summary>
    public static SKColor CharacterBackground(string kind) => kind switch
    {
        "robot" => new SKColor(200, 220, 240),
        "owl" => new SKColor(236, 236, 226),
        _ => new SKColor(250, 250, 248),
    };

    /// <summary>A character on a plain background, the kind of reference a user casts: fox, robot or owl.</summary>
    public static ReferenceImage Character(string kind, int index)
    {
        const int width = 800;
        const int height = 1000;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        var c = surface.Canvas;
        c.Clear(CharacterBackground(kind));
        using var p = new SKPaint { IsAntialias = true };
        switch (kind)
        {
            case "fox":
                p.Color = new SKColor(226, 112, 40);
                c.DrawOval(400, 620, 190, 250, p);
                c.DrawCircle(400, 330, 150, p);
                using (var ears = new SKPathBuilder())
                {
                    ears.MoveTo(290, 260);
                    ears.LineTo(320, 110);
                    ears.LineTo(380, 220);
                    ears.Close();
                    ears.MoveTo(510, 260);
                    ears.LineTo(480, 110);
                    ears.LineTo(420, 220);
                    ears.Close();
                    using var path = ears.Detach();
                    c.DrawPath(path, p);
                }

                p.Color = SKColors.White;
                c.DrawOval(400, 400, 80, 55, p);
                c.DrawOval(400, 700, 100, 140, p);
                p.Color = new SKColor(30, 30, 30);
                c.DrawCircle(345, 310, 18, p);
                c.DrawCircle(455, 310, 18, p);
                c.DrawCircle(400, 380, 16, p);
                p.Color = new SKColor(200, 90, 30);
                c.DrawOval(590, 760, 120, 50, p);
                p.Color = new SKColor(60, 40, 30);
                c.DrawRect(320, 840, 40, 90, p);
                c.DrawRect(440, 840, 40, 90, p);
                break;
            case "robot":
                p.Color = new SKColor(120, 126, 150);
                c.DrawRoundRect(250, 380, 300, 360, 30, 30, p);
                c.DrawRoundRect(280, 150, 240, 200, 40, 40, p);
                p.Color = new SKColor(30, 160, 230);
                c.DrawCircle(350, 240, 28, p);
                c.DrawCircle(450, 240, 28, p);
                p.Color = new SKColor(230, 60, 50);
                c.DrawRect(330, 460, 140, 50, p);
                p.Color = new SKColor(240, 190, 30);
                c.DrawRect(330, 540, 140, 30, p);
                p.Color = new SKColor(80, 86, 104);
                c.DrawRect(300, 740, 60, 200, p);
                c.DrawRect(440, 740, 60, 200, p);
                c.DrawRect(180, 400, 60, 260, p);
                c.DrawRect(560, 400, 60, 260, p);
                break;
            default:
                p.Color = new SKColor(110, 80, 150);
                c.DrawOval(400, 560, 220, 330, p);
                p.Color = new SKColor(250, 230, 120);
                c.DrawCircle(320, 380, 75, p);
                c.DrawCircle(480, 380, 75, p);
                p.Color = new SKColor(20, 20, 30);
                c.DrawCircle(320, 380, 32, p);
                c.DrawCircle(480, 380, 32, p);
                p.Color = new SKColor(240, 140, 40);
                c.DrawRect(385, 440, 30, 50, p);
                p.Color = new SKColor(80, 50, 110);
                c.DrawOval(240, 600, 60, 180, p);
                c.DrawOval(560, 600, 60, 180, p);
                break;
        }

        return Reference(index, Encode(surface, SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, width, height);
    }

    /// <summary>A photograph-like picture whose border is busy: it cannot be cut out.</summary>
    public static ReferenceImage Photo(int index, int seed = 1)
    {
        const int width = 1200;
        const int height = 800;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        var c = surface.Canvas;
        using var p = new SKPaint { IsAntialias = true };
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, height),
                   [new SKColor(90, 140, 200), new SKColor(230, 200, 160), new SKColor(70, 110, 60)], [0, 0.55f, 0.6f], SKShaderTileMode.Clamp))
        {
            p.Shader = shader;
            c.DrawRect(0, 0, width, height, p);
            p.Shader = null;
        }

        var random = new Random(seed);
        for (var i = 0; i < 400; i++)
        {
            p.Color = new SKColor((byte)random.Next(30, 200), (byte)random.Next(60, 180), (byte)random.Next(20, 120));
            c.DrawCircle(random.Next(width), 300 + random.Next(500), random.Next(8, 60), p);
        }

        p.Color = new SKColor(250, 250, 240);
        c.DrawCircle(900, 160, 60, p);
        return Reference(index, Encode(surface, SKEncodedImageFormat.Jpeg), SKEncodedImageFormat.Jpeg, width, height);
    }

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

    internal static byte[] Encode(SKSurface surface, SKEncodedImageFormat format)
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
