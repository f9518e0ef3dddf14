using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// A decoded reference, ready to draw: the whole image (scaled close to the largest size a set is
/// shown at, so per-frame sampling is near 1:1 and never aliases) and, when the image has a subject
/// on a plain or transparent background, that subject cut out.
/// </summary>
internal sealed class CastMember : IDisposable
{
    private readonly SKPixmap _pixmap;

    public CastMember(int index, int sourceWidth, int sourceHeight, SKImage image, CutOut? cutOut)
    {
        Index = index;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        Image = image;
        Pixels = RasterPixels.Of(image, out _pixmap);
        IsOpaque = Pixels.IsOpaque();
        CutOut = cutOut;
    }

    /// <summary>1-based, as in "Image 1".</summary>
    public int Index { get; }

    public int SourceWidth { get; }

    public int SourceHeight { get; }

    /// <summary>Width over height of the original, unaffected by the rounding of <see cref="Image"/>'s size.</summary>
    public float Aspect => (float)SourceWidth / SourceHeight;

    /// <summary>No transparent pixels: the image can be a set on its own.</summary>
    public bool IsOpaque { get; }

    public SKImage Image { get; }

    /// <summary><see cref="Image"/>'s pixels, for <see cref="ImageBlit"/>.</summary>
    public RasterPixels Pixels { get; }

    /// <summary>The subject cut out of the image, or null when it cannot be (the image is then used whole).</summary>
    public CutOut? CutOut { get; }

    /// <summary>What the director needs to know about this reference.</summary>
    public CastProfile Profile(int slot) =>
        new(slot, CutOut is not null, CutOut?.Aspect ?? Aspect, CutOut?.Bust ?? false, Aspect);

    public void Dispose()
    {
        _pixmap.Dispose();
        Image.Dispose();
        CutOut?.Dispose();
    }
}
