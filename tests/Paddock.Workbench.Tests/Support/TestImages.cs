using SkiaSharp;

namespace Paddock.Workbench.Tests.Support;

/// <summary>Reference images drawn for a test: a figure on a plain ground, big enough for the server's rules.</summary>
public static class TestImages
{
    public static byte[] Png(int width, int height, SKColor figure, SKColor ground)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(ground);
        using var paint = new SKPaint { Color = figure, IsAntialias = true };
        canvas.DrawCircle(width / 2f, height * 0.4f, Math.Min(width, height) * 0.2f, paint);
        canvas.DrawRect(width * 0.35f, height * 0.55f, width * 0.3f, height * 0.3f, paint);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 90);
        return data.ToArray();
    }
}
