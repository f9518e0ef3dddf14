using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// A subject ready to draw: its image graded for one look and scaled to about the largest size it
/// is shown at, and where in that image the subject itself is (a card's sprite also holds its shadow).
/// </summary>
internal sealed class Sprite : IDisposable
{
    private readonly SKPixmap _pixmap;

    /// <summary>Transparent pixels round every sprite, so <see cref="AffineBlit"/> can fetch pairs of taps without bounds checks.</summary>
    public const int Padding = 2;

    public Sprite(SKImage image, SKRect content)
    {
        Image = image;
        Content = content;
        Pixels = RasterPixels.Of(image, out _pixmap);
        Spans = AffineBlit.RowSpans(Pixels);
    }

    /// <summary>Per row, the first and last column with any opacity (see <see cref="AffineBlit.RowSpans"/>).</summary>
    public int[] Spans { get; }

    public SKImage Image { get; }

    /// <summary><see cref="Image"/>'s pixels, for <see cref="AffineBlit"/>.</summary>
    public RasterPixels Pixels { get; }

    /// <summary>The subject's box inside <see cref="Image"/>, in its pixels: what the actor's width and height refer to.</summary>
    public SKRect Content { get; }

    public void Dispose()
    {
        _pixmap.Dispose();
        Image.Dispose();
    }

    /// <summary>A cut-out, graded, at <paramref name="height"/> pixels tall at most.</summary>
    public static Sprite CutOut(CutOut cutOut, Look look, float fog, SKColor haze, float height)
    {
        var source = cutOut.Sprite;
        var scale = MathF.Min(1f, height / source.Height);
        var width = Math.Max(1, (int)MathF.Ceiling(source.Width * scale));
        var rows = Math.Max(1, (int)MathF.Ceiling(source.Height * scale));
        using var surface = SKSurface.Create(new SKImageInfo(width + (2 * Padding), rows + (2 * Padding), SKColorType.Bgra8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Skia could not create a {width}x{rows} surface.");
        surface.Canvas.Clear(SKColors.Transparent);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        var content = SKRect.Create(Padding, Padding, width, rows);
        surface.Canvas.DrawImage(source, content, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        ColorGrade.Apply(surface, look.ForSubject().Matrix(fog, haze));
        return new Sprite(surface.Snapshot(), content);
    }

    /// <summary>
    /// A reference that cannot be cut out, framed cleanly: the whole image on a light print border
    /// with rounded corners and a soft drop shadow, graded, at <paramref name="height"/> pixels tall at most.
    /// </summary>
    public static Sprite Card(SKImage image, float aspect, Look look, float height)
    {
        var border = Director.CardBorder * MathF.Min(1f, aspect);
        var imageHeight = MathF.Min(height / (1f + (2f * border)), image.Height);
        var imageWidth = imageHeight * aspect;
        var pad = imageHeight * border;
        var cardWidth = imageWidth + (2f * pad);
        var cardHeight = imageHeight + (2f * pad);
        var margin = (cardHeight * 0.06f) + Padding;
        var width = (int)MathF.Ceiling(cardWidth + (2f * margin));
        var rows = (int)MathF.Ceiling(cardHeight + (2f * margin));
        using var surface = SKSurface.Create(new SKImageInfo(width, rows, SKColorType.Bgra8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Skia could not create a {width}x{rows} surface.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        var card = SKRect.Create(margin, margin, cardWidth, cardHeight);
        var corner = cardHeight * 0.012f;
        using (var blur = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, cardHeight * 0.018f))
        using (var shadow = new SKPaint { Color = SKColors.Black.WithAlpha(120), MaskFilter = blur, IsAntialias = true })
        {
            canvas.DrawRoundRect(SKRect.Create(card.Left, card.Top + (cardHeight * 0.02f), card.Width, card.Height), corner, corner, shadow);
        }

        using (var paper = new SKPaint { Color = new SKColor(246, 244, 238), IsAntialias = true })
        {
            canvas.DrawRoundRect(card, corner, corner, paper);
        }

        using (var plain = new SKPaint())
        {
            canvas.DrawImage(image, SKRect.Create(card.Left + pad, card.Top + pad, imageWidth, imageHeight), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), plain);
        }

        ColorGrade.Apply(surface, look.ForSubject().Matrix(0f, SKColors.Black));
        return new Sprite(surface.Snapshot(), card);
    }
}
