using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Video;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// A generation row as the other API's video object. Every field and its meaning is from openai-node
/// src/resources/videos.ts (<c>interface Video</c>), checked against the reference pages (developers.openai.com
/// api/reference videos; Azure's "video generation get video" lists the same fields as required, nullable ones null):
/// <c>id</c>, <c>object</c> ("video"), <c>model</c>, <c>status</c> (queued | in_progress | completed | failed),
/// <c>progress</c> (percent), <c>created_at</c>, <c>completed_at</c>, <c>expires_at</c> (Unix seconds or null),
/// <c>prompt</c>, <c>seconds</c> (a string), <c>size</c> ("WIDTHxHEIGHT"), <c>remixed_from_video_id</c>,
/// <c>error</c> ({code, message} or null). The row is the same whichever face made it.
/// </summary>
public static class VideoObjects
{
    /// <summary>What the OpenAI face records on a row beside the model's own fields (never sent to an engine: RenderJobs drops it).</summary>
    public const string FaceField = "openai";

    public static JsonObject From(Generation g, Paddock.Core.Retention.RetentionPolicy retention)
    {
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentNullException.ThrowIfNull(g);
        var parameters = JsonNode.Parse(g.Parameters)!.AsObject();
        var video = VideoParameters.From(parameters);
        var face = parameters[FaceField] as JsonObject;
        return new JsonObject
        {
            ["id"] = g.Id.ToString(),
            ["object"] = "video",
            ["model"] = g.Model,
            ["status"] = Status(g.Status),
            ["progress"] = Progress(g),
            ["created_at"] = g.EnqueuedAt.ToUnixTimeSeconds(),
            ["completed_at"] = g.Status.IsTerminal() ? g.CompletedAt?.ToUnixTimeSeconds() : null,
            // "Unix timestamp (in seconds) for when the downloadable assets expire, if set": null while the namespace keeps
            // videos forever or the video is pinned; the time it expired once it did.
            ["expires_at"] = retention.ExpiresAt(g)?.ToUnixTimeSeconds(),
            ["prompt"] = video.Prompt,
            ["seconds"] = video.Duration.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["size"] = face?["size"]?.GetValue<string>() ?? SizeOf(video),
            ["remixed_from_video_id"] = face?["remixed_from_video_id"]?.GetValue<string>(),
            ["error"] = Error(g),
        };
    }

    /// <summary>
    /// Paddock's five statuses onto the other API's four: a cancelled generation is a failed video whose error says so.
    /// The mapping lives in Core, beside the face's webhook events, which follow it (video.completed, video.failed).
    /// </summary>
    public static string Status(GenerationStatus status) => Paddock.Core.Webhooks.OpenAIVideoEvents.VideoStatus(status);

    private static int Progress(Generation g) => g.Status switch
    {
        GenerationStatus.Queued => 0,
        GenerationStatus.Succeeded => 100,
        _ => g.Progress?.Percent ?? 0,
    };

    private static JsonObject? Error(Generation g) => g.Status switch
    {
        GenerationStatus.Cancelled => new JsonObject { ["code"] = "cancelled", ["message"] = "the generation was cancelled before it finished" },
        GenerationStatus.Failed => new JsonObject
        {
            ["code"] = g.ErrorCode ?? g.ErrorType?.ToWire() ?? "generation_failed",
            ["message"] = g.ErrorMessage ?? "the generation failed",
        },
        _ => null,
    };

    /// <summary>The size a Paddock row makes; null for an image-to-video row made through Paddock's face (its shape comes from its image).</summary>
    private static string? SizeOf(VideoParameters video) =>
        video.AspectRatio is { } aspect ? VideoMapping.SizeOf((aspect, video.Resolution)) : null;
}
