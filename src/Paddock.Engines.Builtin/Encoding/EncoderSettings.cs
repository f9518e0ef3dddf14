using System.Globalization;

namespace Paddock.Engines.Builtin.Encoding;

/// <summary>Everything that decides ffmpeg's command line, and so (with the frames) the output bytes.</summary>
internal sealed record EncoderSettings(string FfmpegPath, int Width, int Height, int FramesPerSecond, string Preset, int Crf, int Threads)
{
    public static EncoderSettings From(BuiltinEngineOptions options, int width, int height, int framesPerSecond) =>
        new(options.FfmpegPath, width, height, framesPerSecond, options.Preset, options.Crf, options.Threads);

    /// <summary>Bytes of one raw BGRA frame.</summary>
    public int FrameBytes => Width * Height * 4;

    public IReadOnlyList<string> Arguments(string outputPath)
    {
        var invariant = CultureInfo.InvariantCulture;
        return
        [
            "-hide_banner", "-nostats", "-loglevel", "error",
            // Raw frames on stdin, in Skia's native byte order.
            "-f", "rawvideo", "-pix_fmt", "bgra",
            "-s", $"{Width.ToString(invariant)}x{Height.ToString(invariant)}",
            "-r", FramesPerSecond.ToString(invariant),
            "-i", "-",
            "-an",
            // swscale converts RGB with BT.601 unless told otherwise; the output is tagged BT.709, so convert with it.
            "-vf", "scale=out_color_matrix=bt709:out_range=tv",
            "-c:v", "libx264", "-preset", Preset, "-crf", Crf.ToString(invariant),
            "-pix_fmt", "yuv420p",
            // The thread count changes the bitstream: pinned, so the same job gives the same bytes.
            "-threads", Threads.ToString(invariant),
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-movflags", "+faststart",
            // No version strings anywhere (container, stream, x264's SEI): bytes depend on the frames only.
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
            "-bsf:v", "filter_units=remove_types=6",
            "-f", "mp4", "-y", outputPath,
        ];
    }
}
