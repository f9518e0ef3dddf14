namespace Paddock.Fakes.DashScope.Protocol;

/// <summary>What the task does with its media: the HappyHorse family's three generation modes.</summary>
public enum VideoMode
{
    TextToVideo,
    ImageToVideo,
    ReferenceToVideo,
}

/// <summary>
/// The HappyHorse models and their native output. Model names and media rules: [r2v], [t2v], [i2v]; 24 fps with
/// audio: [models]. Pixel sizes are not published for HappyHorse; see <see cref="OutputSize"/>.
/// </summary>
public static class ModelCatalog
{
    public const int FramesPerSecond = 24;

    public static IReadOnlyDictionary<string, VideoMode> Models { get; } = new Dictionary<string, VideoMode>(StringComparer.Ordinal)
    {
        ["happyhorse-1.0-t2v"] = VideoMode.TextToVideo,
        ["happyhorse-1.1-t2v"] = VideoMode.TextToVideo,
        ["happyhorse-1.0-i2v"] = VideoMode.ImageToVideo,
        ["happyhorse-1.1-i2v"] = VideoMode.ImageToVideo,
        ["happyhorse-1.0-r2v"] = VideoMode.ReferenceToVideo,
        ["happyhorse-1.1-r2v"] = VideoMode.ReferenceToVideo,
    };

    /// <summary>[r2v], [t2v]: the accepted ratios; i2v has none (the output follows the first frame) [i2v].</summary>
    public static IReadOnlyList<string> Ratios { get; } = ["16:9", "9:16", "1:1", "4:3", "3:4", "4:5", "5:4", "9:21", "21:9"];

    public static IReadOnlyList<string> Resolutions { get; } = ["720P", "1080P"];

    // The sizes published for Wan 2.7 on the same API, same resolution/ratio parameters (docs/providers/dashscope.md,
    // "The result video"). HappyHorse's own table is not published: these are the fake's best reading, not a promise.
    private static readonly Dictionary<(string, string), (int Width, int Height)> Published = new()
    {
        [("720P", "16:9")] = (1280, 720),
        [("720P", "9:16")] = (720, 1280),
        [("720P", "1:1")] = (960, 960),
        [("720P", "4:3")] = (1088, 832),
        [("720P", "3:4")] = (832, 1088),
        [("1080P", "16:9")] = (1920, 1080),
        [("1080P", "9:16")] = (1080, 1920),
        [("1080P", "1:1")] = (1440, 1440),
        [("1080P", "4:3")] = (1632, 1248),
        [("1080P", "3:4")] = (1248, 1632),
    };

    /// <summary>The SR number of <c>usage</c>: 720 or 1080 [r2v-result].</summary>
    public static int Tier(string resolution) => resolution == "720P" ? 720 : 1080;

    /// <summary>The provider's frame size for a resolution tier and ratio (t2v, r2v).</summary>
    public static (int Width, int Height) OutputSize(string resolution, string ratio)
    {
        if (Published.TryGetValue((resolution, ratio), out var size)) return size;
        var parts = ratio.Split(':');
        return SizeOfAspect(resolution, double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// i2v: "scales to approximate the total pixel count for the selected resolution", ratio from the first frame [i2v].
    /// Also the rule for the ratios without a published size: the tier's pixel count, sides in multiples of 16 (decided).
    /// </summary>
    public static (int Width, int Height) SizeOfAspect(string resolution, double width, double height)
    {
        double area = resolution == "720P" ? 1280 * 720 : 1920 * 1080;
        var w = RoundTo16(Math.Sqrt(area * width / height));
        var h = RoundTo16(Math.Sqrt(area * height / width));
        return (w, h);
    }

    private static int RoundTo16(double value) => Math.Max(16, (int)Math.Round(value / 16, MidpointRounding.AwayFromZero) * 16);
}
