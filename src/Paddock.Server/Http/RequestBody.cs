using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;

namespace Paddock.Server.Http;

/// <summary>Reads a JSON request body with its own size limit and errors a user can act on.</summary>
public static class RequestBody
{
    /// <summary>Large enough for nine 10 MB references sent as base64 data: URLs.</summary>
    public const long MaxJsonBytes = 128L * 1024 * 1024;

    /// <summary>
    /// The longest single string any field takes: a 10 MB image as a base64 data: URL, with room for its header.
    /// A longer one is refused before anything copies it, so one request cannot make the server hold gigabytes.
    /// </summary>
    public const int MaxStringBytes = (10 * 1024 * 1024 / 3 * 4) + 4096;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    public static async Task<(JsonDocument? Document, IResult? Error)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxJsonBytes;
        if (request.ContentLength > MaxJsonBytes)
            return (null, ApiErrors.PayloadTooLarge($"body: {request.ContentLength} bytes is over the limit of {MaxJsonBytes} bytes"));
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            var why = e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? ": a property appears twice; send each field once"
                : e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? ": it is nested more than 64 levels deep"
                : "";
            return (null, ApiErrors.InvalidParams($"body: is not valid JSON{where}{why}; send a JSON object such as {{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"...\"}}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiErrors.PayloadTooLarge($"body: over the limit of {MaxJsonBytes} bytes"));
        }

        if (TextProblem(document.RootElement, "body") is { } problem)
        {
            document.Dispose();
            return (null, ApiErrors.InvalidParams(problem));
        }
        return (document, null);
    }

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
