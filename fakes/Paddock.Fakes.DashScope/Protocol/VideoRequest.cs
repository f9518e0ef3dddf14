using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Fakes.DashScope.Protocol;

public sealed record MediaItem(string Type, string Url);

/// <summary>A create body the fake accepted, read field by field as the provider documents it ([r2v], [t2v], [i2v]).</summary>
public sealed record VideoRequest(
    string Model,
    VideoMode Mode,
    string? Prompt,
    IReadOnlyList<MediaItem> Media,
    string Resolution,
    string? Ratio,
    int Duration,
    bool Watermark,
    long? Seed)
{
    public const int MaxReferences = 9;

    /// <summary>Reads a create body; a problem gives the provider's 400 (the detail wording is the fake's own: decided).</summary>
    public static (VideoRequest? Request, DashScopeError? Error) Read(string body)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            root = null;
        }
        if (root is null) return Fail(DashScopeError.InvalidParameter("The request body is not a JSON object."));

        if (!TryString(root["model"], out var model) || model.Length == 0) return Fail(DashScopeError.EmptyModel);
        if (!ModelCatalog.Models.TryGetValue(model, out var mode)) return Fail(DashScopeError.ModelNotExist);
        if (root["input"] is not JsonObject input) return Fail(DashScopeError.EmptyInput);

        string? prompt = null;
        if (input["prompt"] is { } promptNode)
        {
            if (!TryString(promptNode, out var text)) return Fail(DashScopeError.InvalidParameter("input.prompt must be a string."));
            prompt = text;
        }
        // [t2v], [r2v]: prompt required; [i2v]: optional.
        if (mode != VideoMode.ImageToVideo && string.IsNullOrWhiteSpace(prompt))
            return Fail(DashScopeError.InvalidParameter($"input.prompt is required for {model}."));

        var (media, mediaError) = ReadMedia(input["media"], model, mode);
        if (mediaError is not null) return Fail(mediaError);

        var parameters = root["parameters"] as JsonObject;
        if (root["parameters"] is not null && parameters is null) return Fail(DashScopeError.InvalidParameter("parameters must be an object."));

        var resolution = "1080P"; // [r2v]: default 1080P
        if (parameters?["resolution"] is { } resolutionNode)
        {
            if (!TryString(resolutionNode, out resolution) || !ModelCatalog.Resolutions.Contains(resolution))
                return Fail(DashScopeError.InvalidParameter("parameters.resolution must be one of 720P, 1080P."));
        }

        string? ratio = null;
        if (mode != VideoMode.ImageToVideo) // [i2v]: no ratio; the output follows the first frame.
        {
            ratio = "16:9"; // [r2v]: default 16:9
            if (parameters?["ratio"] is { } ratioNode)
            {
                if (!TryString(ratioNode, out ratio) || !ModelCatalog.Ratios.Contains(ratio))
                    return Fail(DashScopeError.InvalidParameter($"parameters.ratio must be one of {string.Join(", ", ModelCatalog.Ratios)}."));
            }
        }

        var duration = 5; // [r2v]: integer 3-15, default 5
        if (parameters?["duration"] is { } durationNode)
        {
            if (!TryLong(durationNode, out var value) || value is < 3 or > 15)
                return Fail(DashScopeError.InvalidParameter("parameters.duration must be an integer from 3 to 15."));
            duration = (int)value;
        }

        var watermark = true; // [r2v]: default true
        if (parameters?["watermark"] is { } watermarkNode)
        {
            if (watermarkNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                return Fail(DashScopeError.InvalidParameter("parameters.watermark must be true or false."));
            watermark = watermarkNode.GetValue<bool>();
        }

        long? seed = null;
        if (parameters?["seed"] is { } seedNode)
        {
            if (!TryLong(seedNode, out var value) || value is < 0 or > int.MaxValue)
                return Fail(DashScopeError.InvalidParameter("parameters.seed must be an integer from 0 to 2147483647."));
            seed = value;
        }

        return (new VideoRequest(model, mode, prompt, media, resolution, ratio, duration, watermark, seed), null);
    }

    /// <summary>The provider's frame size for this request; i2v needs the first frame's size.</summary>
    public (int Width, int Height) OutputSize(int firstFrameWidth = 0, int firstFrameHeight = 0) =>
        Mode == VideoMode.ImageToVideo
            ? ModelCatalog.SizeOfAspect(Resolution, firstFrameWidth, firstFrameHeight)
            : ModelCatalog.OutputSize(Resolution, Ratio!);

    private static (IReadOnlyList<MediaItem>, DashScopeError?) ReadMedia(JsonNode? node, string model, VideoMode mode)
    {
        var items = new List<MediaItem>();
        if (node is not null)
        {
            if (node is not JsonArray array) return (items, DashScopeError.InvalidParameter("input.media must be an array."));
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonObject item || !TryString(item["type"], out var type) || !TryString(item["url"], out var url) || url.Length == 0)
                    return (items, DashScopeError.InvalidParameter($"input.media[{i}] must be an object with a type and a url."));
                items.Add(new MediaItem(type, url));
            }
        }

        var expected = mode switch
        {
            VideoMode.ReferenceToVideo => "reference_image", // [r2v]
            VideoMode.ImageToVideo => "first_frame", // [i2v]
            _ => null,
        };
        if (expected is null)
        {
            if (items.Count > 0) return (items, DashScopeError.InvalidParameter($"input.media is not supported by {model}."));
            return (items, null);
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Type != expected)
                return (items, DashScopeError.InvalidParameter($"input.media[{i}].type must be {expected} for {model}."));
        }
        if (mode == VideoMode.ImageToVideo && items.Count != 1)
            return (items, DashScopeError.InvalidParameter($"input.media must contain exactly one first_frame for {model}."));
        if (mode == VideoMode.ReferenceToVideo && items.Count is < 1 or > MaxReferences)
            return (items, DashScopeError.InvalidParameter($"input.media must contain 1 to {MaxReferences} reference_image items for {model}."));
        return (items, null);
    }

    private static bool TryString(JsonNode? node, out string value)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            value = v.GetValue<string>();
            return true;
        }
        value = "";
        return false;
    }

    private static bool TryLong(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }

    private static (VideoRequest?, DashScopeError?) Fail(DashScopeError error) => (null, error);
}
