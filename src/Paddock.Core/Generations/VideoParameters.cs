using System.Text.Json.Nodes;
using Paddock.Core.Video;

namespace Paddock.Core.Generations;

/// <summary>The typed view of a video generation's stored parameters (already validated and defaulted).</summary>
public sealed record VideoParameters(
    string Prompt,
    IReadOnlyList<string> ReferenceImages,
    string AspectRatio,
    string Resolution,
    int Duration,
    long Seed)
{
    public (int Width, int Height) Size => VideoFormat.SizeOf(AspectRatio, Resolution);

    public int FrameCount => VideoFormat.FrameCount(Duration);

    public static VideoParameters From(JsonObject parameters)
    {
        // Models without a field fall back to the first model's defaults (e.g. t2v has no references).
        return new VideoParameters(
            parameters["prompt"]?.GetValue<string>() ?? "",
            parameters["reference_images"] is JsonArray refs ? refs.Select(r => r!.GetValue<string>()).ToList() : [],
            parameters["aspect_ratio"]?.GetValue<string>() ?? "16:9",
            parameters["resolution"]?.GetValue<string>() ?? "1080P",
            parameters["duration"]?.GetValue<int>() ?? 5,
            parameters["seed"]?.GetValue<long>() ?? 0);
    }

    public static VideoParameters From(string parametersJson) => From(JsonNode.Parse(parametersJson)!.AsObject());
}
