using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Paddock.Core.Validation;

/// <summary>
/// What a parsed request must hold before anything copies its strings: text (the JSON parser lets invalid UTF-8
/// and escaped lone surrogates through, and they fail later, far from the field), and no string longer than any
/// field takes.
/// </summary>
public static class RequestText
{
    /// <summary>
    /// The longest single string any field takes: a 10 MB image as a base64 data: URL, with room for its header.
    /// A longer one is refused before anything copies it, so one request cannot make the server hold gigabytes.
    /// </summary>
    public const int MaxStringBytes = (10 * 1024 * 1024 / 3 * 4) + 4096;

    /// <summary>Parser options for request bodies: a field given twice is an error, not "the last one wins".</summary>
    public static JsonDocumentOptions ParseOptions { get; } = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>Where and why the parser gave up, to follow "is not valid JSON".</summary>
    public static string WhyNotJson(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
        var why = e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? ": a property appears twice; send each field once"
            : e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? ": it is nested more than 64 levels deep"
            : "";
        return where + why;
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
                if (raw.Length > MaxStringBytes)
                    return $"{field}: is {raw.Length} bytes long; no field takes more than {MaxStringBytes} (a 10 MB image as a base64 data: URL)";
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
