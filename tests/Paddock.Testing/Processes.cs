using Xunit;
using System.Diagnostics;
using System.Text.Json;

namespace Paddock.Testing;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs real programs (bash, curl, jq, awk, ffprobe) the way a user's shell would.</summary>
public static class Processes
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time; stderr: {await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Whether a command succeeds (used to decide, at discovery, whether a tool-dependent test can run).</summary>
    public static bool Succeeds(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(30_000) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static Task<ProcessResult> BashAsync(string script, IDictionary<string, string>? env = null, TimeSpan? timeout = null) =>
        RunAsync("bash", ["-c", script], env, timeout);
}

/// <summary>What ffprobe reads from a video file: the facts a player relies on.</summary>
public sealed record VideoFacts(string Codec, string PixelFormat, int Width, int Height, string FrameRate, int Frames, string? ColorSpace, bool FastStart);

public static class Ffprobe
{
    public static async Task<VideoFacts> InspectAsync(string path)
    {
        var result = await Processes.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries", "stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames,color_space", "-of", "json", path]);
        Assert.True(result.ExitCode == 0, $"ffprobe failed: {result.Stderr}");
        var stream = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("streams")[0];
        return new VideoFacts(
            stream.GetProperty("codec_name").GetString()!,
            stream.GetProperty("pix_fmt").GetString()!,
            stream.GetProperty("width").GetInt32(),
            stream.GetProperty("height").GetInt32(),
            stream.GetProperty("r_frame_rate").GetString()!,
            int.Parse(stream.GetProperty("nb_read_frames").GetString()!),
            stream.TryGetProperty("color_space", out var cs) ? cs.GetString() : null,
            MoovBeforeMdat(path));
    }

    /// <summary>Fast start: the index (moov) comes before the media data (mdat), so playback starts before the download ends.</summary>
    private static bool MoovBeforeMdat(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var span = bytes.AsSpan();
        var moov = span.IndexOf("moov"u8);
        var mdat = span.IndexOf("mdat"u8);
        return moov >= 0 && mdat >= 0 && moov < mdat;
    }
}
