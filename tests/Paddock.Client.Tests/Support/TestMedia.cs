using Paddock.Client;
using SkiaSharp;

namespace Paddock.Client.Tests.Support;

/// <summary>Reference images drawn for a test, and small checks on what comes back.</summary>
public static class TestMedia
{
    /// <summary>A PNG of a coloured figure on a plain ground, big enough to be a valid reference (shorter side over 400 px).</summary>
    public static byte[] Png(int width = 640, int height = 480, uint figure = 0xFFE04020, uint ground = 0xFF30A0E0)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor(ground));
        using var paint = new SKPaint { Color = new SKColor(figure), IsAntialias = true };
        canvas.DrawCircle(width / 2f, height * 0.4f, Math.Min(width, height) * 0.2f, paint);
        canvas.DrawRect(width * 0.35f, height * 0.55f, width * 0.3f, height * 0.3f, paint);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 90);
        return data.ToArray();
    }

    /// <summary>True for an MP4: its first box is <c>ftyp</c>.</summary>
    public static bool IsMp4(ReadOnlySpan<byte> bytes) => bytes.Length > 12 && bytes[4..8].SequenceEqual("ftyp"u8);

    /// <summary>A small, fast request: 720P, 3 seconds.</summary>
    public static HappyHorseR2VRequest Small(string prompt, int? seed = null) =>
        new(prompt) { Resolution = "720P", Duration = 3, AspectRatio = "16:9", Seed = seed };

    public static string TempFile(string name) =>
        Path.Combine(Path.GetTempPath(), "paddock-client-" + Guid.NewGuid().ToString("N"), name);
}
