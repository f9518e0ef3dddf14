using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// What shows behind a reference that does not fill the frame: a gradient from the take's palette,
/// baked once with its glow and vignette, and a few large soft shapes drifting slowly over it.
/// Nothing in it is sharp, so it is drawn at a quarter of the frame's size and stretched: at full
/// size the drifting shapes alone cost about 5 ms a 1080p frame, at a quarter almost nothing.
/// </summary>
internal sealed class Backdrop : IDisposable
{
    private const int Reduction = 4;

    private readonly FrameBuffer _small;
    private readonly SKImage _plate;
    private readonly Drift[] _drifts;
    private readonly SKPaint _copy = new() { BlendMode = SKBlendMode.Src };
    private readonly int _width;
    private readonly int _height;

    public Backdrop(Storyboard board)
    {
        _width = board.Width;
        _height = board.Height;
        _small = new FrameBuffer((board.Width + Reduction - 1) / Reduction, (board.Height + Reduction - 1) / Reduction);
        var random = DeterministicRandom.For(board.Seed, "backdrop");
        _plate = BakePlate(board.Width, board.Height, board.Palette, random);

        var count = 3 + random.Next(3);
        _drifts = new Drift[count];
        for (var i = 0; i < count; i++)
        {
            var color = i == 0 ? board.Palette.Light : board.Palette.Accent(i + random.Next(3));
            _drifts[i] = new Drift(
                new SoftBlob(color, random.Range(0.18f, 0.34f)),
                new SKPoint(random.Range(0.1f, 0.9f), random.Range(0.1f, 0.9f)),
                new SKPoint(random.Range(0.08f, 0.22f), random.Range(0.06f, 0.18f)),
                new SKPoint(random.Range(11f, 23f), random.Range(13f, 29f)),
                new SKPoint(random.Range(0f, MathF.Tau), random.Range(0f, MathF.Tau)),
                random.Range(0.28f, 0.5f),
                random.Range(0.8f, 1.3f));
        }
    }

    /// <summary>Fills the whole frame with the backdrop at <paramref name="seconds"/>.</summary>
    public void Draw(FrameBuffer frame, ImageBlit blit, float seconds)
    {
        var canvas = _small.Canvas;
        canvas.DrawImage(_plate, 0f, 0f, default(SKSamplingOptions), _copy);
        canvas.Save();
        // Drawn in frame coordinates, like everything else; the small surface just has fewer pixels.
        canvas.Scale(1f / Reduction);
        var unit = MathF.Min(_width, _height);
        foreach (var drift in _drifts)
        {
            // Slow Lissajous paths: periods of 11-29 s, so a shape moves a little during one clip.
            var x = _width * (drift.Home.X + (drift.Reach.X * MathF.Sin((MathF.Tau * seconds / drift.Period.X) + drift.Phase.X)));
            var y = _height * (drift.Home.Y + (drift.Reach.Y * MathF.Sin((MathF.Tau * seconds / drift.Period.Y) + drift.Phase.Y)));
            var radius = unit * drift.Radius;
            drift.Blob.Draw(canvas, x, y, radius * drift.Stretch, radius / drift.Stretch);
        }

        canvas.Restore();
        blit.Draw(_small.Source, frame.Pixels, new SKRect(0, 0, _small.Width * Reduction, _small.Height * Reduction));
    }

    public void Dispose()
    {
        _small.Dispose();
        _plate.Dispose();
        _copy.Dispose();
        foreach (var drift in _drifts)
        {
            drift.Blob.Dispose();
        }
    }

    private SKImage BakePlate(int width, int height, Palette palette, DeterministicRandom random)
    {
        var info = new SKImageInfo(_small.Width, _small.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Scale(1f / Reduction);

        var angle = random.Range(0f, MathF.Tau);
        var half = new SKPoint(MathF.Cos(angle) * width * 0.5f, MathF.Sin(angle) * height * 0.5f);
        var centre = new SKPoint(width * 0.5f, height * 0.5f);
        using (var shader = SKShader.CreateLinearGradient(centre - half, centre + half,
                   [palette.Deep, palette.Middle, palette.Deep], [0f, random.Range(0.4f, 0.7f), 1f], SKShaderTileMode.Clamp))
        // No dithering: the plate is small, and stretching it would turn the dither into visible blotches.
        using (var paint = new SKPaint { Shader = shader })
        {
            canvas.DrawPaint(paint);
        }

        using (var glow = new SoftBlob(palette.Light, random.Range(0.18f, 0.3f)))
        {
            var radius = MathF.Max(width, height) * random.Range(0.45f, 0.7f);
            glow.Draw(canvas, width * random.Range(0.2f, 0.8f), height * random.Range(0.15f, 0.5f), radius, radius);
        }

        DrawVignette(canvas, width, height, 0.45f, dither: false);
        return surface.Snapshot();
    }

    internal static void DrawVignette(SKCanvas canvas, int width, int height, float strength, bool dither)
    {
        var radius = MathF.Sqrt((width * width) + (height * height)) * 0.5f;
        using var shader = SKShader.CreateRadialGradient(new SKPoint(width * 0.5f, height * 0.5f), radius,
            [SKColors.Black.WithAlpha(0), SKColors.Black.WithAlpha(0), SKColors.Black.WithAlpha((byte)(255 * strength))],
            [0f, 0.55f, 1f], SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader, IsDither = dither };
        canvas.DrawPaint(paint);
    }

    private sealed record Drift(SoftBlob Blob, SKPoint Home, SKPoint Reach, SKPoint Period, SKPoint Phase, float Radius, float Stretch);
}
