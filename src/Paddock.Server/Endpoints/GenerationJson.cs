using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Paddock.Core.Engines;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>
/// The wire shape of a generation row: flat, every request field echoed at top level; extensions for progress, the
/// failure's kind, what a waiting row waits for, and the remote job that renders it.
/// </summary>
/// <remarks>
/// Rows are written straight into the answer's <see cref="Utf8JsonWriter"/>, and the stored parameters' values are
/// copied as the JSON text they already are: a list page of a thousand rows builds no object tree and parses no
/// parameters into one. The order and the meaning are those of an ordered object assigned field by field: the fixed
/// fields, then each parameter (a parameter named like a fixed field fills that field's place), then the extensions
/// (one named like a parameter takes the parameter's place).
/// </remarks>
public sealed class GenerationJson(SignedUrls urls, BackendMonitor backends, ModelCatalog catalog, Core.Retention.RetentionPolicy retention)
{
    /// <summary>How answers are encoded: as the HTTP JSON options say (non-ASCII text as it is), compact.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] FixedFields =
        ["generation_id", "model_name", "prompt", "media_type", "status", "result_url", "error_message", "enqueued_at", "started_at", "completed_at", "target_namespace"];

    private static readonly string[] Extensions =
        ["progress", "attempt", "expires_at", "error_type", "error_code", "status_message", "remote", "pinned", "expired_at", "result_url_expires_at"];

    // The names as the writer writes them, encoded once rather than for every row.
    private static readonly JsonEncodedText[] FixedFieldNames = Array.ConvertAll(FixedFields, name => JsonEncodedText.Encode(name));
    private static readonly JsonEncodedText[] ExtensionNames = Array.ConvertAll(Extensions, name => JsonEncodedText.Encode(name));
    private static readonly JsonEncodedText QueuePositionName = JsonEncodedText.Encode("queue_position");

    public void WriteRow(Utf8JsonWriter writer, Generation g, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(g);
        var fresh = FreshOf(g, request);
        if (g.Version == 0)
        {
            Write(writer, g, fresh, holes: null);
            return;
        }
        WriteFromTemplate(writer, TemplateOf(g), fresh);
    }

    /// <summary>
    /// What a row shows that can change while the stored row does not (so no template holds it): its queue position,
    /// a queued row's backend being down, retention (the time passing, the setting), and a signed result_url.
    /// </summary>
    private readonly record struct Fresh(string? ResultUrl, long? ExpiresAt, string? StatusMessage, long? ExpiredAt, long? UrlExpiresAt, long? QueuePosition);

    /// <summary>The fields of <see cref="Fresh"/>, as a template's holes name them.</summary>
    private enum FreshField { ResultUrl, ExpiresAt, StatusMessage, ExpiredAt, UrlExpiresAt, QueuePosition }

    private Fresh FreshOf(Generation g, HttpRequest request)
    {
        string? resultUrl = null;
        long? urlExpiresAt = null;
        // An output past its retention is gone for readers even before the sweep deletes it: no link to a 410.
        var expired = retention.IsExpired(g);
        if (g.Status == GenerationStatus.Succeeded && g.OutputKey is not null && !expired)
        {
            var (url, expires) = urls.Output(request, g.Namespace, g.Id);
            resultUrl = url;
            urlExpiresAt = expires.ToUnixTimeSeconds();
        }
        var expiresAt = retention.ExpiresAt(g)?.ToUnixTimeSeconds();
        var statusMessage = expired
            ? "expired: the output was deleted under the retention setting; pin a generation (POST /api/ai/queue/{id}/pin) to keep its output"
            : StatusMessage(g);
        return new Fresh(resultUrl, expiresAt, statusMessage, g.ExpiredAt?.ToUnixTimeSeconds() ?? (expired ? expiresAt : null), urlExpiresAt,
            g.Status == GenerationStatus.Queued ? g.QueuePosition : null);
    }

