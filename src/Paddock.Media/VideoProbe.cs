using System.Globalization;
using System.Text.Json;

namespace Paddock.Media;

/// <summary>What ffprobe says of a video file: its first video stream, and whether it has audio.</summary>
public sealed record VideoProbe(
    string Codec, string PixelFormat, int Width, int Height, double FramesPerSecond, int FrameCount, double DurationSeconds,
    string? ColorSpace, bool HasAudio, string? AudioCodec = null, double? AudioDurationSeconds = null)
{
    /// <summary>Reads a probe of <c>ffprobe -print_format json -show_streams -show_format</c>; null when it has no video stream.</summary>
    public static VideoProbe? Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("streams", out var streams)) return null;
        JsonElement? video = null;
        var hasAudio = false;
        string? audioCodec = null;
        double? audioDuration = null;
        foreach (var stream in streams.EnumerateArray())
        {
            var type = stream.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
            if (type == "video" && video is null && !IsCoverArt(stream)) video = stream;
            if (type == "audio" && !hasAudio)
            {
                hasAudio = true;
                audioCodec = Text(stream, "codec_name");
                audioDuration = Number(stream, "duration");
            }
        }
        if (video is not { } v) return null;
        var duration = Number(v, "duration") ?? (root.TryGetProperty("format", out var format) ? Number(format, "duration") : null) ?? 0;
        var fps = Rate(Text(v, "avg_frame_rate")) ?? Rate(Text(v, "r_frame_rate")) ?? 0;
        var frames = int.TryParse(Text(v, "nb_frames"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int)Math.Round(duration * fps);
        return new VideoProbe(Text(v, "codec_name") ?? "", Text(v, "pix_fmt") ?? "", Integer(v, "width"), Integer(v, "height"), fps, frames, duration,
            Text(v, "color_space"), hasAudio, audioCodec, audioDuration);
    }

    private static bool IsCoverArt(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1;

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static int Integer(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0;

    private static double? Number(JsonElement e, string name) =>
        double.TryParse(Text(e, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static double? Rate(string? text)
    {
        if (text is null) return null;
        var parts = text.Split('/');
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || b == 0 || a == 0) return null;
        return a / b;
    }
}
