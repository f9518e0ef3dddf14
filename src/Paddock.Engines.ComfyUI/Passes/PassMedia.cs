using System.Globalization;
using Paddock.Core.Engines;
using Paddock.Media;

namespace Paddock.Engines.ComfyUI.Passes;

/// <summary>
/// The video work between passes, with ffmpeg: the last frames of a pass cut out as a small clip (the next pass's
/// start), and the passes joined into one video, each later pass without the frames it carried over.
/// </summary>
internal sealed class PassMedia(MediaOptions options, FfmpegConformer probe)
{
    /// <summary>Writes the last <paramref name="frames"/> frames of <paramref name="pass"/> to <paramref name="destination"/> (MP4).</summary>
    public async Task TailAsync(string pass, int frames, string destination, CancellationToken ct)
    {
        var facts = await probe.ProbeAsync(pass, ct).ConfigureAwait(false);
        var start = Math.Max(0, facts.FrameCount - frames);
        await RunAsync(["-hide_banner", "-nostdin", "-y", "-i", pass, "-an",
            "-vf", $"trim=start_frame={I(start)},setpts=PTS-STARTPTS", "-frames:v", I(frames),
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p", "-movflags", "+faststart", destination],
            "cut the last frames of a pass", ct).ConfigureAwait(false);
    }

    /// <summary>Joins the passes in order; every pass after the first loses its first <paramref name="overlap"/> frames (the carried ones).</summary>
    public async Task JoinAsync(IReadOnlyList<string> passes, int overlap, string destination, CancellationToken ct)
    {
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-y" };
        foreach (var pass in passes) arguments.AddRange(["-i", pass]);
        var filter = string.Concat(passes.Select((_, i) => i == 0
            ? $"[0:v]setpts=PTS-STARTPTS,setsar=1[v0];"
            : $"[{I(i)}:v]trim=start_frame={I(overlap)},setpts=PTS-STARTPTS,setsar=1[v{I(i)}];"))
            + string.Concat(passes.Select((_, i) => $"[v{I(i)}]")) + $"concat=n={I(passes.Count)}:v=1:a=0[out]";
        // Kept nearly lossless: the conformer encodes the delivered video from this one.
        arguments.AddRange(["-filter_complex", filter, "-map", "[out]", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p", destination]);
        await RunAsync(arguments, "join the passes", ct).ConfigureAwait(false);
    }

    private async Task RunAsync(IEnumerable<string> arguments, string what, CancellationToken ct)
    {
        var result = await MediaTool.RunAsync(options.FfmpegPath, arguments, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new EngineFailureException(FailureKind.EngineError, $"could not {what} of the ComfyUI video: {MediaTool.Tail(result.Stderr)}");
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
