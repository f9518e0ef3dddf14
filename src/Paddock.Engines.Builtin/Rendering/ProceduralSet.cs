using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// The scene drawn when a job has no references: sky and ground with a sun glow and hills (baked
/// once), clouds drifting across the sky and a few simple shapes crossing the ground, hopping.
/// It is drawn in world coordinates (the frame at zoom 1); the composer applies the camera.
/// </summary>
internal sealed class ProceduralSet : IDisposable
{
    /// <summary>The plate is baked this much larger than the frame so the camera's zoom never upsamples it.</summary>
    internal const float PlateOversize = 1.08f;

    private static readonly SKSamplingOptions Linear = new(SKFilterMode.Linear);

    private readonly int _width;
    private readonly int _height;
    private readonly float _horizon;
    private readonly float _duration;
    private readonly SKImage _plate;
    private readonly SKPixmap _platePixmap;
    private readonly Cloud[] _clouds;
    private readonly Actor[] _actors;
    private readonly SKPaint _plateCopy = new();
    private readonly SKPaint _actorPaint = new() { IsAntialias = true };
    private readonly SoftBlob _groundShadow = new(SKColors.Black, 0.32f, core: 0.35f);

    public ProceduralSet(Storyboard board)
    {
        _width = board.Width;
        _height = board.Height;
        _duration = board.FrameCount / (float)board.FramesPerSecond;
        // The prompt shapes the set as much as the seed does: the same seed with another prompt is another scene.
        var random = DeterministicRandom.For(board.Seed ^ (long)board.PromptHash, "set");
        _horizon = _height * random.Range(0.56f, 0.68f);
        _plate = BakePlate(board.Palette, random);
        PlatePixels = RasterPixels.Of(_plate, out _platePixmap);

        _clouds = new Cloud[3 + random.Next(3)];
        for (var i = 0; i < _clouds.Length; i++)
        {
            _clouds[i] = new Cloud(
                new SoftBlob(board.Palette.Light, random.Range(0.35f, 0.6f), core: 0.25f),
                random.Range(-0.1f, 1.1f),
                random.Range(0.08f, 0.85f) * _horizon,
                random.Range(0.12f, 0.24f) * _width,
                random.Range(0.035f, 0.07f) * _height,
                random.Sign() * random.Range(0.008f, 0.025f));
        }

        _actors = new Actor[2 + random.Next(3)];
        for (var i = 0; i < _actors.Length; i++)
        {
            // Lower on screen is nearer: larger and drawn later.
            var depth = (i + random.Range(0.2f, 0.8f)) / _actors.Length;
            var from = random.Range(0.08f, 0.45f);
            var to = random.Range(0.55f, 0.92f);
            if (random.Chance(0.5f))
            {
                (from, to) = (to, from);
            }

            _actors[i] = new Actor(
                CreateShape(random.Next(4)),
                board.Palette.Accent(i + random.Next(3)),
                _horizon + ((_height - _horizon) * Easing.Lerp(0.25f, 0.85f, depth)),
                MathF.Min(_width, _height) * Easing.Lerp(0.06f, 0.13f, depth),
                from,
                to,
                random.Range(1.2f, 2.6f),
                random.Range(0.6f, 1.2f),
                random.Range(0f, 1f));
        }
    }

    /// <summary>The still part of the set (sky, sun, hills, ground), opaque, at <see cref="PlateOversize"/> × the frame size.</summary>
    public RasterPixels PlatePixels { get; }

    /// <summary>Draws the still part through Skia; the canvas matrix holds the camera.</summary>
    public void DrawPlate(SKCanvas canvas) =>
        canvas.DrawImage(_plate, new SKRect(0, 0, _width, _height), Linear, _plateCopy);

    /// <summary>Draws what moves (clouds, actors) at <paramref name="seconds"/>; the canvas matrix holds the camera.</summary>
    public void DrawLife(SKCanvas canvas, float seconds)
    {
        foreach (var cloud in _clouds)
        {
            var x = (cloud.X + (cloud.Speed * seconds)) * _width;
            cloud.Blob.Draw(canvas, x, cloud.Y, cloud.RadiusX, cloud.RadiusY);
        }

        var progress = _duration > 0f ? seconds / _duration : 0f;
        foreach (var actor in _actors)
        {
            DrawActor(canvas, actor, seconds, progress);
        }
    }

    public void Dispose()
    {
        _platePixmap.Dispose();
        _plate.Dispose();
        _plateCopy.Dispose();
        _actorPaint.Dispose();
        _groundShadow.Dispose();
        foreach (var cloud in _clouds)
        {
            cloud.Blob.Dispose();
        }

        foreach (var actor in _actors)
        {
            actor.Shape.Dispose();
        }
    }

    private void DrawActor(SKCanvas canvas, Actor actor, float seconds, float progress)
    {
        var x = _width * Easing.Lerp(actor.From, actor.To, Easing.InOutSine(progress));
        // A hop: |sin| gives a bounce that lands with a squash and takes off with a stretch.
        var phase = (seconds * actor.HopsPerSecond) + actor.HopPhase;
        var lift = MathF.Abs(MathF.Sin(MathF.PI * phase));
        var size = actor.Size;
        var height = lift * size * actor.HopHeight;
        var squash = 1f + (0.18f * (1f - Easing.SmoothStep(lift * 4f)));

        _groundShadow.Draw(canvas, x, actor.Ground, size * (0.9f - (0.3f * lift)), size * (0.22f - (0.08f * lift)));

        _actorPaint.Color = actor.Color;
        canvas.Save();
        canvas.Translate(x, actor.Ground - height);
        canvas.Scale(size * squash, size / squash);
        canvas.RotateRadians(0.12f * MathF.Sin(MathF.Tau * phase * 0.5f));
        canvas.DrawPath(actor.Shape, _actorPaint);
        canvas.Restore();
    }

