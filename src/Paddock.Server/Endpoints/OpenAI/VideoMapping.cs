using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Core.Models;
using Paddock.Core.Video;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>What one model of the catalog accepts through the OpenAI face: its sizes and lengths, and where an image goes.</summary>
/// <param name="Sizes">Every <c>size</c> ("WIDTHxHEIGHT") the model makes: its aspect ratios × its resolution tiers (docs/openai.md).</param>
/// <param name="Seconds">Every <c>seconds</c> the model makes, as the strings the other API uses.</param>
/// <param name="ImageField">The model's field an <c>input_reference</c> fills: <c>reference_images</c>, <c>input_image</c>, or null (text only).</param>
/// <param name="AspectFromImage">The model has no <c>aspect_ratio</c>: the picture keeps its input image's shape, <c>size</c> picks the tier.</param>
public sealed record ModelVideoOptions(IReadOnlyList<string> Sizes, IReadOnlyList<string> Seconds, string? ImageField, bool AspectFromImage);

/// <summary>
/// The one table between the two faces (docs/openai.md): the OpenAI Videos API's <c>size</c> and <c>seconds</c> onto the
/// catalog's <c>aspect_ratio</c>, <c>resolution</c> and <c>duration</c>. Read from each model's own request schema, so a
/// model added to the catalog is served here with whatever it accepts — more than the other API's fixed list (its
/// reference lists sizes 720x1280, 1280x720, 1024x1792, 1792x1024 and seconds 4, 8, 12: openai-node
/// src/resources/videos.ts, <c>VideoSize</c> and <c>VideoSeconds</c>).
/// </summary>
public static class VideoMapping
{
    /// <summary>The other API's defaults when a field is left out (openai-node <c>VideoCreateParams</c>: "Defaults to 720x1280", "Defaults to 4 seconds").</summary>
    public const string DefaultSize = "720x1280";

    public const string DefaultSeconds = "4";

    /// <summary>The other API defaults to its own model; Paddock's counterpart is the original page's model.</summary>
    public const string DefaultModel = "happyhorse-1.0-r2v";

    public static string SizeText(int width, int height) => string.Create(CultureInfo.InvariantCulture, $"{width}x{height}");

    /// <summary>The catalog's aspect ratio and resolution tier that make exactly <paramref name="size"/>, if any do.</summary>
    public static (string Aspect, string Resolution)? FromSize(string size) =>
        VideoFormat.AllCombinations.Select(c => ((string Aspect, string Resolution)?)c)
            .FirstOrDefault(c => SizeOf(c!.Value) == size);

    public static string SizeOf((string Aspect, string Resolution) combination)
    {
        var (w, h) = VideoFormat.SizeOf(combination.Aspect, combination.Resolution);
        return SizeText(w, h);
    }

    public static ModelVideoOptions For(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var properties = model.RequestSchema["properties"] as JsonObject ?? [];
        var aspects = Enum(properties["aspect_ratio"]);
        var resolutions = Enum(properties["resolution"]) ?? ["1080P"];
        var sizes = VideoFormat.AllCombinations
            .Where(c => (aspects is null || aspects.Contains(c.Aspect)) && resolutions.Contains(c.Resolution))
            .Select(SizeOf)
            .ToList();
        var seconds = new List<string>();
        if (properties["duration"] is JsonObject duration)
        {
            if (Enum(duration) is { } listed) seconds.AddRange(listed);
            else
            {
                var min = duration["minimum"]?.GetValue<int>() ?? 1;
                var max = duration["maximum"]?.GetValue<int>() ?? min;
                for (var s = min; s <= max; s++) seconds.Add(s.ToString(CultureInfo.InvariantCulture));
            }
        }
        var imageField = properties.ContainsKey("reference_images") ? "reference_images" : properties.ContainsKey("input_image") ? "input_image" : null;
        return new ModelVideoOptions(sizes, seconds, imageField, aspects is null);
    }

    /// <summary>The values of a schema property's <c>enum</c> as strings (integers written plainly), or null when it has none.</summary>
    private static List<string>? Enum(JsonNode? property) =>
        property?["enum"] is JsonArray values ? values.Select(v => v!.ToJsonString().Trim('"')).ToList() : null;
}
