using System.Text.Json.Nodes;
using Paddock.Core.Engines;

namespace Paddock.Engines.HappyHorse.Requests;

/// <summary>
/// The create body the provider documents for each mode [r2v], [t2v], [i2v] (docs/providers/dashscope.md, Create a task):
/// <c>model</c>; <c>input.prompt</c> with the references named in the provider's syntax and <c>input.media</c>;
/// <c>parameters</c> resolution, ratio (not for i2v: the video follows its image), duration, seed and watermark off
/// (the provider's default stamps "Happy Horse" on the video). Nothing undocumented is sent.
/// </summary>
public static class TaskBody
{
    /// <summary>[r2v]: seed 0–2147483647.</summary>
    private const long SeedRange = 1L + int.MaxValue;

    public static JsonObject Build(ProviderModel model, RenderJob job, PromptReferenceStyle style, PreparedMedia media)
    {
        var input = new JsonObject { ["prompt"] = Prompt(model, job, style) };
        var type = model.Mode switch
        {
            GenerationMode.ReferenceToVideo => "reference_image",
            GenerationMode.ImageToVideo => "first_frame",
            _ => null,
        };
        if (type is not null)
            input["media"] = new JsonArray(media.Urls.Select(url => (JsonNode)new JsonObject { ["type"] = type, ["url"] = url }).ToArray());

        var parameters = new JsonObject { ["resolution"] = job.Resolution };
        if (model.Mode != GenerationMode.ImageToVideo) parameters["ratio"] = job.AspectRatio;
        parameters["duration"] = job.DurationSeconds;
        parameters["watermark"] = false;
        parameters["seed"] = job.Seed >= 0 ? job.Seed % SeedRange : (-job.Seed) % SeedRange;
        return new JsonObject { ["model"] = model.Name, ["input"] = input, ["parameters"] = parameters };
    }

    /// <summary>
    /// The prompt as the provider should read it: only the reference-to-video model names its images in the text; an
    /// image-to-video prompt describes the motion of its one first frame and is sent as written.
    /// </summary>
    public static string Prompt(ProviderModel model, RenderJob job, PromptReferenceStyle style) =>
        model.Mode == GenerationMode.ReferenceToVideo ? PromptRewriter.Rewrite(job.Prompt, job.References.Count, style) : job.Prompt;

    /// <summary>A request the provider's model cannot take, said before anything is paid for.</summary>
    public static void Check(ProviderModel model, RenderJob job)
    {
        if (model.Mode == GenerationMode.ReferenceToVideo && job.References.Count is < 1 or > 9)
            throw new EngineFailureException(FailureKind.InvalidInput,
                $"reference_images: {model.Name} on the provider needs 1 to 9 reference images; this request has {job.References.Count}");
        if (model.Mode == GenerationMode.ImageToVideo && job.References.Count != 1)
            throw new EngineFailureException(FailureKind.InvalidInput, $"input_image: {model.Name} on the provider needs exactly one input image");
        if (job.DurationSeconds is < 3 or > 15)
            throw new EngineFailureException(FailureKind.InvalidInput, $"duration: {model.Name} on the provider makes 3 to 15 seconds; this request asks for {job.DurationSeconds}");
    }
}
