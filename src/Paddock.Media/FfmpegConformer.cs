using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Engines;
using Paddock.Core.Video;

namespace Paddock.Media;

/// <summary>
/// Conforms a backend's video to the API's promise with ffmpeg: scaled to cover the exact size and centre-cropped (the
/// picture is never letterboxed), re-timed to 24 fps, cut or held on its last frame to the exact frame count, H.264
/// yuv420p with BT.709 tags and fast start; an audio track is kept (AAC, cut or padded with silence to the length).
/// </summary>
public sealed partial class FfmpegConformer(IOptions<MediaOptions> options, ILogger<FfmpegConformer> logger) : IOutputConformer
{
    private readonly MediaOptions _options = options.Value;

    public async Task ConformAsync(string path, RenderJob job, string workDirectory, CancellationToken cancellationToken)
    {
        var probe = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        var exactStream = probe.Codec == "h264" && probe.PixelFormat == "yuv420p" && probe.Width == job.Width && probe.Height == job.Height
            && Math.Abs(probe.FramesPerSecond - job.FramesPerSecond) < 0.01 && probe.FrameCount == job.FrameCount;
        var length = job.FrameCount / (double)job.FramesPerSecond;
        if (exactStream && (!probe.HasAudio || probe.AudioCodec == "aac" && Math.Abs((probe.AudioDurationSeconds ?? 0) - length) < 0.05)
            && Mp4Layout.IsFastStart(path))
        {
            // Already what the API promises, laid out for streaming: an ffmpeg run would only rewrite the same bytes.
            LogAlreadyExact(job.GenerationId, probe.Width, probe.Height, probe.FrameCount, probe.HasAudio);
            return;
        }
        var conformed = Path.Combine(workDirectory, "conformed.mp4");
        var seconds = length.ToString("0.###", CultureInfo.InvariantCulture);
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-y", "-i", path, "-map", "0:v:0" };
        if (probe.HasAudio) arguments.AddRange(["-map", "0:a:0"]);
        if (exactStream)
        {
            // Already the promised stream: only the container is redone (fast start, no foreign metadata).
            arguments.AddRange(["-c:v", "copy"]);
        }
        else
        {
            var w = job.Width.ToString(CultureInfo.InvariantCulture);
            var h = job.Height.ToString(CultureInfo.InvariantCulture);
            var filter = $"scale={w}:{h}:force_original_aspect_ratio=increase:flags=lanczos:out_color_matrix=bt709,crop={w}:{h},setsar=1," +
                         $"fps={job.FramesPerSecond},tpad=stop_mode=clone:stop_duration={seconds}";
            arguments.AddRange(["-vf", filter, "-frames:v", job.FrameCount.ToString(CultureInfo.InvariantCulture),
                "-c:v", "libx264", "-preset", _options.Preset, "-crf", _options.Crf.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p",
                "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]);
        }
        if (probe.HasAudio) arguments.AddRange(["-c:a", "aac", "-b:a", "192k", "-af", "apad", "-t", seconds]);
        arguments.AddRange(["-map_metadata", "-1", "-movflags", "+faststart", conformed]);

        var result = await MediaTool.RunAsync(_options.FfmpegPath, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new EngineFailureException(FailureKind.EngineError, $"the backend's video could not be converted to the promised format: {MediaTool.Tail(result.Stderr)}");
        File.Move(conformed, path, overwrite: true);
        LogConformed(job.GenerationId, probe.Width, probe.Height, probe.FramesPerSecond, probe.FrameCount, job.Width, job.Height, job.FrameCount, probe.HasAudio);
    }

    /// <summary>ffprobe's view of the file; a file that is not a readable video is the backend's failure, said in words.</summary>
    public async Task<VideoProbe> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
            throw new EngineFailureException(FailureKind.EngineError, "the backend returned no video (an empty file)");
        var result = await MediaTool.RunAsync(_options.FfprobePath, ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", path], cancellationToken).ConfigureAwait(false);
        VideoProbe? probe = null;
        if (result.ExitCode == 0)
        {
            try { probe = VideoProbe.Parse(result.Stdout); }
            catch (System.Text.Json.JsonException) { }
        }
        if (probe is null || probe.Width <= 0 || probe.Height <= 0)
            throw new EngineFailureException(FailureKind.EngineError,
                $"the backend's file is not a readable video{(result.Stderr.Length > 0 ? ": " + MediaTool.Tail(result.Stderr) : " (no video stream)")}");
        return probe;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: the backend's {Width}x{Height} {Frames}-frame video (audio: {HasAudio}) is already exact; kept as it is")]
    private partial void LogAlreadyExact(Guid generationId, int width, int height, int frames, bool hasAudio);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: conformed {Width}x{Height} {Fps:0.##} fps {Frames} frames to {TargetWidth}x{TargetHeight}, {TargetFrames} frames (audio: {HasAudio})")]
    private partial void LogConformed(Guid generationId, int width, int height, double fps, int frames, int targetWidth, int targetHeight, int targetFrames, bool hasAudio);
}
