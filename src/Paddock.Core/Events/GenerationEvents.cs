using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Paddock.Core.Engines;
using Paddock.Core.Generations;

namespace Paddock.Core.Events;

/// <summary>
/// The data of each event, as compact JSON in a fixed field order: the seed API's clients match
/// <c>"generation_id":"&lt;id&gt;"</c> literally. Output URLs are added when an event is delivered
/// (see <see cref="WithUrl"/>), so every delivery, replays included, carries a freshly signed URL.
/// </summary>
public static class GenerationEvents
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static EventDraft Succeeded(Generation g) => Draft(g, EventTypes.Completed, w =>
    {
        w.WriteString("status", "succeeded");
        w.WriteString("media_type", g.MediaType);
        w.WriteString("model", g.Model);
    });

    /// <summary>The seed's failure event; <c>error_type</c> (and <c>error_code</c>, from a provider) follow its fields as extensions.</summary>
    public static EventDraft Failed(Generation g, GenerationFailure failure) => Draft(g, EventTypes.Completed, w =>
    {
        w.WriteString("status", "failed");
        w.WriteString("media_type", g.MediaType);
        w.WriteString("error", failure.Message);
        w.WriteString("error_type", failure.Kind.ToWire());
        if (failure.Code is not null) w.WriteString("error_code", failure.Code);
    });

    public static EventDraft Cancelled(string ns, Guid id, string model, string mediaType) => Draft(ns, id, EventTypes.Cancelled, w =>
    {
        w.WriteString("status", "cancelled");
        w.WriteString("media_type", mediaType);
        w.WriteString("model", model);
    });

    public static EventDraft Started(Generation g, int attempt) => Draft(g, EventTypes.Started, w =>
    {
        w.WriteString("status", "processing");
        w.WriteString("media_type", g.MediaType);
        w.WriteString("model", g.Model);
        w.WriteNumber("attempt", attempt);
    });

    public static EventDraft Requeued(Generation g, string reason, DateTimeOffset? retryAt = null) => Draft(g, EventTypes.Requeued, w =>
    {
        w.WriteString("status", "queued");
        w.WriteString("media_type", g.MediaType);
        w.WriteString("reason", reason);
        if (retryAt is { } at) w.WriteNumber("retry_at", at.ToUnixTimeSeconds());
    });

    public static EventDraft Progress(Generation g, GenerationProgress progress) => Draft(g, EventTypes.Progress, w =>
    {
        w.WriteString("status", "processing");
        w.WriteString("phase", progress.Phase);
        w.WriteNumber("percent", progress.Percent);
        if (progress.EtaSeconds is { } eta) w.WriteNumber("eta_seconds", eta);
    });

    /// <summary>True for a completion event of a generation that succeeded: the one that carries a <c>url</c>.</summary>
    public static bool CarriesUrl(StoredEvent e) =>
        e.Type == EventTypes.Completed && e.Data.Contains("\"status\":\"succeeded\"", StringComparison.Ordinal);

    /// <summary>The generation an event is about (every event's first field).</summary>
    public static Guid? GenerationIdOf(StoredEvent e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        return doc.RootElement.TryGetProperty("generation_id", out var id) && id.TryGetGuid(out var g) ? g : null;
    }

    /// <summary>The event data with <c>"url"</c> appended as its last field.</summary>
    public static string WithUrl(string data, string url)
    {
        var encodedUrl = JsonEncodedText.Encode(url, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var trimmed = data.AsSpan().TrimEnd();
        if (trimmed.Length == 0 || trimmed[^1] != '}') return data;
        return string.Concat(trimmed[..^1], ",\"url\":\"", encodedUrl.ToString(), "\"}");
    }

    private static EventDraft Draft(Generation g, string type, Action<Utf8JsonWriter> fields) => Draft(g.Namespace, g.Id, type, fields);

    private static EventDraft Draft(string ns, Guid id, string type, Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("generation_id", id.ToString());
            fields(writer);
            writer.WriteEndObject();
        }
        return new EventDraft(ns, type, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
