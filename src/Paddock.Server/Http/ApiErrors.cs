using System.Text.Json.Serialization;

namespace Paddock.Server.Http;

/// <summary>
/// The one error body of docs/API.md: a superset of the shapes seed clients parse
/// (<c>error.detail</c> / <c>error.message</c> and <c>status</c> / <c>status_message</c>).
/// </summary>
public sealed record ErrorEnvelope(
    [property: JsonPropertyName("error")] ErrorBody Error,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("status_message")] string StatusMessage);

/// <param name="Limit">For a refusal by a quota: which limit (<c>requests_per_minute</c>, <c>max_queued</c>, <c>video_budget</c>).</param>
/// <param name="Scope">For a refusal by a quota: whose limit, <c>namespace:NAME</c> or <c>key:ID</c>.</param>
public sealed record ErrorBody(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Limit = null,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope = null);

/// <summary>Every error answer is made here, so the shape cannot drift between endpoints.</summary>
public static class ApiErrors
{
    public static IResult InvalidParams(string detail) =>
        Make(StatusCodes.Status400BadRequest, "invalid_params", "Invalid parameters supplied, please check your request and try again.", detail);

    public static IResult Unauthenticated(string detail) =>
        Make(StatusCodes.Status401Unauthorized, "unauthenticated", "Authentication required: send 'Authorization: Bearer <api key>'.", detail);

    public static IResult Forbidden(string detail) =>
        Make(StatusCodes.Status403Forbidden, "forbidden", "This key may not act on that namespace.", detail);

    /// <summary>403 for the wrong kind of key: a namespace's on an admin route, the admin's on a namespace route, or the admin API turned off.</summary>
    public static IResult AdminOnly(string detail) =>
        Make(StatusCodes.Status403Forbidden, "forbidden", "The admin API and the namespace API each take their own key.", detail);

    /// <summary>409: what was asked to be created exists already.</summary>
    public static IResult Conflict(string detail) =>
        Make(StatusCodes.Status409Conflict, "conflict", "That already exists.", detail);

    public static IResult NotFound(string detail) =>
        Make(StatusCodes.Status404NotFound, "resource_not_found", "The requested resource was not found.", detail);

    public static IResult MethodNotAllowed(string detail) =>
        Make(StatusCodes.Status405MethodNotAllowed, "method_not_allowed", "This route does not accept that method.", detail);

    public static IResult PayloadTooLarge(string detail) =>
        Make(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "The request is larger than this server accepts.", detail);

    public static IResult UnsupportedMediaType(string detail) =>
        Make(StatusCodes.Status415UnsupportedMediaType, "invalid_params", "Invalid parameters supplied, please check your request and try again.", detail);

    public static IResult Timeout(string detail) =>
        Make(StatusCodes.Status408RequestTimeout, "timeout", "The server stopped waiting for the request.", detail);

    /// <summary>
    /// The answer to a body Kestrel gave up reading, by the status it carries (its kind, never its English text):
    /// too large, too slow, or malformed framing.
    /// </summary>
    public static IResult UnreadableBody(BadHttpRequestException e, long? limit = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => PayloadTooLarge(limit is { } l ? $"body: over the limit of {l} bytes" : "body: over the size limit of this route"),
            StatusCodes.Status408RequestTimeout => BodyTooSlow(),
            _ => Make(e.StatusCode, "invalid_params", "The request could not be read.", e.Message),
        };
    }

    /// <summary>A body that came more slowly than Kestrel's minimum data rate (JSON and multipart alike).</summary>
    public static IResult BodyTooSlow() =>
        Timeout("body: arrived too slowly; the server stopped waiting for it. Send the request again (at least a few hundred bytes a second)");

    /// <summary>How long a client is asked to wait before retrying when the server cannot store anything.</summary>
    public const int StorageFullRetrySeconds = 30;

    /// <summary>507: nothing could be stored (disk or database full); nothing of the request was accepted. Recovers by itself when space frees.</summary>
    public static IResult StorageFull() => new RetryAfter(
        Make(StatusCodes.Status507InsufficientStorage, "storage_full", "The server's storage is full.",
            $"the server's storage is full, so it cannot store this request; nothing was accepted. Try again in {StorageFullRetrySeconds} seconds (or once space has been freed)"),
        StorageFullRetrySeconds);

    /// <summary>503 with <c>Retry-After</c>: the database cannot be reached now; the same request may be sent again shortly.</summary>
    public static IResult StorageUnavailable(HttpResponse response, Paddock.Core.Storage.StorageUnavailableException error)
    {
        response.Headers.RetryAfter = ((int)Math.Ceiling(Paddock.Core.Storage.StorageUnavailableException.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Make(StatusCodes.Status503ServiceUnavailable, "service_unavailable", "The server's database is unavailable; try again shortly.",
            $"{error.Message}. Send the request again after the Retry-After seconds (with the same Idempotency-Key, so it is not done twice)");
    }

    /// <summary>410: an output or file the retention sweep deleted (or whose time passed); the detail says when and how to keep the next one.</summary>
    public static IResult Expired(string detail) =>
        Make(StatusCodes.Status410Gone, "expired", "This has expired and was deleted.", detail);

    public static IResult Unknown(string detail) =>
        Make(StatusCodes.Status500InternalServerError, "unknown_error", "Something went wrong on the server.", detail);

    /// <summary>A refusal by a quota: the envelope also names the limit and whose it is.</summary>
    public static IResult Quota(int status, string type, string title, string detail, string limit, string scope) =>
        TypedResults.Json(new ErrorEnvelope(new ErrorBody(type, title, detail, detail, limit, scope), "error", type), statusCode: status);

    public static IResult Make(int status, string type, string title, string detail) =>
        TypedResults.Json(new ErrorEnvelope(new ErrorBody(type, title, detail, detail), "error", type), statusCode: status);
}

/// <summary>An error answer with a <c>Retry-After</c> header: the condition is expected to pass.</summary>
public sealed class RetryAfter(IResult inner, int seconds) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return inner.ExecuteAsync(httpContext);
    }
}
