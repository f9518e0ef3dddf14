using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Memory;
using Paddock.Core.Validation;

namespace Paddock.Server.Http;

/// <summary>
/// A JSON request body, read once into native memory and parsed in place: the document's elements point into those
/// bytes, nothing copies them. Disposing frees the bytes and gives back the body's share of the memory budget.
/// </summary>
public sealed class JsonBody : IDisposable
{
    private readonly NativeBuffer _bytes;
    private readonly BodyMemoryBudget.Reservation? _reservation;

    internal JsonBody(JsonDocument document, NativeBuffer bytes, BodyMemoryBudget.Reservation? reservation)
    {
        Document = document;
        _bytes = bytes;
        _reservation = reservation;
    }

    public JsonDocument Document { get; }

    public void Dispose()
    {
        var large = _bytes.Length >= RequestBody.CollectAfterBytes;
        Document.Dispose();
        _bytes.Dispose();
        // The text copies validation made of a large body's strings are garbage now, hundreds of megabytes of it: they
        // are collected before the budget lets the next large body in, or the two would add up.
        if (large) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        _reservation?.Dispose();
    }
}

/// <summary>Reads a JSON request body with its own size limit, within the memory budget, and errors a user can act on.</summary>
public static class RequestBody
{
    /// <summary>Large enough for nine 10 MB references sent as base64 data: URLs.</summary>
    public const long MaxJsonBytes = 128L * 1024 * 1024;

    /// <summary>
    /// What reading a body takes at most, in multiples of its size, as measured with nine images as data: URLs (peak
    /// resident memory about 4.8 times the body): the body itself and the copy of its fields that schema validation
    /// writes (native memory, one each), the text of its strings as the JSON Schema library reads them (UTF-16: two,
    /// on the managed heap until collected), and the rest (one image decoded at a time, buffers, the heap's slack).
    /// </summary>
    public const int CostPerByte = 5;

    /// <summary>The smallest budget: what the largest body takes.</summary>
    public const long MinimumBudget = CostPerByte * MaxJsonBytes;

    /// <summary>A body this large has its garbage collected before its share of the budget is given back.</summary>
    public const long CollectAfterBytes = 16L * 1024 * 1024;

    /// <summary>Bodies up to this size are read without reserving: their memory is bounded by the connections, not by them.</summary>
    public const int SmallBodyBytes = 64 * 1024;

    /// <summary>What the Retry-After of a 503 for a full budget says.</summary>
    public const int BusyRetrySeconds = 5;

    public static async Task<(JsonBody? Body, IResult? Error)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxJsonBytes;
        if (request.ContentLength > MaxJsonBytes)
            return (null, ApiErrors.PayloadTooLarge($"body: {request.ContentLength} bytes is over the limit of {MaxJsonBytes} bytes"));

        var services = request.HttpContext.RequestServices;
        var budget = services.GetRequiredService<BodyMemoryBudget>();
        var wait = services.GetRequiredService<IOptions<RequestBodyOptions>>().Value.BudgetWait;
        BodyMemoryBudget.Reservation? reservation = null;
        NativeBuffer? bytes = null;
        try
        {
            // A large body reserves what reading it takes before a byte of it is held (see CostPerByte). Without a
            // Content-Length, what the largest body takes, once it outgrows a small one.
            if (request.ContentLength is long declared && declared > SmallBodyBytes
                && (reservation = await budget.ReserveAsync(CostPerByte * declared, wait, cancellationToken)) is null)
                return (null, Busy(budget));
            bytes = new NativeBuffer((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1, MaxJsonBytes));
            while (true)
            {
                if (bytes.Length == bytes.Capacity)
                {
                    if (request.ContentLength is not null) break; // Kestrel ends the body at its declared length
                    var grown = (int)Math.Min(2L * bytes.Capacity, MaxJsonBytes + 1);
                    if (grown > SmallBodyBytes && reservation is null && (reservation = await budget.ReserveAsync(MinimumBudget, wait, cancellationToken)) is null)
                        return (null, Busy(budget));
                    bytes.Resize(grown);
                }
                var read = await request.Body.ReadAsync(bytes.Free, cancellationToken);
                if (read == 0) break;
                bytes.Advance(read);
                if (bytes.Length > MaxJsonBytes)
                    return (null, ApiErrors.PayloadTooLarge($"body: over the limit of {MaxJsonBytes} bytes"));
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes.Written, RequestText.ParseOptions);
            }
            catch (JsonException)
            {
                // Why it failed is read from the bytes by a reader's state, not from the parser's English.
                return (null, ApiErrors.InvalidParams(RequestText.WhyNotJson(bytes.Written.Span)));
            }
            if (RequestText.Problem(document.RootElement) is { } problem)
            {
                document.Dispose();
                return (null, ApiErrors.InvalidParams(problem));
            }
            var body = new JsonBody(document, bytes, reservation);
            (bytes, reservation) = (null, null);
            return (body, null);
        }
        catch (BadHttpRequestException e)
        {
            return (null, ApiErrors.UnreadableBody(e, MaxJsonBytes));
        }
        finally
        {
            bytes?.Dispose();
            reservation?.Dispose();
        }
    }

    private static IResult Busy(BodyMemoryBudget budget) => new RetryAfter(
        ApiErrors.Make(StatusCodes.Status503ServiceUnavailable, "server_busy", "The server is busy.",
            $"the server is already reading as many large request bodies as its memory allows ({budget.Capacity / (1024 * 1024)} MiB, Paddock:RequestBodies:MemoryBudget); nothing was accepted. Try again in {BusyRetrySeconds} seconds"),
        BusyRetrySeconds);
}
