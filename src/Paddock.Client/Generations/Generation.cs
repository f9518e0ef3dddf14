using System.Text.Json;
using Paddock.Client.Internal;

namespace Paddock.Client;

/// <summary>
/// A generation row, as <c>GET /api/ai/queue/{generation_id}</c> returns it: status, result URL, timestamps and every
/// field of the original request. <see cref="Json"/> holds the row exactly as the server sent it.
/// </summary>
public sealed class Generation
{
    private Generation(JsonElement json)
    {
        Json = json;
        Id = Internal.Json.String(json, "generation_id") ?? Internal.Json.String(json, "id") ?? "";
        Model = Internal.Json.String(json, "model_name") ?? Internal.Json.String(json, "model");
        Prompt = Internal.Json.String(json, "prompt");
        MediaType = Internal.Json.String(json, "media_type");
        Status = Internal.Json.String(json, "status") is { Length: > 0 } status ? new GenerationStatus(status) : default;
        ResultUrl = Internal.Json.Url(json, "result_url") ?? Internal.Json.Url(json, "url");
        ErrorMessage = Internal.Json.String(json, "error_message") ?? Internal.Json.String(json, "error");
        EnqueuedAt = Internal.Json.Time(json, "enqueued_at");
        StartedAt = Internal.Json.Time(json, "started_at");
        CompletedAt = Internal.Json.Time(json, "completed_at");
        ExpiresAt = Internal.Json.Time(json, "expires_at");
        Pinned = Internal.Json.Boolean(json, "pinned") ?? false;
        ExpiredAt = Internal.Json.Time(json, "expired_at");
        // Servers from before retention said when the URL's signature ends in expires_at.
        ResultUrlExpiresAt = Internal.Json.Property(json, "result_url_expires_at") is null ? ExpiresAt : Internal.Json.Time(json, "result_url_expires_at");
        TargetNamespace = Internal.Json.String(json, "target_namespace");
        Attempt = Internal.Json.Int32(json, "attempt");
        ReferenceImages = Internal.Json.Strings(json, "reference_images");
        AspectRatio = Internal.Json.String(json, "aspect_ratio");
        Resolution = Internal.Json.String(json, "resolution");
        Duration = Internal.Json.Int32(json, "duration");
        Seed = Internal.Json.Int64(json, "seed");
        Progress = GenerationProgress.FromRow(this, Internal.Json.Property(json, "progress"));
    }

    /// <summary>The generation id (a UUID string).</summary>
    public string Id { get; }

    /// <summary>The model that renders it (<c>model_name</c>).</summary>
    public string? Model { get; }

    /// <summary>The prompt it was asked with.</summary>
    public string? Prompt { get; }

    /// <summary>What it makes; <c>video</c>.</summary>
    public string? MediaType { get; }

    /// <summary>Where it stands.</summary>
    public GenerationStatus Status { get; }

    /// <summary>An absolute, signed, expiring URL of the video once <see cref="Status"/> is succeeded; it needs no API key. Reading the row again signs it afresh.</summary>
    public Uri? ResultUrl { get; }

    /// <summary>Why it failed, when it did.</summary>
    public string? ErrorMessage { get; }

    /// <summary>When it was accepted.</summary>
    public DateTimeOffset? EnqueuedAt { get; }

    /// <summary>When a worker started it.</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? CompletedAt { get; }

    /// <summary>
    /// When the output expires (or expired) under the server's retention setting (extension): null while the namespace
    /// keeps outputs forever, for a pinned generation, and for one without an output. Servers from before retention
    /// sent the end of <see cref="ResultUrl"/>'s signature here (see <see cref="ResultUrlExpiresAt"/>).
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Whether the generation is pinned: its output never expires (<see cref="PaddockClient.PinGenerationAsync"/>).</summary>
    public bool Pinned { get; }

    /// <summary>When the server's retention sweep deleted the output (extension); <see cref="ResultUrl"/> is null from then on.</summary>
    public DateTimeOffset? ExpiredAt { get; }

    /// <summary>When <see cref="ResultUrl"/>'s signature stops working; reading the row again signs it afresh (null from servers that do not say).</summary>
    public DateTimeOffset? ResultUrlExpiresAt { get; }

    /// <summary>The namespace (user or organisation) it belongs to.</summary>
    public string? TargetNamespace { get; }

    /// <summary>Which render attempt the row reflects (extension).</summary>
    public int? Attempt { get; }

    /// <summary>Progress of the render (extension on the wire; derived from <see cref="Status"/> for servers that do not send it).</summary>
    public GenerationProgress Progress { get; }

    /// <summary>The request's <c>reference_images</c>, in order (Image 1 first).</summary>
    public IReadOnlyList<string> ReferenceImages { get; }

    /// <summary>The request's <c>aspect_ratio</c>.</summary>
    public string? AspectRatio { get; }

    /// <summary>The request's <c>resolution</c>.</summary>
    public string? Resolution { get; }

    /// <summary>The request's <c>duration</c> in seconds.</summary>
    public int? Duration { get; }

    /// <summary>The seed it was rendered with: the request's, or the one the server picked, so the result can be reproduced.</summary>
    public long? Seed { get; }

    /// <summary>The row exactly as the server sent it, with fields this type does not model.</summary>
    public JsonElement Json { get; }

    /// <summary>Reads a row from its JSON.</summary>
    /// <param name="json">A generation row object.</param>
    /// <returns>The row.</returns>
    public static Generation FromJson(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object) throw new ArgumentException("A generation row is a JSON object.", nameof(json));
        return new Generation(json.Clone());
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Status}";
}

/// <summary>Where a generation stands, for progress bars: status, phase, percent, ETA and queue position.</summary>
public sealed record GenerationProgress
{
    /// <summary>The generation this is about.</summary>
    public required string GenerationId { get; init; }

    /// <summary>The generation's status.</summary>
    public GenerationStatus Status { get; init; }

    /// <summary>What the worker is doing, e.g. <c>queued</c>, <c>fetching_references</c>, <c>rendering</c>, <c>completed</c>.</summary>
    public string? Phase { get; init; }

    /// <summary>How far along, 0 to 100, when known.</summary>
    public double? Percent { get; init; }

    /// <summary>Estimated seconds left, when known.</summary>
    public double? EtaSeconds { get; init; }

    /// <summary>How many generations are ahead while queued (1 = next), when known.</summary>
    public int? QueuePosition { get; init; }

    internal static GenerationProgress FromRow(Generation row, JsonElement? progress)
    {
        var status = row.Status;
        if (progress is { ValueKind: JsonValueKind.Object } p)
        {
            return new GenerationProgress
            {
                GenerationId = row.Id,
                Status = status,
                Phase = Json.String(p, "phase") ?? status.ToString(),
                Percent = Json.Double(p, "percent") ?? (status == GenerationStatus.Succeeded ? 100 : null),
                EtaSeconds = Json.Double(p, "eta_seconds"),
                QueuePosition = Json.Int32(p, "queue_position"),
            };
        }
        return new GenerationProgress
        {
            GenerationId = row.Id,
            Status = status,
            Phase = status == GenerationStatus.Succeeded ? "completed" : status.ToString(),
            Percent = status == GenerationStatus.Succeeded ? 100 : status == GenerationStatus.Queued ? 0 : null,
        };
    }
}
