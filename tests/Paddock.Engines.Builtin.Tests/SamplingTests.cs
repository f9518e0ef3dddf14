using System.Runtime.InteropServices;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>The hand-written pixel paths agree with textbook arithmetic, and their fast and plain variants give the same bytes.</summary>
public sealed class SamplingTests
{
    private const int Width = 200;
    private const int Height = 150;

    [Theory]
    [InlineData(0f, 0.8f, 0.8f)]
    [InlineData(0.05f, 0.73f, 0.77f)]
    [InlineData(1.2f, 1.3f, 0.9f)]
    [InlineData(3.14159f, -0.6f, 0.6f)] // upside down and mirrored
    [InlineData(0.3f, 2.5f, 2.5f)]      // upscaled
    public void Affine_sprites_sample_like_exact_bilinear_and_both_paths_agree(float rotation, float scaleX, float scaleY)
    {
        using var sprite = NoisySprite(90, 70);
        var map = SKMatrix.CreateTranslation(-45, -35).PostConcat(SKMatrix.CreateScale(scaleX, scaleY)).PostConcat(SKMatrix.CreateRotation(rotation)).PostConcat(SKMatrix.CreateTranslation(101.3f, 74.6f));
        var vector = Background();
        var scalar = Background();

        AffineBlit.Draw(sprite.Pixels, vector, Width, Height, map, spans: sprite.Spans);
        AffineBlit.Draw(sprite.Pixels, scalar, Width, Height, map);
        var expected = ExactAffine(sprite, map);

        Assert.Equal(scalar, vector);
        var (largest, mean) = Compare(vector, expected);
        Assert.True(largest <= 3 && mean < 0.5, $"largest difference {largest}, mean {mean:F3}");
    }

    [Fact]
    public void Tiled_and_plain_source_over_give_the_same_bytes()
    {
        using var layer = LayerImage();
        var pixels = RasterPixels.Of(layer, out var pixmap);
        using (pixmap)
        {
            var tiles = TileMap.Of(pixels);
            foreach (var target in new[] { new SKRect(-40.3f, 10.7f, 240.2f, 190.1f), new SKRect(-3f, -2f, 203.5f, 152.25f), new SKRect(20.5f, 30.25f, 90.75f, 80.5f) })
            {
                var plain = Background();
                var tiled = Background();
                var blit = new ImageBlit(Width, Height, 400);

                blit.DrawOver(pixels, plain, target);
                blit.DrawOver(pixels, tiled, target, tiles: tiles);

                Assert.Equal(plain, tiled);
            }
        }
    }

    [Fact]
    public void A_colour_grade_is_the_same_on_every_path_and_keeps_grey_grey()
    {
        var look = Look.Combine(PromptReader.Read("Image 1 waves, black and white, foggy, golden hour", 1).Single().Grades);
        using var surface = SKSurface.Create(new SKImageInfo(37, 5, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var noise = NoisySprite(37, 5);
        using (var paint = new SKPaint { BlendMode = SKBlendMode.Src })
        {
            surface.Canvas.DrawImage(noise.Image, 0, 0, default(SKSamplingOptions), paint);
        }

        ColorGrade.Apply(surface, look.Matrix(0.3f, new SKColor(200, 150, 90)));

        using var pixmap = surface.PeekPixels();
        var bytes = new byte[pixmap.BytesSize];
        Marshal.Copy(pixmap.GetPixels(), bytes, 0, bytes.Length);
        for (var i = 0; i < bytes.Length; i += 4)
        {
            // Premultiplied: equal channels, never above alpha. 37 columns: the last five took the scalar path.
            Assert.True(bytes[i] == bytes[i + 1] && bytes[i + 1] == bytes[i + 2] && bytes[i + 2] <= bytes[i + 3], $"pixel {i / 4}: {bytes[i]},{bytes[i + 1]},{bytes[i + 2]},{bytes[i + 3]}");
        }
    }

    private static byte[] Background()
    {
        var frame = new byte[Width * Height * 4];
        for (var i = 0; i < frame.Length; i += 4)
        {
            (frame[i], frame[i + 1], frame[i + 2], frame[i + 3]) = ((byte)(i % 251), 120, (byte)(i % 97), 255);
        }

        return frame;
    }

    /// <summary>Random premultiplied pixels with varied alpha, inside the transparent padding sprites have.</summary>
    private static Sprite NoisySprite(int width, int height)
    {
        var random = new DeterministicRandom(11);
        var info = new SKImageInfo(width + (2 * Sprite.Padding), height + (2 * Sprite.Padding), SKColorType.Bgra8888, SKAlphaType.Premul);
        var pixels = new byte[info.BytesSize];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (((y + Sprite.Padding) * info.Width) + x + Sprite.Padding) * 4;
                var alpha = (byte)(random.Chance(0.2f) ? 255 : random.Next(256));
                pixels[i + 3] = alpha;
                for (var c = 0; c < 3; c++)
                {
                    pixels[i + c] = (byte)random.Next(alpha + 1);
                }
            }
        }

        var image = SKImage.FromPixelCopy(info, pixels);
        return new Sprite(image, SKRect.Create(Sprite.Padding, Sprite.Padding, width, height));
    }

    private static SKImage LayerImage()
    {
        // Hills over transparency: empty, opaque and mixed runs in every combination.
        using var surface = SKSurface.Create(new SKImageInfo(300, 180, SKColorType.Bgra8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.Transparent);
        using var paint = new SKPaint { IsAntialias = true, Color = new SKColor(40, 140, 60) };
        surface.Canvas.DrawCircle(80, 160, 90, paint);
        paint.Color = new SKColor(200, 80, 40, 160);
        surface.Canvas.DrawOval(220, 120, 70, 40, paint);
        paint.Color = SKColors.Navy;
        surface.Canvas.DrawRect(0, 150, 300, 30, paint);
        return surface.Snapshot();
    }

    /// <summary>Textbook decal bilinear sampling and source-over in doubles.</summary>
    private static byte[] ExactAffine(Sprite sprite, SKMatrix map)
    {
        map.TryInvert(out var inverse);
        using var pixmap = sprite.Image.PeekPixels();
        var source = new byte[pixmap.BytesSize];
        Marshal.Copy(pixmap.GetPixels(), source, 0, source.Length);
        var (w, h) = (pixmap.Width, pixmap.Height);
        double Tap(int x, int y, int c) => x < 0 || y < 0 || x >= w || y >= h ? 0 : source[(((y * w) + x) * 4) + c];
        var frame = Background();
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var point = inverse.MapPoint(x + 0.5f, y + 0.5f);
                var u = point.X - 0.5;
                var v = point.Y - 0.5;
                var x0 = (int)Math.Floor(u);
                var y0 = (int)Math.Floor(v);
                var fx = u - x0;
                var fy = v - y0;
                var sample = new double[4];
                for (var c = 0; c < 4; c++)
                {
                    var top = Tap(x0, y0, c) + ((Tap(x0 + 1, y0, c) - Tap(x0, y0, c)) * fx);
                    var bottom = Tap(x0, y0 + 1, c) + ((Tap(x0 + 1, y0 + 1, c) - Tap(x0, y0 + 1, c)) * fx);
                    sample[c] = top + ((bottom - top) * fy);
                }

                var i = ((y * Width) + x) * 4;
                for (var c = 0; c < 4; c++)
                {
                    frame[i + c] = (byte)Math.Clamp(Math.Round(sample[c] + (frame[i + c] * (1 - (sample[3] / 255)))), 0, 255);
                }
            }
        }

        return frame;
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
}
