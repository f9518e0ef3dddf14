using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Paddock.Core.Engines;
using Paddock.Media;

namespace Paddock.Server.Tests;

/// <summary>
/// The conform step every remote backend's video goes through: a file already exact is kept byte for byte (no ffmpeg run
/// after the download), anything else is brought to the promised size, rate, frame count and fast-start layout.
/// </summary>
public sealed class OutputConformerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-conform-").FullName;
    private readonly FfmpegConformer _conformer = new(Options.Create(new MediaOptions()), NullLogger<FfmpegConformer>.Instance);
    private static readonly RenderJob Job = new(Guid.NewGuid(), "happyhorse-1.0-r2v", "a test", [], 1280, 720, 24, 72, 1);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task An_exact_fast_start_video_with_its_audio_is_kept_byte_for_byte()
    {
        var path = await MakeAsync("exact.mp4", "1280x720", 24, faststart: true);
        var before = await File.ReadAllBytesAsync(path);

        await _conformer.ConformAsync(path, Job, _dir, CancellationToken.None);

        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task An_exact_stream_laid_out_for_download_only_is_rewritten_to_start_fast_and_keeps_its_audio()
    {
        var path = await MakeAsync("slow-start.mp4", "1280x720", 24, faststart: false);
        Assert.False(MoovFirst(path));

        await _conformer.ConformAsync(path, Job, _dir, CancellationToken.None);

        Assert.True(MoovFirst(path));
        var probe = await _conformer.ProbeAsync(path, CancellationToken.None);
        Assert.Equal((1280, 720, 72, true), (probe.Width, probe.Height, probe.FrameCount, probe.HasAudio));
    }

    [Fact]
    public async Task A_provider_size_and_rate_become_the_promised_ones()
    {
        var path = await MakeAsync("square.mp4", "960x960", 30, faststart: true);

        await _conformer.ConformAsync(path, Job, _dir, CancellationToken.None);

        var probe = await _conformer.ProbeAsync(path, CancellationToken.None);
        Assert.Equal((1280, 720, 24.0, 72, true), (probe.Width, probe.Height, probe.FramesPerSecond, probe.FrameCount, probe.HasAudio));
    }

    private static bool MoovFirst(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return text.IndexOf("moov", StringComparison.Ordinal) < text.IndexOf("mdat", StringComparison.Ordinal);
    }

    private async Task<string> MakeAsync(string name, string size, int fps, bool faststart)
    {
        var path = Path.Combine(_dir, name);
        var arguments = new List<string>
        {
            "-hide_banner", "-nostdin", "-y", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate={fps}:duration=3",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest",
        };
        if (faststart) arguments.AddRange(["-movflags", "+faststart"]);
        arguments.Add(path);
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        return path;
    }
}
