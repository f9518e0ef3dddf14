using System.Net;
using System.Text.Json;

namespace Paddock.Client;

/// <summary>
/// The one exception the client throws for a request the server refused or that could not be completed: it carries
/// the HTTP status and the parsed error envelope
/// (<c>{"error":{"type","title","detail","message"},"status","status_message"}</c>). A generation that ended
/// failed or cancelled while being awaited is reported the same way, with <see cref="Status"/> 0.
/// </summary>
public sealed class PaddockException : Exception
{
    /// <summary>Creates an exception with a message and no response.</summary>
    /// <param name="message">What went wrong.</param>
    public PaddockException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the failure that caused it, and no response.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying failure (for example a connection error).</param>
    public PaddockException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception that carries an error answer's parts.</summary>
    /// <param name="status">The HTTP status code, or 0 when there was no HTTP error answer.</param>
    /// <param name="errorType">The envelope's <c>error.type</c>, e.g. <c>invalid_params</c>.</param>
    /// <param name="title">The envelope's <c>error.title</c>.</param>
    /// <param name="detail">The envelope's <c>error.detail</c> (or <c>error.message</c>).</param>
    /// <param name="rawBody">The answer's body as received.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public PaddockException(int status, string? errorType, string? title, string? detail, string? rawBody = null, Exception? innerException = null)
        : base(Describe(status, errorType, title, detail), innerException)
    {
        Status = status;
        ErrorType = errorType;
        Title = title;
        Detail = detail;
        RawBody = rawBody;
    }

    /// <summary>The HTTP status code of the error answer; 0 when the failure was not an HTTP error answer (connection failure, timeout, a failed generation).</summary>
    public int Status { get; }

    /// <summary>The error's machine-readable type (<c>error.type</c> or <c>status_message</c>), e.g. <c>invalid_params</c>, <c>resource_not_found</c>, <c>idempotency_conflict</c>.</summary>
    public string? ErrorType { get; }

    /// <summary>The error's human-readable title (<c>error.title</c>).</summary>
    public string? Title { get; }

    /// <summary>What exactly was wrong (<c>error.detail</c>, or <c>error.message</c>), e.g. <c>duration: must be between 3 and 15</c>.</summary>
    public string? Detail { get; }

    /// <summary>The error answer's body exactly as received, or null.</summary>
    public string? RawBody { get; }

    /// <summary>The generation the error is about, when it came from awaiting one.</summary>
    public string? GenerationId { get; init; }

    /// <summary>The <c>Retry-After</c> the server asked for, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    private static string Describe(int status, string? errorType, string? title, string? detail)
    {
        var text = !string.IsNullOrWhiteSpace(detail) ? detail : !string.IsNullOrWhiteSpace(title) ? title : "the request failed";
        var tag = (status, errorType) switch
        {
            (0, null) => null,
            (0, _) => errorType,
            (_, null) => $"HTTP {status}",
            _ => $"HTTP {status} {errorType}",
        };
        return tag is null ? text! : $"{text} ({tag})";
    }

    /// <summary>Reads an error answer: the Paddock envelope, and the simpler shapes other servers send.</summary>
    internal static PaddockException FromResponse(HttpStatusCode statusCode, string? reasonPhrase, string? body, TimeSpan? retryAfter)
    {
        string? type = null, title = null, detail = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    if (root.TryGetProperty("error", out var error))
                    {
                        if (error.ValueKind == JsonValueKind.Object)
                        {
                            type = Text(error, "type") ?? Text(error, "code");
                            title = Text(error, "title");
                            detail = Text(error, "detail") ?? Text(error, "message");
                        }
                        else if (error.ValueKind == JsonValueKind.String)
                        {
                            detail = error.GetString();
                        }
                    }
                    type ??= Text(root, "status_message") is { } sm && sm != "error" ? sm : Text(root, "type");
                    title ??= Text(root, "title");
                    detail ??= Text(root, "detail") ?? Text(root, "message") ?? Text(root, "status_message");
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's HTML page, say): the raw body still travels with the exception.
            }
        }
        if (detail is null && title is null)
        {
            var snippet = body is { Length: > 0 } ? body.Trim() : null;
            if (snippet is { Length: > 200 }) snippet = snippet[..200] + "…";
            detail = snippet is { Length: > 0 } && !snippet.StartsWith('<') ? snippet : reasonPhrase ?? statusCode.ToString();
        }
        return new PaddockException((int)statusCode, type, title, detail, body) { RetryAfter = retryAfter };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}
