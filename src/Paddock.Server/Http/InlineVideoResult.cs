using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Paddock.Core.Blobs;
using Paddock.Core.Generations;

namespace Paddock.Server.Http;

/// <summary>
/// The sync answer with the video inline (<c>response_format: b64_json</c>), written as it is encoded: the video is
/// read from the blob store in chunks and each is base64-encoded straight into the response. A video of tens of
/// megabytes is never held whole, let alone as text (a string of it would be 2.7 times its size, per request).
/// </summary>
public sealed class InlineVideoResult(Generation done, IBlobStore blobs) : IResult
{
    /// <summary>Bytes read per chunk: a multiple of 3, so each chunk encodes to whole base64 quads.</summary>
    private const int Chunk = 3 * 16 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var ct = httpContext.RequestAborted;
        await using var video = await blobs.OpenReadAsync(done.OutputKey!, cancellationToken: ct)
            ?? throw new InvalidOperationException($"output of {done.Id} is missing from the blob store");
        var created = (done.CompletedAt ?? done.EnqueuedAt).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var head = Encoding.UTF8.GetBytes($"{{\"model\":{JsonSerializer.Serialize(done.Model)},\"created\":{created},\"videos\":[{{\"b64_json\":\"");
        var tail = Encoding.UTF8.GetBytes($"\"}}],\"generation_id\":\"{done.Id}\"}}");

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        if (video.CanSeek) response.ContentLength = head.Length + (video.Length + 2) / 3 * 4 + tail.Length;
        await response.Body.WriteAsync(head, ct);
        var raw = new byte[Chunk];
        var encoded = new byte[Base64.GetMaxEncodedToUtf8Length(Chunk)];
        while (true)
        {
            // Fill the chunk (a read may return less), so only the last one can end mid-quad.
            var filled = 0;
            int read;
            while (filled < Chunk && (read = await video.ReadAsync(raw.AsMemory(filled), ct)) > 0) filled += read;
            if (filled == 0) break;
            Base64.EncodeToUtf8(raw.AsSpan(0, filled), encoded, out _, out var written);
            await response.Body.WriteAsync(encoded.AsMemory(0, written), ct);
            if (filled < Chunk) break;
        }
        await response.Body.WriteAsync(tail, ct);
    }
}
