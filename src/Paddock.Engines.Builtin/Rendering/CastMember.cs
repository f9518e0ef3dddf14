using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>How a reference sits in the frame.</summary>
internal enum Framing
{
    /// <summary>Fills the frame, cropping a little; the camera moves within the crop.</summary>
    Cover,

    /// <summary>Whole image inside the frame over the backdrop; used when covering would crop too much.</summary>
    Contain,
}

/// <summary>
/// A decoded reference, ready to draw: already scaled close to the largest size it is shown at
/// (so per-frame sampling is near 1:1 and never aliases) and with its drop shadow pre-blurred.
/// </summary>
internal sealed class CastMember : IDisposable
{
    private readonly SKPixmap _pixmap;

    public CastMember(int index, int sourceWidth, int sourceHeight, SKImage image, Framing framing, ShadowSprite? shadow)
    {
        Index = index;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        Image = image;
        Pixels = RasterPixels.Of(image, out _pixmap);
        IsOpaque = Pixels.IsOpaque();
        Framing = framing;
        Shadow = shadow;
    }

    /// <summary>1-based, as in "Image 1".</summary>
    public int Index { get; }

    public int SourceWidth { get; }

    public int SourceHeight { get; }

    /// <summary>Width over height of the original, unaffected by the rounding of <see cref="Image"/>'s size.</summary>
    public float Aspect => (float)SourceWidth / SourceHeight;

    /// <summary>No transparent pixels: a covering shot needs nothing behind it, and the fast blit can draw it.</summary>
    public bool IsOpaque { get; }

    public SKImage Image { get; }

    /// <summary><see cref="Image"/>'s pixels, for <see cref="ImageBlit"/>.</summary>
    public RasterPixels Pixels { get; }

    public Framing Framing { get; }

    public ShadowSprite? Shadow { get; }

    public void Dispose()
    {
        _pixmap.Dispose();
        Image.Dispose();
        Shadow?.Dispose();
    }
}

/// <summary>
/// A soft shadow rendered once, small, and stretched to size each frame: blurring per frame would
/// cost more than the rest of the frame.
/// </summary>
internal sealed class ShadowSprite : IDisposable
{
    private const int LongSide = 128;
    private const int Padding = 10;
    private const float Blur = 4f;

    private ShadowSprite(SKImage image, float contentWidth) => (Image, ContentWidth) = (image, contentWidth);

    public SKImage Image { get; }

    /// <summary>Width of the shadowed rectangle inside the sprite, in sprite pixels.</summary>
    public float ContentWidth { get; }

    public static ShadowSprite Create(float aspect)
    {
        var (width, height) = aspect >= 1f
            ? (LongSide, Math.Max(1, (int)MathF.Round(LongSide / aspect)))
            : (Math.Max(1, (int)MathF.Round(LongSide * aspect)), LongSide);
        var info = new SKImageInfo(width + (2 * Padding), height + (2 * Padding), SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        using var blur = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, Blur);
        using var paint = new SKPaint { Color = SKColors.Black, MaskFilter = blur, IsAntialias = true };
        surface.Canvas.Clear(SKColors.Transparent);
        surface.Canvas.DrawRect(Padding, Padding, width, height, paint);
        return new ShadowSprite(surface.Snapshot(), width);
    }

    /// <summary>Where to draw the sprite so its shadow sits under <paramref name="image"/>.</summary>
    public SKRect Around(SKRect image, float dropY)
    {
        var scale = image.Width / ContentWidth;
        var pad = Padding * scale;
        return new SKRect(image.Left - pad, image.Top - pad + dropY, image.Right + pad, image.Bottom + pad + dropY);
    }

    public void Dispose() => Image.Dispose();
}
