using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// A soft-edged disc (sun halo, cloud, lamp glow), rendered once into a small sprite and stretched
/// into place while a set is painted. Measured at 1080p: a 450 px blob costs about 2.6 ms as a
/// sprite against 12.5 ms as a dithered radial gradient evaluated per pixel.
/// </summary>
internal sealed class SoftBlob : IDisposable
{
    private const int SpriteSize = 256;

    private static readonly SKSamplingOptions Linear = new(SKFilterMode.Linear);

    private readonly SKImage _sprite;
    private readonly SKPaint _paint = new();

    /// <param name="color">The blob's colour; its alpha is ignored.</param>
    /// <param name="alpha">Opacity at the centre, 0..1.</param>
    /// <param name="core">Share of the radius that stays at full opacity before the falloff, 0..1.</param>
    public SoftBlob(SKColor color, float alpha, float core = 0f)
    {
        var centre = color.WithAlpha((byte)MathF.Round(255f * Easing.Clamp01(alpha)));
        // The outer stop keeps the colour at alpha 0: fading to transparent black would leave a dark rim.
        SKColor[] colors = [centre, centre, color.WithAlpha((byte)MathF.Round(centre.Alpha * 0.35f)), color.WithAlpha(0)];
        float[] stops = [0f, Easing.Clamp01(core), Easing.Lerp(Easing.Clamp01(core), 1f, 0.55f), 1f];
        const float half = SpriteSize / 2f;
        using var surface = SKSurface.Create(new SKImageInfo(SpriteSize, SpriteSize, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var shader = SKShader.CreateRadialGradient(new SKPoint(half, half), half, colors, stops, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader, IsDither = true };
        surface.Canvas.Clear(SKColors.Transparent);
        surface.Canvas.DrawPaint(paint);
        _sprite = surface.Snapshot();
    }

    public void Draw(SKCanvas canvas, float x, float y, float radiusX, float radiusY, float opacity = 1f)
    {
        if (radiusX <= 0f || radiusY <= 0f || opacity <= 0f)
        {
            return;
        }

        _paint.Color = SKColors.Black.WithAlpha((byte)MathF.Round(255f * Easing.Clamp01(opacity)));
        canvas.DrawImage(_sprite, new SKRect(x - radiusX, y - radiusY, x + radiusX, y + radiusY), Linear, _paint);
    }

    public void Dispose()
    {
        _paint.Dispose();
        _sprite.Dispose();
    }
}
