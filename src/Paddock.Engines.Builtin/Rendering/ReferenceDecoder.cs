using Paddock.Core.Engines;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Decodes the references once, before the first frame, into ready-to-draw raster images, and cuts
/// the subject out of each one that has a plain backdrop (<see cref="Matte"/>).
/// </summary>
internal static class ReferenceDecoder
{
    /// <summary>
    /// Room for the largest camera move on a set (zoom, pan and the margin that keeps an image's
    /// edge out of the frame) before the image is upsampled.
    /// </summary>
    private const float Headroom = 1.25f;

    /// <summary>Beyond the API's 40-megapixel limit with room; guards memory if a job skipped validation.</summary>
    private const long MaxPixels = 100_000_000;

    public static CastMember Decode(ReferenceImage reference, int frameWidth, int frameHeight)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var name = $"reference_images[{reference.Index - 1}]";
        if (reference.Bytes is not { Length: > 0 })
        {
            throw new InvalidDataException($"{name}: the image is empty.");
        }

        using var data = SKData.CreateCopy(reference.Bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"{name}: not a decodable JPEG or PNG image.");
        var encodedWidth = codec.Info.Width;
        var encodedHeight = codec.Info.Height;
        if (encodedWidth <= 0 || encodedHeight <= 0 || (long)encodedWidth * encodedHeight > MaxPixels)
        {
            throw new InvalidDataException($"{name}: unusable image size {encodedWidth}x{encodedHeight}.");
        }

        // A phone photo is stored sideways with an EXIF orientation: show it the way it was taken.
        var origin = codec.EncodedOrigin;
        var turned = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (sourceWidth, sourceHeight) = turned ? (encodedHeight, encodedWidth) : (encodedWidth, encodedHeight);

        // Large enough to cover the frame with headroom: a set is never shown larger, and a subject
        // is a part of it shown smaller.
        var cover = MathF.Max(frameWidth / (float)sourceWidth, frameHeight / (float)sourceHeight);
        var scale = MathF.Min(1f, cover * Headroom);
        var targetWidth = Math.Max(1, (int)MathF.Ceiling(encodedWidth * scale));
        var targetHeight = Math.Max(1, (int)MathF.Ceiling(encodedHeight * scale));

        using var decoded = DecodePixels(codec, name, scale, targetWidth, targetHeight);
        var image = Orient(Resample(decoded, targetWidth, targetHeight), origin);
        CutOut? cutOut;
        try
        {
            cutOut = Matte.Extract(image);
        }
        catch
        {
            image.Dispose();
            throw;
        }

        return new CastMember(reference.Index, sourceWidth, sourceHeight, image, cutOut);
    }

    private static SKBitmap DecodePixels(SKCodec codec, string name, float scale, int targetWidth, int targetHeight)
    {
        // JPEG decodes at 1/2, 1/4 or 1/8 size for a fraction of the cost; use it while it stays
        // at least as large as the target, so the final resample only ever shrinks.
        var size = codec.Info.Size;
        var scaled = codec.GetScaledDimensions(scale);
        if (scaled.Width >= targetWidth && scaled.Height >= targetHeight)
        {
            size = scaled;
        }

        using var srgb = SKColorSpace.CreateSrgb();
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Bgra8888, SKAlphaType.Premul, srgb);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new InvalidDataException($"{name}: the image could not be decoded ({result}).");
        }

        return bitmap;
    }

    private static SKImage Resample(SKBitmap decoded, int width, int height)
    {
        // FromBitmap copies a mutable bitmap's pixels, so the image outlives the bitmap.
        var source = SKImage.FromBitmap(decoded);
        if (decoded.Width == width && decoded.Height == height)
        {
            return source;
        }

        using (source)
        {
            return Downscale(source, width, height);
        }
    }

    /// <summary>The image turned or mirrored as its EXIF orientation says (done after downscaling, so it is cheap).</summary>
    private static SKImage Orient(SKImage image, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return image;
        float w = image.Width, h = image.Height;
        // Where each source pixel (x, y) lands: x' = a·x + b·y + c, y' = d·x + e·y + f.
        var (matrix, width, height) = origin switch
        {
            SKEncodedOrigin.TopRight => (new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1), image.Width, image.Height),
            SKEncodedOrigin.BottomRight => (new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1), image.Width, image.Height),
            SKEncodedOrigin.BottomLeft => (new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1), image.Width, image.Height),
            SKEncodedOrigin.LeftTop => (new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1), image.Height, image.Width),
            SKEncodedOrigin.RightTop => (new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1), image.Height, image.Width),
            SKEncodedOrigin.RightBottom => (new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1), image.Height, image.Width),
            SKEncodedOrigin.LeftBottom => (new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1), image.Height, image.Width),
            _ => (SKMatrix.Identity, image.Width, image.Height),
        };
        using (image)
        {
            using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
            surface.Canvas.SetMatrix(matrix);
            using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
            surface.Canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
            return surface.Snapshot();
        }
    }

    private static SKImage Downscale(SKImage source, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        // Once per reference, so quality wins over speed: mipmaps keep a large downscale free of aliasing.
        surface.Canvas.DrawImage(source, new SKRect(0, 0, width, height),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        // A raster surface's snapshot is a raster image: nothing is decoded lazily later.
        return surface.Snapshot();
    }
}
