using System.Diagnostics;
using System.Text.Json;
using SkiaSharp;

namespace Paddock.Cli.Tests.Support;

/// <summary>Reference images drawn for a test, and what ffprobe reads from a video the command saved.</summary>
public static class TestMedia
{
    /// <summary>A PNG of a figure on a plain ground, written to <paramref name="path"/>.</summary>
    public static string WritePng(string path, int width, int height, uint figure = 0xFFE04020, uint ground = 0xFF30A0E0)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor(ground));
        using var paint = new SKPaint { Color = new SKColor(figure), IsAntialias = true };
        canvas.DrawCircle(width / 2f, height * 0.4f, Math.Min(width, height) * 0.2f, paint);
        canvas.DrawRect(width * 0.35f, height * 0.55f, width * 0.3f, height * 0.3f, paint);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 90);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    public sealed record VideoFacts(string Codec, int Width, int Height, int Frames);

    /// <summary>Decodes every frame: a file ffprobe can count frames in is one a player can play.</summary>
    public static async Task<VideoFacts> ProbeAsync(string path)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", path })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ffprobe could not read {path}: {await stderr}");
        var stream = JsonDocument.Parse(await stdout).RootElement.GetProperty("streams")[0];
        return new VideoFacts(
            stream.GetProperty("codec_name").GetString()!,
            stream.GetProperty("width").GetInt32(),
            stream.GetProperty("height").GetInt32(),
            int.Parse(stream.GetProperty("nb_read_frames").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
