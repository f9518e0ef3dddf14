namespace Paddock.Server.Http;

/// <summary>
/// A file or video download with HTTP Range. The framework answers a Range past the end with 416 and an empty body
/// typed as the file; this gives that answer the error envelope, so a client learns why (Content-Range: bytes */size
/// stays). Downloads also say nosniff: hosted bytes are whatever users upload, so a browser must not read an HTML or
/// script type into them.
/// </summary>
public sealed class RangedDownload(IResult file, long size) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await file.ExecuteAsync(context);
        var response = context.Response;
        if (response.StatusCode != StatusCodes.Status416RangeNotSatisfiable || response.HasStarted || HttpMethods.IsHead(context.Request.Method)) return;
        response.ContentLength = null;
        var detail = size == 0
            ? $"Range: '{context.Request.Headers.Range}' cannot be served: the file is empty; fetch it without a Range header"
            : $"Range: '{context.Request.Headers.Range}' is outside the file's {size} bytes; ask for a range that starts below {size}";
        await ApiErrors.Make(StatusCodes.Status416RangeNotSatisfiable, "range_not_satisfiable", "The requested range is not in the file.", detail).ExecuteAsync(context);
    }
}
