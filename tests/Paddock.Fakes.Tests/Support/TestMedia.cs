using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Paddock.Fakes.Tests.Support;

/// <summary>Real images and video facts, made and read by the real ffmpeg and ffprobe.</summary>
public static class TestMedia
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("paddock-fakes-tests-").FullName;
    private static readonly ConcurrentDictionary<string, byte[]> Made = new();

    /// <summary>A solid-colour image of the given size, encoded by ffmpeg as png, jpg or webp.</summary>
    public static byte[] Image(int width, int height, string format = "png", string colour = "orange") =>
        Made.GetOrAdd($"{width}x{height}.{colour}.{format}", name =>
        {
            var path = Path.Combine(Folder, name);
            var result = Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"color=c={colour}:s={width}x{height}", "-frames:v", "1", path);
            Assert.True(result.ExitCode == 0, "ffmpeg could not make a test image: " + result.Stderr);
            return File.ReadAllBytes(path);
        });

    public static string DataUri(byte[] bytes, string mime) => $"data:{mime};base64,{Convert.ToBase64String(bytes)}";

    /// <summary>What a player relies on, read by ffprobe from a downloaded video.</summary>
    public sealed record VideoFacts(string VideoCodec, int Width, int Height, string FrameRate, int Frames, bool HasAudio, string? AudioCodec);

    public static VideoFacts Probe(byte[] mp4)
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".mp4");
        File.WriteAllBytes(path, mp4);
        var result = Run("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "json", path);
        Assert.True(result.ExitCode == 0, "ffprobe could not read the video: " + result.Stderr);
        var streams = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.Single(s => s.GetProperty("codec_type").GetString() == "video");
        var audio = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "audio");
        return new VideoFacts(
            video.GetProperty("codec_name").GetString()!,
            video.GetProperty("width").GetInt32(),
            video.GetProperty("height").GetInt32(),
            video.GetProperty("r_frame_rate").GetString()!,
            int.Parse(video.GetProperty("nb_read_frames").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            audio.ValueKind != JsonValueKind.Undefined,
            audio.ValueKind != JsonValueKind.Undefined ? audio.GetProperty("codec_name").GetString() : null);
    }

    public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

    public static ProcessResult Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), $"{file} did not finish in two minutes");
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