    /// <summary>A shape in unit size, standing on the origin (its base at y = 0).</summary>
    private static SKPath CreateShape(int kind)
    {
        using var path = new SKPathBuilder();
        switch (kind)
        {
            case 0:
                path.AddCircle(0f, -0.5f, 0.5f, SKPathDirection.Clockwise);
                break;
            case 1:
                path.AddRoundRect(new SKRect(-0.45f, -0.9f, 0.45f, 0f), 0.16f, 0.16f, SKPathDirection.Clockwise);
                break;
            case 2:
                path.MoveTo(0f, -1f);
                path.LineTo(0.55f, 0f);
                path.LineTo(-0.55f, 0f);
                path.Close();
                break;
            default:
                for (var i = 0; i < 10; i++)
                {
                    var angle = (MathF.PI * i / 5f) - (MathF.PI / 2f);
                    var radius = i % 2 == 0 ? 0.55f : 0.24f;
                    var point = new SKPoint(MathF.Cos(angle) * radius, (MathF.Sin(angle) * radius) - 0.5f);
                    if (i == 0)
                    {
                        path.MoveTo(point);
                    }
                    else
                    {
                        path.LineTo(point);
                    }
                }

                path.Close();
                break;
        }

        return path.Detach();
    }

    private SKImage BakePlate(Palette palette, DeterministicRandom random)
    {
        var plateWidth = (int)MathF.Ceiling(_width * PlateOversize);
        var plateHeight = (int)MathF.Ceiling(_height * PlateOversize);
        var info = new SKImageInfo(plateWidth, plateHeight, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        // Draw in world units; the plate just has more pixels per unit.
        canvas.Scale(PlateOversize);

        var skyTop = palette.Deep;
        var skyLow = Blend(palette.Light, palette.Accent1, random.Range(0.1f, 0.45f));
        using (var sky = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, _horizon),
                   [skyTop, palette.Middle, skyLow], [0f, 0.55f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = sky, IsDither = true })
        {
            canvas.DrawRect(0, 0, _width, _horizon + 1, paint);
        }

        using (var sun = new SoftBlob(Blend(palette.Light, palette.Accent3, 0.3f), 0.95f, core: 0.22f))
        {
            var radius = MathF.Min(_width, _height) * random.Range(0.12f, 0.2f);
            sun.Draw(canvas, _width * random.Range(0.15f, 0.85f), _horizon * random.Range(0.3f, 0.75f), radius, radius);
        }

        // Two hill ranges, the far one paler: a cheap sense of depth.
        var groundFar = Blend(palette.Middle, palette.Accent2, 0.35f);
        var groundNear = Blend(palette.Deep, palette.Accent2, 0.25f);
        DrawHills(canvas, Blend(groundFar, skyLow, 0.45f), _horizon - (_height * 0.07f), _height * 0.05f, random);
        DrawHills(canvas, groundFar, _horizon - (_height * 0.02f), _height * 0.035f, random);

        using (var ground = SKShader.CreateLinearGradient(new SKPoint(0, _horizon), new SKPoint(0, _height),
                   [groundFar, groundNear], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = ground, IsDither = true })
        {
            canvas.DrawRect(0, _horizon, _width, _height - _horizon, paint);
        }

        Backdrop.DrawVignette(canvas, _width, _height, 0.35f, dither: true);
        return surface.Snapshot();
    }

    private void DrawHills(SKCanvas canvas, SKColor color, float baseline, float amplitude, DeterministicRandom random)
    {
        var frequency1 = random.Range(1.2f, 2.4f);
        var frequency2 = random.Range(3.5f, 6f);
        var phase1 = random.Range(0f, MathF.Tau);
        var phase2 = random.Range(0f, MathF.Tau);
        using var builder = new SKPathBuilder();
        builder.MoveTo(0, _horizon + 2);
        const int steps = 64;
        for (var i = 0; i <= steps; i++)
        {
            var u = i / (float)steps;
            var y = baseline - (amplitude * (0.6f * MathF.Sin((MathF.Tau * frequency1 * u) + phase1)))
                    - (amplitude * (0.4f * MathF.Sin((MathF.Tau * frequency2 * u) + phase2)));
            builder.LineTo(u * _width, y);
        }

        builder.LineTo(_width, _horizon + 2);
        builder.Close();
        using var path = builder.Detach();
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawPath(path, paint);
    }

    private static SKColor Blend(SKColor a, SKColor b, float t) => new(
        (byte)MathF.Round(Easing.Lerp(a.Red, b.Red, t)),
        (byte)MathF.Round(Easing.Lerp(a.Green, b.Green, t)),
        (byte)MathF.Round(Easing.Lerp(a.Blue, b.Blue, t)));

    private sealed record Cloud(SoftBlob Blob, float X, float Y, float RadiusX, float RadiusY, float Speed);

    private sealed record Actor(SKPath Shape, SKColor Color, float Ground, float Size, float From, float To, float HopsPerSecond, float HopHeight, float HopPhase);
}
