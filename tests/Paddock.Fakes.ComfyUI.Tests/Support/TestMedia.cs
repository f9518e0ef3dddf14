using System.Diagnostics;
using System.Text.Json;

namespace Paddock.Fakes.ComfyUI.Tests.Support;

public sealed record ProbedVideo(string Codec, string Container, int Width, int Height, string FrameRate, int Frames);

/// <summary>Real files made and read with ffmpeg / ffprobe.</summary>
public static class TestMedia
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, byte[]> Made = [];

    /// <summary>A small PNG of one colour (a reference image to upload).</summary>
    public static Task<byte[]> PngAsync(string colour) => MakeAsync($"{colour}.png", ["-f", "lavfi", "-i", $"color=c={colour}:s=96x64", "-frames:v", "1"]);

    /// <summary>A short MP4 standing for a previous pass's last frames.</summary>
    public static Task<byte[]> TailClipAsync(int frames) =>
        MakeAsync($"tail-{frames}.mp4", ["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=16", "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:v", "libx264", "-pix_fmt", "yuv420p"]);

    private static async Task<byte[]> MakeAsync(string name, string[] args)
    {
        await Gate.WaitAsync();
        try
        {
            if (Made.TryGetValue(name, out var known)) return known;
            var file = Path.Combine(Path.GetTempPath(), $"fake-comfyui-test-{Guid.NewGuid():N}-{name}");
            var (code, stderr) = await RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-y", .. args, file]);
            Assert.True(code == 0, $"ffmpeg failed: {stderr}");
            var bytes = await File.ReadAllBytesAsync(file);
            File.Delete(file);
            return Made[name] = bytes;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<ProbedVideo> ProbeAsync(byte[] video)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fake-comfyui-probe-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(file, video);
        try
        {
            var (code, stdout) = await RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
                "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames:format=format_name", "-of", "json", file], stdoutWanted: true);
            Assert.True(code == 0, $"ffprobe could not read the video: {stdout}");
            var root = JsonDocument.Parse(stdout).RootElement;
            var stream = root.GetProperty("streams")[0];
            return new ProbedVideo(
                stream.GetProperty("codec_name").GetString()!,
                root.GetProperty("format").GetProperty("format_name").GetString()!,
                stream.GetProperty("width").GetInt32(),
                stream.GetProperty("height").GetInt32(),
                stream.GetProperty("r_frame_rate").GetString()!,
                int.Parse(stream.GetProperty("nb_read_frames").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, bool stdoutWanted = false)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdoutWanted ? await stdout + await stderr : await stderr);
    }
}
