using System.Globalization;
using Microsoft.Extensions.Options;

namespace Paddock.Media;

/// <summary>
/// Stills of a finished video, made with ffmpeg when asked (the OpenAI face's <c>variant=thumbnail</c> and
/// <c>variant=spritesheet</c>): a JPEG of the frame at the middle, and a JPEG strip of one small frame a second.
/// </summary>
public sealed class VideoStills(IOptions<MediaOptions> options)
{
    /// <summary>The width of each frame of a sprite sheet (its height keeps the video's shape).</summary>
    public const int SpriteWidth = 256;

    private readonly MediaOptions _options = options.Value;

    /// <summary>The frame at the middle of <paramref name="mp4Path"/> at full size, written to <paramref name="jpegPath"/>.</summary>
    public Task ThumbnailAsync(string mp4Path, double durationSeconds, string jpegPath, CancellationToken cancellationToken) =>
        RunAsync(["-ss", (durationSeconds / 2).ToString("0.###", CultureInfo.InvariantCulture), "-i", mp4Path, "-frames:v", "1", "-q:v", "3", jpegPath],
            cancellationToken);

    /// <summary>One frame a second, <see cref="SpriteWidth"/> wide, side by side in one row (a 15 s video is 15 tiles).</summary>
    public Task SpritesheetAsync(string mp4Path, int seconds, string jpegPath, CancellationToken cancellationToken) =>
        RunAsync(["-i", mp4Path, "-vf", $"fps=1,scale={SpriteWidth}:-2,tile={Math.Max(1, seconds).ToString(CultureInfo.InvariantCulture)}x1",
            "-frames:v", "1", "-q:v", "4", jpegPath], cancellationToken);

    private async Task RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var result = await MediaTool.RunAsync(_options.FfmpegPath, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", .. arguments], cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the still (exit {result.ExitCode}): {MediaTool.Tail(result.Stderr)}");
    }
}
