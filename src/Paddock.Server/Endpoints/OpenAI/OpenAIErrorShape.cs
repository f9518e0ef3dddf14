using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// Keeps every error of the <c>/v1</c> face in the other API's shape, whoever made it: the key check, the body readers,
/// the status-code pages and the exception handler all answer with Paddock's envelope (docs/API.md), made in one place
/// (<see cref="Http.ApiErrors"/>); this rewrites such an answer, on its way out, to <c>{"error":{"message","type","param","code"}}</c>
/// with the same status and headers. Successful answers (a video streams through here) pass untouched and unbuffered.
/// </summary>
public sealed class OpenAIErrorShape(RequestDelegate next)
{
    /// <remarks>Any other request passes straight on, not awaited here: a long one (an event stream) holds no state of this middleware.</remarks>
    public Task InvokeAsync(HttpContext context) => OpenAIErrors.IsOpenAIRequest(context.Request) ? ShapeErrorsAsync(context) : next(context);

    private async Task ShapeErrorsAsync(HttpContext context)
    {
        var original = context.Response.Body;
        await using var body = new ErrorCatchingStream(original, context.Response);
        context.Response.Body = body;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        if (body.Caught is not { } caught) return;
        var rewritten = Rewrite(caught.ToArray(), context.Response.StatusCode) ?? caught.ToArray();
        context.Response.ContentLength = rewritten.Length;
        await original.WriteAsync(rewritten, context.RequestAborted);
    }

    /// <summary>Paddock's envelope as the other API's error; null when the body is not that envelope (already this face's shape).</summary>
    private static byte[]? Rewrite(byte[] json, int status)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
        if (root?["status"]?.GetValue<string>() != "error" || root["error"] is not JsonObject error) return null;
        var paddockType = error["type"]?.GetValue<string>() ?? "error";
        var message = error["detail"]?.GetValue<string>() ?? error["message"]?.GetValue<string>() ?? paddockType;
        // The other API's code for a bad key is invalid_api_key; every other code keeps Paddock's type, which says what happened.
        var code = status == StatusCodes.Status401Unauthorized ? "invalid_api_key" : paddockType;
        return JsonSerializer.SerializeToUtf8Bytes(new OpenAIErrorEnvelope(new OpenAIError(message, OpenAIErrors.TypeFor(status), null, code)));
    }

    /// <summary>Passes a success through as it is written; holds back a JSON error body so it can be rewritten whole.</summary>
    private sealed class ErrorCatchingStream(Stream inner, HttpResponse response) : Stream
    {
        private bool? _catching;

        public MemoryStream? Caught { get; private set; }

        private bool Catching()
        {
            _catching ??= response.StatusCode >= 400 && (response.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false);
            if (_catching.Value) Caught ??= new MemoryStream();
            return _catching.Value;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Catching()) Caught!.Write(buffer.Span);
            else await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Catching()) Caught!.Write(buffer, offset, count);
            else inner.Write(buffer, offset, count);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Catching() ? Task.CompletedTask : inner.FlushAsync(cancellationToken);
        public override void Flush() { if (!Catching()) inner.Flush(); }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
