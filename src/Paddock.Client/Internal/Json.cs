using System.Globalization;
using System.Text.Json;

namespace Paddock.Client.Internal;

/// <summary>
/// Tolerant reads of answer fields: a field that is missing, null or of an unexpected type reads as null rather than
/// failing, so the client keeps working against servers that add, omit or re-type fields.
/// </summary>
internal static class Json
{
    public static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(text);
        }
        catch (JsonException e)
        {
            var snippet = text.Length > 200 ? text[..200] + "…" : text;
            throw new PaddockException((int)response.StatusCode, "invalid_response", "The server's answer is not JSON.",
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)} answered something that is not JSON: {snippet}", text, e);
        }
    }

    public static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value
            : null;

    public static string? String(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    public static long? Int64(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var i) => i,
        { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var d) && d >= long.MinValue && d <= long.MaxValue => (long)d,
        { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };

    public static int? Int32(JsonElement element, string name) =>
        Int64(element, name) is { } value && value is >= int.MinValue and <= int.MaxValue ? (int)value : null;

    public static double? Double(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
        { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>A timestamp given as Unix seconds (or milliseconds, by size) or as an ISO-8601 string.</summary>
    public static DateTimeOffset? Time(JsonElement element, string name)
    {
        switch (Property(element, name))
        {
            case { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var seconds):
                if (seconds > 1e11) seconds /= 1000; // milliseconds
                return seconds is > -62135596800 and < 253402300800 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : null;
            case { ValueKind: JsonValueKind.String } s:
                var text = s.GetString();
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)) return parsed;
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix) && unix is > 0 and < 253402300800
                    ? DateTimeOffset.FromUnixTimeSeconds(unix)
                    : null;
            default:
                return null;
        }
    }

    public static bool? Boolean(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    public static Uri? Url(JsonElement element, string name) =>
        String(element, name) is { Length: > 0 } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;

    public static IReadOnlyList<string> Strings(JsonElement element, string name)
    {
        if (Property(element, name) is not { ValueKind: JsonValueKind.Array } array) return [];
        var list = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { } s) list.Add(s);
        }
        return list;
    }

    public static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];
}
