namespace Paddock.Core.Video;

/// <summary>The exact output sizes of docs/API.md, by aspect ratio and resolution tier.</summary>
public static class VideoFormat
{
    public const int FramesPerSecond = 24;

    private static readonly Dictionary<(string Aspect, string Resolution), (int Width, int Height)> Sizes = new()
    {
        [("16:9", "720P")] = (1280, 720),
        [("9:16", "720P")] = (720, 1280),
        [("1:1", "720P")] = (720, 720),
        [("4:3", "720P")] = (960, 720),
        [("3:4", "720P")] = (720, 960),
        [("16:9", "1080P")] = (1920, 1080),
        [("9:16", "1080P")] = (1080, 1920),
        [("1:1", "1080P")] = (1080, 1080),
        [("4:3", "1080P")] = (1440, 1080),
        [("3:4", "1080P")] = (1080, 1440),
    };

    public static IEnumerable<(string Aspect, string Resolution)> AllCombinations => Sizes.Keys;

    public static (int Width, int Height) SizeOf(string aspectRatio, string resolution) =>
        Sizes.TryGetValue((aspectRatio, resolution), out var size)
            ? size
            : throw new ArgumentException($"no output size for aspect {aspectRatio} at {resolution}");

    public static int FrameCount(int durationSeconds) => FramesPerSecond * durationSeconds;

    /// <summary>The offered aspect ratio closest to an image's shape (compared on a log scale, so 2:1 and 1:2 are equally far from 1:1).</summary>
    public static string NearestAspect(int width, int height)
    {
        var shape = Math.Log((double)width / height);
        return Sizes.Keys.Select(k => k.Aspect).Distinct()
            .OrderBy(a => Math.Abs(Math.Log(Ratio(a)) - shape))
            .First();
    }

    private static double Ratio(string aspect)
    {
        var parts = aspect.Split(':');
        return double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) / double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
