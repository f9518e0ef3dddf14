using Paddock.Core.Engines;
using Paddock.Engines.Builtin.Rendering;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>A phone photo stored sideways with an EXIF orientation is shown the way it was taken.</summary>
public sealed class ExifOrientationTests
{
    /// <summary>800 × 400: red on the left half, blue on the right.</summary>
    private static byte[] SidewaysJpeg()
    {
        using var surface = SKSurface.Create(new SKImageInfo(800, 400));
        using (var red = new SKPaint { Color = SKColors.Red }) surface.Canvas.DrawRect(0, 0, 400, 400, red);
        using (var blue = new SKPaint { Color = SKColors.Blue }) surface.Canvas.DrawRect(400, 0, 400, 400, blue);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    private static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] app1 = [0xFF, 0xE1, 0, (byte)(2 + 6 + tiff.Length), .. "Exif\0\0"u8, .. tiff];
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }

    private static SKColor At(SKImage image, float fx, float fy)
    {
        using var bitmap = SKBitmap.FromImage(image);
        return bitmap.GetPixel((int)(fx * (image.Width - 1)), (int)(fy * (image.Height - 1)));
    }

    [Theory]
    [InlineData(1, 800, 400, "left red")]
    [InlineData(6, 400, 800, "top red")]      // turned a quarter clockwise: the left edge becomes the top
    [InlineData(8, 400, 800, "bottom red")]   // turned a quarter counter-clockwise
    [InlineData(3, 800, 400, "right red")]    // upside down
    public void Orientation_is_applied_before_casting(int orientation, int width, int height, string where)
    {
        var bytes = WithExifOrientation(SidewaysJpeg(), orientation);
        using var member = ReferenceDecoder.Decode(new ReferenceImage(1, "test", bytes, "image/jpeg", 800, 400), 1920, 1080);
        Assert.Equal((width, height), (member.SourceWidth, member.SourceHeight));
        Assert.Equal((float)width / height, member.Image.Width / (float)member.Image.Height, 0.02);

        var (redAt, blueAt) = where switch
        {
            "left red" => ((0.1f, 0.5f), (0.9f, 0.5f)),
            "right red" => ((0.9f, 0.5f), (0.1f, 0.5f)),
            "top red" => ((0.5f, 0.1f), (0.5f, 0.9f)),
            _ => ((0.5f, 0.9f), (0.5f, 0.1f)),
        };
        var red = At(member.Image, redAt.Item1, redAt.Item2);
        var blue = At(member.Image, blueAt.Item1, blueAt.Item2);
        Assert.True(red.Red > 200 && red.Blue < 60, $"expected red at {redAt}, got {red}");
        Assert.True(blue.Blue > 200 && blue.Red < 60, $"expected blue at {blueAt}, got {blue}");
    }
}
