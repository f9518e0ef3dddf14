using System.Text.Json;
using Paddock.Client.Internal;

namespace Paddock.Client;

/// <summary>The answer of a synchronous generation (<c>POST /api/ai/videos/generate</c>).</summary>
public sealed class VideoGenerationResult
{
    internal VideoGenerationResult(JsonElement json)
    {
        Json = json;
        Model = Internal.Json.String(json, "model");
        Created = Internal.Json.Time(json, "created");
        GenerationId = Internal.Json.String(json, "generation_id");
        Videos = Internal.Json.Items(json, "videos").Where(v => v.ValueKind == JsonValueKind.Object).Select(GeneratedVideo.FromJson).ToList();
    }

    /// <summary>The model that made the videos.</summary>
    public string? Model { get; }

    /// <summary>When the video was finished.</summary>
    public DateTimeOffset? Created { get; }

    /// <summary>The generation's id, so the row can be read at <c>/api/ai/queue/{id}</c> (a Paddock extension; null from servers that do not send it).</summary>
    public string? GenerationId { get; }

    /// <summary>The videos: one per request.</summary>
    public IReadOnlyList<GeneratedVideo> Videos { get; }

    /// <summary>The answer exactly as the server sent it.</summary>
    public JsonElement Json { get; }
}

/// <summary>One generated video: a signed URL, or the bytes themselves when <see cref="VideoResponseFormat.Base64Json"/> was asked for.</summary>
public sealed class GeneratedVideo
{
    private GeneratedVideo(Uri? url, ReadOnlyMemory<byte>? bytes)
    {
        Url = url;
        Bytes = bytes;
    }

    /// <summary>An absolute, signed, expiring URL of the MP4 that needs no API key; null when the bytes came inline.</summary>
    public Uri? Url { get; }

    /// <summary>The MP4 itself, when the answer carried it (<c>b64_json</c>); otherwise null.</summary>
    public ReadOnlyMemory<byte>? Bytes { get; }

    internal static GeneratedVideo FromJson(JsonElement json)
    {
        var b64 = Internal.Json.String(json, "b64_json");
        // Not a conditional expression: null would convert to an empty ReadOnlyMemory through its array conversion.
        ReadOnlyMemory<byte>? bytes = default;
        if (b64 is not null) bytes = Convert.FromBase64String(b64);
        return new GeneratedVideo(Internal.Json.Url(json, "url"), bytes);
    }
}