    /// <summary>
    /// A row's JSON as written for one version of the stored row, with a hole (a <c>null</c> in <see cref="Json"/>) where
    /// each <see cref="Fresh"/> value goes. A page of rows that did not change since the last read is copied from these
    /// rather than parsed and written again.
    /// </summary>
    private sealed record Template(long Version, byte[] Json, Hole[] Holes);

    /// <summary>Where in a template's JSON a fresh value goes: the bytes from <paramref name="Start"/> to <paramref name="End"/> it replaces.</summary>
    private readonly record struct Hole(int Start, int End, FreshField Field);

    /// <summary>Templates by row id; a row's entry is replaced when a read brings another version. Bounded as <see cref="MaxTemplates"/>.</summary>
    private readonly ConcurrentDictionary<Guid, Template> _templates = new();

    /// <summary>A few pages of the largest size and the active lists of a few namespaces, under 1 KB each: past it the templates start again empty.</summary>
    private const int MaxTemplates = 4096;

    private int _templatesMade;

    private Template TemplateOf(Generation g)
    {
        if (_templates.TryGetValue(g.Id, out var known) && known.Version == g.Version) return known;
        var buffer = new ArrayBufferWriter<byte>(1024);
        var holes = new List<Hole>(8);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, g, default, holes);
        }
        var template = new Template(g.Version, buffer.WrittenSpan.ToArray(), [.. holes]);
        if (Interlocked.Increment(ref _templatesMade) > MaxTemplates)
        {
            _templates.Clear();
            Interlocked.Exchange(ref _templatesMade, 1);
        }
        _templates[g.Id] = template;
        return template;
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_row;
    [ThreadStatic] private static Utf8JsonWriter? t_value;

    /// <summary>The template with each hole filled, written as the row's value: the same bytes <see cref="Write"/> would write.</summary>
    private static void WriteFromTemplate(Utf8JsonWriter writer, Template template, Fresh fresh)
    {
        var row = t_row ??= new ArrayBufferWriter<byte>(2048);
        row.ResetWrittenCount();
        var value = t_value ??= new Utf8JsonWriter(row, WriterOptions);
        var json = template.Json.AsSpan();
        var at = 0;
        foreach (var hole in template.Holes)
        {
            row.Write(json[at..hole.Start]);
            at = hole.End;
            if (FreshNumber(hole.Field, fresh) is var (isNumber, number) && isNumber)
            {
                // A number or null as the writer writes one (Utf8Formatter's default format), without a writer per value.
                if (number is { } n)
                {
                    Utf8Formatter.TryFormat(n, row.GetSpan(20), out var written);
                    row.Advance(written);
                }
                else
                {
                    row.Write("null"u8);
                }
                continue;
            }
            // Text: a document of its own to this writer, escaped as Write escapes it into the row.
            value.Reset(row);
            WriteFresh(value, hole.Field, fresh);
            value.Flush();
        }
        row.Write(json[at..]);
        writer.WriteRawValue(row.WrittenSpan, skipInputValidation: true);
    }

    /// <summary>Whether a fresh field is a number (or null) rather than text, and its value.</summary>
    private static (bool IsNumber, long? Value) FreshNumber(FreshField field, Fresh fresh) =>
        field switch
        {
            FreshField.ExpiresAt => (true, fresh.ExpiresAt),
            FreshField.ExpiredAt => (true, fresh.ExpiredAt),
            FreshField.UrlExpiresAt => (true, fresh.UrlExpiresAt),
            FreshField.QueuePosition => (true, fresh.QueuePosition),
            FreshField.ResultUrl when fresh.ResultUrl is null => (true, null),
            FreshField.StatusMessage when fresh.StatusMessage is null => (true, null),
            _ => (false, null),
        };

    private static void WriteFresh(Utf8JsonWriter writer, FreshField field, Fresh fresh)
    {
        switch (field)
        {
            case FreshField.ResultUrl: WriteNullable(writer, fresh.ResultUrl); break;
            case FreshField.ExpiresAt: WriteNullable(writer, fresh.ExpiresAt); break;
            case FreshField.StatusMessage: WriteNullable(writer, fresh.StatusMessage); break;
            case FreshField.ExpiredAt: WriteNullable(writer, fresh.ExpiredAt); break;
            case FreshField.UrlExpiresAt: WriteNullable(writer, fresh.UrlExpiresAt); break;
            default: WriteNullable(writer, fresh.QueuePosition); break;
        }
    }

    /// <summary>
    /// A fresh value: written, or, when a template is being made (<paramref name="holes"/>), a hole recorded where it goes.
    /// The caller has written its name.
    /// </summary>
    private static void WriteFresh(Utf8JsonWriter writer, FreshField field, Fresh fresh, List<Hole>? holes)
    {
        if (holes is null)
        {
            WriteFresh(writer, field, fresh);
            return;
        }
        writer.Flush();
        var start = (int)writer.BytesCommitted;
        writer.WriteNullValue();
        writer.Flush();
        holes.Add(new Hole(start, (int)writer.BytesCommitted, field));
    }

    private static void Write(Utf8JsonWriter writer, Generation g, Fresh fresh, List<Hole>? holes)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(g.Parameters.Length));
        var parameters = ArrayPool<StoredParameter>.Shared.Rent(32);
        try
        {
            var json = bytes.AsSpan(0, Encoding.UTF8.GetBytes(g.Parameters, bytes));
            // Which stored parameter fills each fixed field (-1: none), found while reading them.
            Span<int> fixedFrom = stackalloc int[FixedFields.Length];
            fixedFrom.Fill(-1);
            var count = ReadParameters(json, ref parameters, fixedFrom);
            var stored = parameters.AsSpan(0, count);

            writer.WriteStartObject();
            for (var f = 0; f < FixedFields.Length; f++)
            {
                writer.WritePropertyName(FixedFieldNames[f]);
                if (fixedFrom[f] is var p and >= 0) WriteStoredValue(writer, json, stored[p]);
                else WriteFixed(writer, f, g, fresh, holes);
            }
            Span<bool> written = stackalloc bool[Extensions.Length];
            foreach (var parameter in stored)
            {
                var name = parameter.Name;
                if (name.Fixed >= 0) continue;
                writer.WritePropertyName(name.Encoded);
                var e = name.Extension;
                if (e >= 0 && HasExtension(e, g))
                {
                    WriteExtension(writer, e, g, fresh, holes);
                    written[e] = true;
                }
                else
                {
                    WriteStoredValue(writer, json, parameter);
                }
            }
            for (var e = 0; e < Extensions.Length; e++)
            {
                if (written[e] || !HasExtension(e, g)) continue;
                writer.WritePropertyName(ExtensionNames[e]);
                WriteExtension(writer, e, g, fresh, holes);
            }
            writer.WriteEndObject();
        }
        finally
        {
            ArrayPool<StoredParameter>.Shared.Return(parameters, clearArray: true);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static void WriteFixed(Utf8JsonWriter writer, int field, Generation g, Fresh fresh, List<Hole>? holes)
    {
        switch (field)
        {
            case 0: writer.WriteStringValue(g.Id); break;
            case 1: writer.WriteStringValue(g.Model); break;
            case 2: writer.WriteNullValue(); break; // a prompt the parameters do not hold
            case 3: writer.WriteStringValue(g.MediaType); break;
            case 4: writer.WriteStringValue(g.Status.ToWire()); break;
            case 5: WriteFresh(writer, FreshField.ResultUrl, fresh, holes); break;
            case 6: WriteNullable(writer, g.ErrorMessage); break;
            case 7: writer.WriteNumberValue(g.EnqueuedAt.ToUnixTimeSeconds()); break;
            case 8: WriteNullable(writer, g.StartedAt?.ToUnixTimeSeconds()); break;
            case 9: WriteNullable(writer, g.CompletedAt?.ToUnixTimeSeconds()); break;
            default: writer.WriteStringValue(g.Namespace); break;
        }
    }

    /// <summary>Every extension is set on every row but <c>remote</c>, which only a row with a remote job has.</summary>
    private static bool HasExtension(int extension, Generation g) => extension != 6 || g.RemoteJob is { Id: not null };

    private static void WriteExtension(Utf8JsonWriter writer, int extension, Generation g, Fresh fresh, List<Hole>? holes)
    {
        switch (extension)
        {
            case 0: WriteProgress(writer, g, fresh, holes); break;
            case 1: writer.WriteNumberValue(g.Attempt); break;
            case 2: WriteFresh(writer, FreshField.ExpiresAt, fresh, holes); break;
            case 7: writer.WriteBooleanValue(g.Pinned); break;
            case 8: WriteFresh(writer, FreshField.ExpiredAt, fresh, holes); break;
            case 9: WriteFresh(writer, FreshField.UrlExpiresAt, fresh, holes); break;
            case 3: WriteNullable(writer, g.ErrorType?.ToWire()); break;
            case 4: WriteNullable(writer, g.ErrorCode); break;
            case 5: WriteFresh(writer, FreshField.StatusMessage, fresh, holes); break;
            default:
                writer.WriteStartObject();
                writer.WriteString("backend", g.RemoteJob!.Backend);
                writer.WriteString("id", g.RemoteJob.Id);
                WriteNullable(writer, "cancel", g.RemoteCancel switch
                {
                    RemoteCancelState.Pending => "pending",
                    RemoteCancelState.Cancelled => "cancelled",
                    RemoteCancelState.Refused => "refused",
                    _ => null,
                });
                writer.WriteEndObject();
                break;
        }
    }

    /// <summary>What the row says of itself beyond its status: stored (a retry pause, a remote cancel), or a queued row's backend being down.</summary>
    private string? StatusMessage(Generation g)
    {
        if (g.Status == GenerationStatus.Queued && catalog.Find(g.Model) is { } model && backends.StateOf(model.Engine, model.Id) is { IsAvailable: false } down)
            return $"waiting: backend '{down.Name}' is unavailable ({down.Problem}); the generation stays queued and starts when it is back";
        return g.StatusMessage;
    }

    private static void WriteProgress(Utf8JsonWriter writer, Generation g, Fresh fresh, List<Hole>? holes)
    {
        var (phase, percent, eta) = g.Status switch
        {
            GenerationStatus.Queued => ("queued", 0, (int?)null),
            GenerationStatus.Processing => (g.Progress?.Phase ?? "starting", g.Progress?.Percent ?? 0, g.Progress?.EtaSeconds),
            GenerationStatus.Succeeded => ("completed", 100, 0),
            _ => (g.Status.ToWire(), g.Progress?.Percent ?? 0, null),
        };
        writer.WriteStartObject();
        writer.WriteString("phase", phase);
        writer.WriteNumber("percent", percent);
        WriteNullable(writer, "eta_seconds", eta);
        writer.WritePropertyName(QueuePositionName);
        WriteFresh(writer, FreshField.QueuePosition, fresh, holes);
        writer.WriteEndObject();
    }

    /// <summary>
    /// A parameter's name as the writer needs it: the text, encoded once, and whether it is one of the fixed fields or
    /// extensions. A model's rows share a handful of names, so each is looked up once and kept (<see cref="Names"/>).
    /// </summary>
    private sealed record ParameterName(string Text, JsonEncodedText Encoded, int Fixed, int Extension)
    {
        public static ParameterName Of(string text) =>
            new(text, JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping), Array.IndexOf(FixedFields, text), Array.IndexOf(Extensions, text));
    }

    /// <summary>
    /// The parameter names seen so far, found by their text without making a string of it. Bounded: names come from
    /// requests, and past the bound a name is built for the row that has it rather than kept.
    /// </summary>
    private static readonly ConcurrentDictionary<string, ParameterName> Names = new(StringComparer.Ordinal);

    private const int MaxNames = 4096;

    private static readonly ConcurrentDictionary<string, ParameterName>.AlternateLookup<ReadOnlySpan<char>> NamesByText =
        Names.GetAlternateLookup<ReadOnlySpan<char>>();

    private static ParameterName NameOf(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > 128) return ParameterName.Of(reader.GetString()!);
        // Unescaped, a name has at most as many chars as its text has bytes.
        Span<char> text = stackalloc char[(int)length];
        text = text[..reader.CopyString(text)];
        if (NamesByText.TryGetValue(text, out var known)) return known;
        var name = ParameterName.Of(text.ToString());
        if (Names.Count < MaxNames) Names.TryAdd(name.Text, name);
        return name;
    }

    /// <summary>One top-level field of the stored parameters: its name and where its value's JSON text lies.</summary>
    private readonly record struct StoredParameter(ParameterName Name, int Start, int Length, bool Plain);

    /// <summary>
    /// The stored object's fields in order; a later field of the same name replaces an earlier one, as a parse into an
    /// object does. <paramref name="fixedFrom"/> gets, for each fixed field, the index of the field that fills it.
    /// </summary>
    private static int ReadParameters(ReadOnlySpan<byte> json, ref StoredParameter[] parameters, Span<int> fixedFrom)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new InvalidDataException("a generation's stored parameters are not a JSON object");
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = NameOf(ref reader);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            var length = (int)reader.BytesConsumed - start;
            var parameter = new StoredParameter(name, start, length, IsPlain(json.Slice(start, length)));
            if (Find(parameters.AsSpan(0, count), name.Text) is var existing and >= 0)
            {
                parameters[existing] = parameter;
                continue;
            }
            if (count == parameters.Length)
            {
                var larger = ArrayPool<StoredParameter>.Shared.Rent(count * 2);
                parameters.AsSpan(0, count).CopyTo(larger);
                ArrayPool<StoredParameter>.Shared.Return(parameters, clearArray: true);
                parameters = larger;
            }
            if (name.Fixed >= 0) fixedFrom[name.Fixed] = count;
            parameters[count++] = parameter;
        }
        return count;
    }

    /// <summary>
    /// Whether a value's text is what the writer would write for it, so it can be copied as it is: nothing escaped (the
    /// writer escapes its own way) and no whitespace between tokens (a store may hand back its JSON spaced out).
    /// </summary>
    private static bool IsPlain(ReadOnlySpan<byte> value)
    {
        if (value.IndexOf((byte)'\\') >= 0) return false;
        if (value[0] is not ((byte)'{' or (byte)'[')) return true;
        // With no escapes, every quote opens or closes a string: whitespace outside them is between tokens.
        var inString = false;
        foreach (var b in value)
        {
            if (b == (byte)'"') inString = !inString;
            else if (!inString && b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') return false;
        }
        return true;
    }

    private static int Find(ReadOnlySpan<StoredParameter> parameters, string name)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (string.Equals(parameters[i].Name.Text, name, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    private static void WriteStoredValue(Utf8JsonWriter writer, ReadOnlySpan<byte> json, StoredParameter parameter)
    {
        var value = json.Slice(parameter.Start, parameter.Length);
        if (parameter.Plain)
        {
            writer.WriteRawValue(value, skipInputValidation: true);
            return;
        }
        using var document = JsonDocument.Parse(value.ToArray());
        document.RootElement.WriteTo(writer);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string? value)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }

    private static void WriteNullable(Utf8JsonWriter writer, long? value)
    {
        if (value is { } v) writer.WriteNumberValue(v);
        else writer.WriteNullValue();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null) writer.WriteNull(name);
        else writer.WriteString(name, value);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
        else writer.WriteNull(name);
    }
}
