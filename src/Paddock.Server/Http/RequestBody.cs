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
        byte[] body;
        try
        {
            body = await ReadAllAsync(request, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiErrors.PayloadTooLarge($"body: over the limit of {MaxJsonBytes} bytes"));
        }

        JsonDocument document;
        try
        {
            // The document reads the array in place; it lives as long as the document does.
            document = JsonDocument.Parse(body, RequestText.ParseOptions);
        }
        catch (JsonException)
        {
            // Why it failed is read from the bytes by a reader's state, not from the parser's English.
            return (null, ApiErrors.InvalidParams(RequestText.WhyNotJson(body)));
        }

        if (RequestText.Problem(document.RootElement) is { } problem)
        {
            document.Dispose();
            return (null, ApiErrors.InvalidParams(problem));
        }
        return (document, null);
    }

    /// <summary>The whole body: into an array of its declared length, or grown as it arrives when none is declared.</summary>
    private static async Task<byte[]> ReadAllAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            var exact = new byte[length];
            var read = await request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken);
            return read == exact.Length ? exact : exact[..read];
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
