using System.Globalization;
using System.Text.Json;

namespace Paddock.Client;

/// <summary>The event types of <c>/api/events</c>. Only <see cref="GenerationCompleted"/> is in the seed API; the rest are Paddock extensions.</summary>
public static class PaddockEventTypes
{
    /// <summary>A generation succeeded (with its <c>url</c>) or failed (with its <c>error</c>); never sent for a cancel.</summary>
    public const string GenerationCompleted = "media_generation_completed";

    /// <summary>A worker started a generation (extension).</summary>
    public const string GenerationStarted = "media_generation_started";

    /// <summary>A generation's phase, percent and ETA changed (extension).</summary>
    public const string GenerationProgress = "media_generation_progress";

    /// <summary>A generation was cancelled (extension).</summary>
    public const string GenerationCancelled = "media_generation_cancelled";

    /// <summary>A worker handed a started generation back to the queue (its server shut down); it starts again (extension).</summary>
    public const string GenerationRequeued = "media_generation_requeued";

    /// <summary>
    /// The server is stopping: the last event of a stream, with no id and no generation; the stream is then dropped and
    /// <see cref="PaddockClient.StreamEventsAsync(long?, CancellationToken)"/> reconnects after the last real event (extension).
    /// </summary>
    public const string ServerStopping = "server_stopping";
}

/// <summary>One server-sent event of <c>/api/events</c>: its id, type and JSON data, with typed accessors for generation events.</summary>
public sealed class PaddockEvent
{
    internal PaddockEvent(string? id, string eventType, string data)
    {
        RawId = id;
        Id = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        EventType = eventType;
        RawData = data;
        try
        {
            Data = Internal.Json.Parse(data);
        }
        catch (JsonException)
        {
            Data = default;
        }
        GenerationId = Internal.Json.String(Data, "generation_id");
        Status = Internal.Json.String(Data, "status") is { Length: > 0 } status ? new GenerationStatus(status) : default;
        Url = Internal.Json.Url(Data, "url");
        Error = Internal.Json.String(Data, "error");
    }

    /// <summary>The event's id (its <c>id:</c> line, a Paddock extension): pass the last one seen to <see cref="PaddockClient.StreamEventsAsync(long?, CancellationToken)"/> to resume. Null when the server sends no ids.</summary>
    public long? Id { get; }

    /// <summary>The <c>id:</c> line as sent, for servers whose ids are not numbers.</summary>
    public string? RawId { get; }

    /// <summary>The event's type (<c>event:</c> line), e.g. <see cref="PaddockEventTypes.GenerationCompleted"/>; <c>message</c> when the server named none.</summary>
    public string EventType { get; }

    /// <summary>The event's data, parsed; <see cref="JsonValueKind.Undefined"/> if it is not JSON.</summary>
    public JsonElement Data { get; }

    /// <summary>The event's data exactly as sent.</summary>
    public string RawData { get; }

    /// <summary>The generation the event is about, if any.</summary>
    public string? GenerationId { get; }

    /// <summary>The generation's status as the event tells it.</summary>
    public GenerationStatus Status { get; }

    /// <summary>The video's signed URL, on a success event.</summary>
    public Uri? Url { get; }

    /// <summary>Why the generation failed, on a failure event.</summary>
    public string? Error { get; }

    /// <summary>Whether this event ends its generation: completed (succeeded or failed) or cancelled.</summary>
    public bool IsTerminal =>
        EventType is PaddockEventTypes.GenerationCompleted or PaddockEventTypes.GenerationCancelled
        || (GenerationId is not null && Status.IsTerminal);

    /// <summary>The event as progress of its generation (null for events about no generation).</summary>
    /// <returns>The progress, or null.</returns>
    public GenerationProgress? ToProgress()
    {
        if (GenerationId is null) return null;
        var status = Status.IsKnown ? Status : EventType switch
        {
            PaddockEventTypes.GenerationCancelled => GenerationStatus.Cancelled,
            PaddockEventTypes.GenerationStarted or PaddockEventTypes.GenerationProgress => GenerationStatus.Processing,
            _ => default,
        };
        return new GenerationProgress
        {
            GenerationId = GenerationId,
            Status = status,
            Phase = Internal.Json.String(Data, "phase") ?? (status == GenerationStatus.Succeeded ? "completed" : EventType == PaddockEventTypes.GenerationStarted ? "starting" : status.ToString()),
            Percent = Internal.Json.Double(Data, "percent") ?? (status == GenerationStatus.Succeeded ? 100 : null),
            EtaSeconds = Internal.Json.Double(Data, "eta_seconds"),
            QueuePosition = Internal.Json.Int32(Data, "queue_position"),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => $"{RawId} {EventType} {RawData}";
}
