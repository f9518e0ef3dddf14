using System.Diagnostics;
using System.Globalization;

namespace Paddock.Fakes.ComfyUI.Execution;

/// <summary>What a save node asked for and what the graph implies: the file a real run would have written.</summary>
internal sealed record RenderRequest(string Path, string Container, string Codec, int Width, int Height, int Frames, double Fps, long Seed);

/// <summary>
/// Writes a real, small video with ffmpeg's test source at the shape the graph implies, in the container and codec
/// the save node asks for. The seed shifts the hue, so two seeds give two different files.
/// </summary>
internal sealed class VideoRenderer(FakeComfyUIOptions options)
{
    private byte[]? _preview;

    public async Task RenderAsync(RenderRequest request, CancellationToken ct)
    {
        var fps = request.Fps.ToString("0.###", CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "-hide_banner", "-v", "error", "-y",
            "-f", "lavfi", "-i", $"testsrc2=size={request.Width}x{request.Height}:rate={fps}",
            "-frames:v", request.Frames.ToString(CultureInfo.InvariantCulture),
            "-vf", $"hue=h={request.Seed % 360}",
            "-threads", "2",
        };
        args.AddRange((request.Container, request.Codec) switch
        {
            ("webp", _) => ["-c:v", "libwebp_anim", "-loop", "0", "-quality", "80", "-f", "webp"],
            ("webm", "vp9") => ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "0", "-crf", "32", "-pix_fmt", "yuv420p", "-f", "webm"],
            ("webm", _) => ["-c:v", "libsvtav1", "-preset", "12", "-crf", "35", "-pix_fmt", "yuv420p10le", "-f", "webm"],
            ("mkv", _) => ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "matroska"],
            _ => ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"],
        });
        args.Add(request.Path);
        var result = await RunAsync(args, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg could not write {Path.GetFileName(request.Path)}: {result.Stderr.Trim()}");
    }

    /// <summary>A small JPEG for binary preview messages, made once.</summary>
    public async Task<byte[]> PreviewJpegAsync(CancellationToken ct)
    {
        if (_preview is not null) return _preview;
        var file = Path.Combine(Path.GetTempPath(), $"fake-comfyui-preview-{Guid.NewGuid():N}.jpg");
        try
        {
            var result = await RunAsync(["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=1", "-frames:v", "1", file], ct).ConfigureAwait(false);
            if (result.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not write a preview: {result.Stderr.Trim()}");
            return _preview = await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<(int ExitCode, string Stderr)> RunAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(options.Ffmpeg) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {options.Ffmpeg}.");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await stdout.ConfigureAwait(false);
        return (process.ExitCode, await stderr.ConfigureAwait(false));
    }
}
