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

public sealed record ErrorBody(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Every error answer is made here, so the shape cannot drift between endpoints.</summary>
public static class ApiErrors
{
    public static IResult InvalidParams(string detail) =>
        Make(StatusCodes.Status400BadRequest, "invalid_params", "Invalid parameters supplied, please check your request and try again.", detail);

    public static IResult Unauthenticated(string detail) =>
        Make(StatusCodes.Status401Unauthorized, "unauthenticated", "Authentication required: send 'Authorization: Bearer <api key>'.", detail);

    public static IResult Forbidden(string detail) =>
        Make(StatusCodes.Status403Forbidden, "forbidden", "This key may not act on that namespace.", detail);

    public static IResult NotFound(string detail) =>
        Make(StatusCodes.Status404NotFound, "resource_not_found", "The requested resource was not found.", detail);

    public static IResult MethodNotAllowed(string detail) =>
        Make(StatusCodes.Status405MethodNotAllowed, "method_not_allowed", "This route does not accept that method.", detail);

    public static IResult PayloadTooLarge(string detail) =>
        Make(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "The request is larger than this server accepts.", detail);

    public static IResult UnsupportedMediaType(string detail) =>
        Make(StatusCodes.Status415UnsupportedMediaType, "invalid_params", "Invalid parameters supplied, please check your request and try again.", detail);

    /// <summary>503 with <c>Retry-After</c>: the database cannot be reached now; the same request may be sent again shortly.</summary>
    public static IResult StorageUnavailable(HttpResponse response, Paddock.Core.Storage.StorageUnavailableException error)
    {
        response.Headers.RetryAfter = ((int)Math.Ceiling(Paddock.Core.Storage.StorageUnavailableException.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Make(StatusCodes.Status503ServiceUnavailable, "service_unavailable", "The server's database is unavailable; try again shortly.",
            $"{error.Message}. Send the request again after the Retry-After seconds (with the same Idempotency-Key, so it is not done twice)");
    }

    public static IResult Unknown(string detail) =>
        Make(StatusCodes.Status500InternalServerError, "unknown_error", "Something went wrong on the server.", detail);

    public static IResult Make(int status, string type, string title, string detail) =>
        TypedResults.Json(new ErrorEnvelope(new ErrorBody(type, title, detail, detail), "error", type), statusCode: status);
}
