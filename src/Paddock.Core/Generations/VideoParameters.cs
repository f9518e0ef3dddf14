using System.Text.Json.Nodes;
using Paddock.Core.Video;

namespace Paddock.Core.Generations;

/// <summary>
/// The typed view of a video generation's stored parameters (already validated and defaulted),
/// across the model family: reference-to-video (<c>reference_images</c>), image-to-video (one
/// <c>input_image</c>, no <c>aspect_ratio</c>: the output follows the image) and text-to-video.
/// </summary>
public sealed record VideoParameters(
    string Prompt,
    IReadOnlyList<string> ReferenceImages,
    string? InputImage,
    string? AspectRatio,
    string Resolution,
    int Duration,
    long? Seed)
{
    public int FrameCount => VideoFormat.FrameCount(Duration);

    /// <summary>The images to fetch, in the order the renderer casts them (an input image is Image 1).</summary>
    public IReadOnlyList<string> Images => InputImage is null ? ReferenceImages : [InputImage];

    public static VideoParameters From(JsonObject parameters) => new(
        parameters["prompt"]?.GetValue<string>() ?? "",
        parameters["reference_images"] is JsonArray refs ? refs.Select(r => r!.GetValue<string>()).ToList() : [],
        parameters["input_image"]?.GetValue<string>(),
        parameters["aspect_ratio"]?.GetValue<string>(),
        parameters["resolution"]?.GetValue<string>() ?? "1080P",
        (int?)Integer(parameters["duration"]) ?? 5,
        Integer(parameters["seed"]));

    /// <summary>A whole number however the node holds it: parsed (a JSON element) or built in code (int, long).</summary>
    private static long? Integer(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out int i) => i,
        _ => node.GetValue<System.Text.Json.JsonElement>().GetInt64(),
    };

    public static VideoParameters From(string parametersJson) => From(JsonNode.Parse(parametersJson)!.AsObject());
}
