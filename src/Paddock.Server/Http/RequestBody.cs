using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Paddock.Core.Validation;

namespace Paddock.Server.Http;

/// <summary>Reads a JSON request body with its own size limit and errors a user can act on.</summary>
public static class RequestBody
{
    /// <summary>Large enough for nine 10 MB references sent as base64 data: URLs.</summary>
    public const long MaxJsonBytes = 128L * 1024 * 1024;

    public static async Task<(JsonDocument? Document, IResult? Error)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxJsonBytes;
        if (request.ContentLength > MaxJsonBytes)
            return (null, ApiErrors.PayloadTooLarge($"body: {request.ContentLength} bytes is over the limit of {MaxJsonBytes} bytes"));
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, RequestText.ParseOptions, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, ApiErrors.InvalidParams($"body: is not valid JSON{RequestText.WhyNotJson(e)}; send a JSON object such as {{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"...\"}}"));
        }
        catch (BadHttpRequestException e)
        {
            return (null, ApiErrors.UnreadableBody(e, MaxJsonBytes));
        }

        if (RequestText.Problem(document.RootElement) is { } problem)
        {
            document.Dispose();
            return (null, ApiErrors.InvalidParams(problem));
        }
        return (document, null);
    }
}
