using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Paddock.Fakes.DashScope.Protocol;

namespace Paddock.Fakes.DashScope.Video;

/// <summary>
/// Makes the result videos: real MP4s of the provider's shape — H.264, 24 fps, an AAC audio track [models] — from
/// ffmpeg's test pattern and a sine tone. One file per size and duration, made once and shared by the tasks that need it.
/// </summary>
public sealed class VideoRenderer(FakeDashScopeOptions options, string directory)
{
    private readonly ConcurrentDictionary<(int Width, int Height, int Seconds), Lazy<Task<string>>> _made = new();

    public Task<string> RenderAsync(int width, int height, int seconds) =>
        _made.GetOrAdd((width, height, seconds), key => new Lazy<Task<string>>(() => MakeAsync(key.Width, key.Height, key.Seconds))).Value;

    private async Task<string> MakeAsync(int width, int height, int seconds)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"happyhorse-{width}x{height}-{seconds}s.mp4");
        var partial = path + ".partial.mp4";
        var info = new ProcessStartInfo(options.FfmpegPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var fps = ModelCatalog.FramesPerSecond.ToString(CultureInfo.InvariantCulture);
        foreach (var arg in new[]
        {
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={fps}",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-r", fps, "-threads", "2",
            "-c:a", "aac", "-b:a", "64k",
            "-movflags", "+faststart", partial,
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {options.FfmpegPath}.");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"ffmpeg did not finish a {width}x{height} {seconds}s video within 3 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg failed making a {width}x{height} {seconds}s video: {(await stderr.ConfigureAwait(false)).Trim()}");
        File.Move(partial, path, overwrite: true);
        return path;
    }
}
