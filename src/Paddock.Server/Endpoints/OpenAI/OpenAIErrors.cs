using System.Text.Json.Serialization;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// The error body of the OpenAI API, <c>{"error":{"message","type","param","code"}}</c>: the shape its SDKs parse into
/// their exceptions (openai-node src/core/error.ts reads <c>error</c> and its <c>message</c>; the published OpenAPI
/// document's <c>Error</c> has <c>code</c>, <c>message</c>, <c>param</c>, <c>type</c>). Every answer of the <c>/v1</c>
/// face that is not a success is made here.
/// </summary>
public sealed record OpenAIErrorEnvelope([property: JsonPropertyName("error")] OpenAIError Error);

public sealed record OpenAIError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);

public static class OpenAIErrors
{
    /// <summary>The type the other API gives to every error the client can fix (bad field, unknown model or object, bad key).</summary>
    public const string InvalidRequest = "invalid_request_error";

    public static IResult BadRequest(string message, string? param, string? code = null) =>
        Make(StatusCodes.Status400BadRequest, message, InvalidRequest, param, code);

    /// <summary>401 as the other API answers a missing or unknown key: type <c>invalid_request_error</c>, code <c>invalid_api_key</c>.</summary>
    public static IResult InvalidApiKey(string message) =>
        Make(StatusCodes.Status401Unauthorized, message, InvalidRequest, null, "invalid_api_key");

    /// <summary>404 for a model the catalog does not hold (code <c>model_not_found</c>, param <c>model</c>).</summary>
    public static IResult ModelNotFound(string model, IEnumerable<string> known) =>
        Make(StatusCodes.Status404NotFound,
            $"The model '{model}' does not exist. Models served here: {string.Join(", ", known)} (GET /v1/models lists them)",
            InvalidRequest, "model", "model_not_found");

    /// <summary>404 for a video this key's namespace does not hold (another namespace's is a 404 too).</summary>
    public static IResult VideoNotFound(string id) =>
        Make(StatusCodes.Status404NotFound, $"No video found with id '{id}'.", InvalidRequest, "video_id", "not_found");

    public static IResult NotFound(string message) =>
        Make(StatusCodes.Status404NotFound, message, InvalidRequest, null, "not_found");

    /// <summary>410 for a video whose content expired under the retention setting (code <c>expired</c>).</summary>
    public static IResult Expired(string message) =>
        Make(StatusCodes.Status410Gone, message, InvalidRequest, "video_id", "expired");

    public static IResult MethodNotAllowed(string message) =>
        Make(StatusCodes.Status405MethodNotAllowed, message, InvalidRequest, null, "method_not_allowed");

    /// <summary>An answer of the shared machinery (body limits, a full disk, a database restarting) in this face's shape, status and headers kept.</summary>
    public static IResult Make(int status, string message, string type, string? param, string? code) =>
        TypedResults.Json(new OpenAIErrorEnvelope(new OpenAIError(message, type, param, code)), statusCode: status);

    /// <summary>The other API's type for a status it answers (server errors are <c>server_error</c>).</summary>
    public static string TypeFor(int status) => status >= 500 ? "server_error" : InvalidRequest;

    /// <summary>Whether a request came to this face: its errors must be in this shape, not in the envelope of docs/API.md.</summary>
    public static bool IsOpenAIRequest(HttpRequest request) => request.Path.StartsWithSegments("/v1");
}
