using System.Runtime.InteropServices;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

public sealed class ImageBlitTests
{
    private const int Width = 320;
    private const int Height = 180;

    public static TheoryData<float, float, float, float> Placements => new()
    {
        { 0f, 0f, 320f, 180f },              // exactly the frame (a downscale of the 400x260 source)
        { -13.37f, -7.21f, 340.2f, 196.9f },  // zoomed in, sub-pixel offset
        { -40.5f, -3.25f, 420.75f, 190.5f },  // wide pan
        { -0.3f, -0.2f, 320.6f, 180.4f },     // a hair larger than the frame
        { -200.25f, -150.75f, 700.5f, 450.5f }, // an upscale
    };

    [Theory]
    [MemberData(nameof(Placements))]
    public void Samples_like_exact_bilinear_filtering(float left, float top, float right, float bottom)
    {
        using var image = NoisyImage(400, 260);
        var target = new SKRect(left, top, right, bottom);

        var actual = Blit(image, target);
        var expected = ExactBilinear(image, target);

        // 8-bit weights and a rounding after each pass: off by a level or two at most, rarely.
        var (largest, mean) = Compare(actual, expected);
        Assert.True(largest <= 2 && mean < 0.5, $"largest difference {largest}, mean {mean:F3}");
    }

    public static TheoryData<float, float, float, float, float> InsetPlacements => new()
    {
        { 40.3f, 20.7f, 250.6f, 160.2f, 1f },   // contained, edges inside pixels
        { 40.3f, 20.7f, 250.6f, 160.2f, 0.37f }, // the same, fading
        { -20.5f, 30.25f, 150.75f, 200.5f, 1f }, // off two edges of the frame
        { -10f, -10f, 330.4f, 190.6f, 0.5f },    // covering, half faded
        { 100.2f, 50.2f, 100.9f, 50.7f, 1f },    // smaller than one pixel
    };

    [Theory]
    [MemberData(nameof(InsetPlacements))]
    public void Blends_edges_by_coverage_and_the_whole_by_opacity(float left, float top, float right, float bottom, float opacity)
    {
        using var image = NoisyImage(400, 260);
        var target = new SKRect(left, top, right, bottom);
        var background = new byte[] { 30, 200, 10, 255 };
        var frame = new byte[Width * Height * 4];
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = background[i % 4];
        }

        var pixels = RasterPixels.Of(image, out var pixmap);
        using (pixmap)
        {
            new ImageBlit(Width, Height, 400).Draw(pixels, frame, target, opacity);
        }

        var sampled = ExactBilinear(image, target);
        var expected = new byte[frame.Length];
        for (var y = 0; y < Height; y++)
        {
            var coverY = Math.Clamp(Math.Min(y + 1, target.Bottom) - Math.Max(y, target.Top), 0, 1);
            for (var x = 0; x < Width; x++)
            {
                var coverX = Math.Clamp(Math.Min(x + 1, target.Right) - Math.Max(x, target.Left), 0, 1);
                var alpha = coverX * coverY * opacity;
                for (var c = 0; c < 4; c++)
                {
                    var i = (((y * Width) + x) * 4) + c;
                    expected[i] = (byte)Math.Round(background[c] + ((sampled[i] - background[c]) * alpha));
                }
            }
        }

        var (largest, mean) = Compare(frame, expected);
        Assert.True(largest <= 3 && mean < 0.5, $"largest difference {largest}, mean {mean:F3}");
    }

    [Theory]
    [MemberData(nameof(Placements))]
    public void Agrees_with_skia_linear_sampling(float left, float top, float right, float bottom)
    {
        using var image = NoisyImage(400, 260);
        var target = new SKRect(left, top, right, bottom);

        var actual = Blit(image, target);
        var expected = SkiaDraw(image, target);

        // Skia positions samples to 1/16 pixel, so on pure noise values differ by about 2.5 levels on
        // average; a real mistake (half a pixel off, a wrong tap, swapped channels) averages tens.
        var (_, mean) = Compare(actual, expected);
        Assert.True(mean < 4, $"mean difference {mean:F3}");
    }

    private static byte[] Blit(SKImage image, SKRect target)
    {
        var frame = new byte[Width * Height * 4];
        var pixels = RasterPixels.Of(image, out var pixmap);
        using (pixmap)
        {
            new ImageBlit(Width, Height, 400).Draw(pixels, frame, target);
        }

        return frame;
    }

    /// <summary>Textbook bilinear in doubles: pixel centres, edges clamped.</summary>
    private static byte[] ExactBilinear(SKImage image, SKRect target)
    {
        var source = Pixels(image);
        var output = new byte[Width * Height * 4];
        for (var y = 0; y < Height; y++)
        {
            var v = Math.Clamp(((y + 0.5 - target.Top) * image.Height / target.Height) - 0.5, 0, image.Height - 1);
            var y0 = (int)v;
            var y1 = Math.Min(y0 + 1, image.Height - 1);
            for (var x = 0; x < Width; x++)
            {
                var u = Math.Clamp(((x + 0.5 - target.Left) * image.Width / target.Width) - 0.5, 0, image.Width - 1);
                var x0 = (int)u;
                var x1 = Math.Min(x0 + 1, image.Width - 1);
                for (var c = 0; c < 4; c++)
                {
                    double At(int px, int py) => source[(((py * image.Width) + px) * 4) + c];
                    var top = At(x0, y0) + ((At(x1, y0) - At(x0, y0)) * (u - x0));
                    var bottom = At(x0, y1) + ((At(x1, y1) - At(x0, y1)) * (u - x0));
                    output[(((y * Width) + x) * 4) + c] = (byte)Math.Round(top + ((bottom - top) * (v - y0)));
                }
            }
        }

        return output;
    }

    private static byte[] SkiaDraw(SKImage image, SKRect target)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var paint = new SKPaint();
        surface.Canvas.Clear(SKColors.Black);
        surface.Canvas.DrawImage(image, new SKRect(0, 0, image.Width, image.Height), target, new SKSamplingOptions(SKFilterMode.Linear), paint);
        using var snapshot = surface.Snapshot();
        return Pixels(snapshot);
    }

    private static byte[] Pixels(SKImage image)
    {
        using var pixmap = image.PeekPixels();
        var bytes = new byte[pixmap.BytesSize];
        Marshal.Copy(pixmap.GetPixels(), bytes, 0, bytes.Length);
        return bytes;
    }

    private static (int Largest, double Mean) Compare(byte[] actual, byte[] expected)
    {
        var largest = 0;
        long total = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var difference = Math.Abs(actual[i] - expected[i]);
            largest = Math.Max(largest, difference);
            total += difference;
        }

        return (largest, total / (double)actual.Length);
    }

    private static SKImage NoisyImage(int width, int height)
    {
        var random = new DeterministicRandom(5);
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        var pixels = new byte[info.BytesSize];
        for (var i = 0; i < pixels.Length; i += 4)
        {
            pixels[i] = (byte)random.Next(256);
            pixels[i + 1] = (byte)random.Next(256);
            pixels[i + 2] = (byte)random.Next(256);
            pixels[i + 3] = 255;
        }

        return SKImage.FromPixelCopy(info, pixels);
    }
}
