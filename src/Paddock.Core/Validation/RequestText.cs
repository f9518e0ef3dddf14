using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Paddock.Core.Validation;

/// <summary>
/// What a request body must be before anything copies its strings: JSON (and if not, why not, in words a user can act
/// on), text (the JSON parser lets invalid UTF-8 and escaped lone surrogates through, and they fail later, far from the
/// field), and no string longer than any field takes (found here, worded by the validator, which knows the field).
/// </summary>
public static class RequestText
{
    /// <summary>
    /// The longest single string any field takes: a 10 MB image as a base64 data: URL, with room for its header.
    /// A longer one is refused before anything copies it, so one request cannot make the server hold gigabytes.
    /// </summary>
    public const int MaxStringBytes = (10 * 1024 * 1024 / 3 * 4) + 4096;

    /// <summary>The longest property name read (and echoed in messages); every field's name is far shorter.</summary>
    public const int MaxNameBytes = 256;

    /// <summary>Parser options for request bodies: a field given twice is an error, not "the last one wins".</summary>
    public static JsonDocumentOptions ParseOptions { get; } = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>The deepest nesting a request may have (no field nests more than two levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Why <paramref name="json"/> could not be parsed, worded for the user and naming where: read again by a
    /// <see cref="Utf8JsonReader"/> whose state says what went wrong — the input ran out before the value was complete,
    /// it nests deeper than <see cref="MaxDepth"/>, a property repeats, or a byte is not JSON there. Never chosen by
    /// the words of the parser's own message, which change with its version and culture.
    /// </summary>
    /// <param name="subject">What the JSON is, as the message starts: <c>body</c> for a request body.</param>
    /// <param name="example">What to send instead, where the message can only say "send a JSON object such as".</param>
    public static string WhyNotJson(ReadOnlySpan<byte> json, string subject = "body", string example = BodyExample)
    {
        // Not the final block: input that merely stops makes Read answer false instead of throwing, which is how a
        // truncated body is told apart from a wrong byte. Depth is counted here, so the reader's own limit is above it.
        var reader = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = MaxDepth + 1 }));
        var frames = new Stack<JsonFrame>();
        var complete = false;
        while (true)
        {
            var before = reader.BytesConsumed;
            bool read;
            try
            {
                read = reader.Read();
            }
            catch (JsonException e)
            {
                // The exception's position (not its words) points at the byte the reader could not take.
                var at = OffsetOf(json, e.LineNumber, e.BytePositionInLine) ?? SkipWhitespace(json, (int)before);
                return complete
                    ? $"{subject}: is not valid JSON: {Where(json, at)}: there is more after the end of the JSON value; send one JSON object"
                    : $"{subject}: is not valid JSON: {Where(json, at)}: {Unexpected(json, at)}";
            }
            if (!read)
            {
                if (complete) return $"{subject}: is not valid JSON; send a JSON object such as {example}";
                if (SkipWhitespace(json, 0) == json.Length) return $"{subject}: is empty, which is not valid JSON; send a JSON object such as {example}";
                var open = frames.Count;
                return $"{subject}: is not valid JSON: it ends {Where(json, json.Length)} before the JSON is complete"
                    + (open > 0 ? $" ({open} {(open == 1 ? "bracket is" : "brackets are")} still open)" : "") + "; it may have been cut short: send all of it";
            }

            var parent = frames.Count > 0 ? frames.Peek() : null;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    // A name that is not text (an escaped lone surrogate) is compared as written; Problem names it later.
                    var name = reader.ValueIsEscaped ? NameOf(ref reader) : Encoding.UTF8.GetString(reader.ValueSpan);
                    if (!parent!.Names!.Add(name))
                        return $"{parent.Child(name)}: is given twice ({Where(json, (int)reader.TokenStartIndex)}); send each field once";
                    parent.Property = name;
                    continue;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (frames.Count >= MaxDepth)
                        return $"{subject}: is nested more than {MaxDepth} levels deep ({Where(json, (int)reader.TokenStartIndex)}); no field of a request nests more than two";
                    frames.Push(new JsonFrame(parent is null ? "body" : parent.Next(), reader.TokenType == JsonTokenType.StartObject));
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                default:
                    parent?.Next();
                    break;
            }
            if (frames.Count == 0) complete = true;
        }
    }

    /// <summary>The smallest request, shown where a body is not JSON at all.</summary>
    public const string BodyExample = "{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"...\"}";

    private static string NameOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    /// <summary>"at line L, position P" for a byte offset, both 1-based, positions counted in bytes as the parser counts them.</summary>
    private static string Where(ReadOnlySpan<byte> json, int offset)
    {
        offset = Math.Min(offset, json.Length);
        var before = json[..offset];
        var line = before.Count((byte)'\n') + 1;
        var position = offset - (before.LastIndexOf((byte)'\n') + 1) + 1;
        return $"at line {line}, position {position}";
    }

    private static int? OffsetOf(ReadOnlySpan<byte> json, long? line, long? bytePositionInLine)
    {
        if (line is not { } l || bytePositionInLine is not { } p) return null;
        var offset = 0;
        for (var i = 0L; i < l; i++)
        {
            var next = json[offset..].IndexOf((byte)'\n');
            if (next < 0) return null;
            offset += next + 1;
        }
        return (int)Math.Min(json.Length, offset + p);
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int offset)
    {
        while (offset < json.Length && json[offset] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') offset++;
        return offset;
    }

    /// <summary>What the byte at <paramref name="offset"/> is, for "unexpected ...".</summary>
    private static string Unexpected(ReadOnlySpan<byte> json, int offset)
    {
        if (offset >= json.Length) return "the JSON is not complete; send all of it";
        var b = json[offset];
        return b is >= 0x21 and < 0x7F
            ? $"'{(char)b}' is not valid JSON there (strings need double quotes, names need quotes, no trailing commas)"
            : $"the byte 0x{b:X2} is not valid JSON there";
    }

    /// <summary>An object or array being read, and the name its next child will have in a message.</summary>
    private sealed class JsonFrame(string path, bool isObject)
    {
        private int _index;

        public HashSet<string>? Names { get; } = isObject ? new(StringComparer.Ordinal) : null;
        public string? Property { get; set; }

        public string Child(string name) => path == "body" ? name : $"{path}.{name}";

        /// <summary>The path of the value that comes next (a property's value, or the array's next item).</summary>
        public string Next() => Names is not null ? Child(Property ?? "") : $"{path}[{_index++}]";
    }

    /// <summary>
    /// The first string inside <paramref name="element"/> longer than <see cref="MaxStringBytes"/> (the path it has in a
    /// message, and its length in bytes), read in place; null when there is none. Every field of every request passes
    /// this check, so the path is made only for the string found.
    /// </summary>
    public static (string Field, int Bytes)? Oversized(JsonElement element, string field) =>
        OversizedBelow(element) is { } found ? (field + found.Suffix, found.Bytes) : null;

    /// <summary>The first oversized string and its path below <paramref name="element"/> (empty for the element itself).</summary>
    private static (string Suffix, int Bytes)? OversizedBelow(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var length = JsonMarshal.GetRawUtf8Value(element).Length - 2; // as written, escapes included, quotes not
                return length > MaxStringBytes ? ("", length) : null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (OversizedBelow(item) is { } found) return ($"[{index}]{found.Suffix}", found.Bytes);
                    index++;
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (OversizedBelow(property.Value) is { } found) return ($".{property.Name}{found.Suffix}", found.Bytes);
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>The first problem of the document, worded to name its field; null when all of it is text.</summary>
    public static string? Problem(JsonElement root) => TextProblem(root, "body");

    /// <summary>
    /// The first string (or property name) that is not text — invalid UTF-8, or an escaped lone surrogate such as
    /// <c>"\ud800"</c>, which the parser lets through — or that is longer than any field takes. Reads the raw bytes
    /// in place: nothing is copied unless it holds an escape.
    /// </summary>
    private static string? TextProblem(JsonElement element, string field)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var rawName = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (rawName.Length > MaxNameBytes)
                        return $"{field}: has a property name {rawName.Length} bytes long; no field's name is longer than {MaxNameBytes} bytes";
                    var name = Text(JsonMarshal.GetRawUtf8PropertyName(property), property, static p => p.Name) ? property.Name : null;
                    if (name is null) return $"{(field == "body" ? "body" : field)}: a property name is not valid text (invalid UTF-8 or an unpaired surrogate such as \\ud800); send UTF-8 JSON";
                    var child = field == "body" ? name : $"{field}.{name}";
                    if (TextProblem(property.Value, child) is { } problem) return problem;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (TextProblem(item, $"{field}[{index++}]") is { } problem) return problem;
                }
                return null;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                // Too long to be any field: its validity does not matter, and checking an escaped one would copy it.
                if (raw.Length > MaxStringBytes) return null;
                return Text(raw, element, static e => e.GetString()) ? null
                    : $"{field}: is not valid text (invalid UTF-8 or an unpaired surrogate such as \\ud800); send UTF-8 JSON";
            default:
                return null;
        }
    }

    private static bool Text<T>(ReadOnlySpan<byte> raw, T value, Func<T, string?> decode)
    {
        if (!Utf8.IsValid(raw)) return false;
        if (raw.IndexOf("\\u"u8) < 0) return true;
        try
        {
            decode(value);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
