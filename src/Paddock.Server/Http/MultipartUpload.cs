using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Paddock.Core.Maintenance;

namespace Paddock.Server.Http;

/// <summary>Why an upload's multipart form could not be read, decided where it happened (never from an exception's words).</summary>
public enum FormProblem
{
    /// <summary>The body is over the request limit.</summary>
    TooLarge,
    /// <summary>More parts than <see cref="FormLimits.MaxParts"/>.</summary>
    TooManyParts,
    /// <summary>A part with more than <see cref="FormLimits.MaxPartHeaders"/> headers.</summary>
    TooManyHeaders,
    /// <summary>A part's headers could not be read: longer than <see cref="FormLimits.MaxPartHeaderBytes"/>, or a line not "Name: value".</summary>
    UnreadableHeaders,
    /// <summary>A part without a <c>Content-Disposition: form-data; name=...</c> header.</summary>
    UnnamedPart,
    /// <summary>A text field longer than <see cref="FormLimits.MaxFieldBytes"/>.</summary>
    FieldTooLong,
    /// <summary>The body ended before the closing boundary (or before its declared length).</summary>
    EndsEarly,
    /// <summary>The body arrived more slowly than Kestrel's minimum data rate.</summary>
    TooSlow,
}

public sealed record FormLimits(long MaxBodyBytes, int MaxParts, int MaxPartHeaders, int MaxPartHeaderBytes, int MaxFieldBytes);

/// <summary>The form read, or why not: the problem, and for a field too long its name and length.</summary>
public sealed record FormReadResult(IFormCollection? Form, FormProblem? Problem, string? Field = null, long FieldBytes = 0);

/// <summary>
/// Reads a <c>multipart/form-data</c> upload part by part with the multipart reader itself, so that each way it can fail
/// is known by where it failed — reading a part's headers, counting parts, the body ending, the size limit — rather than
/// guessed from the text of the exception ASP.NET's form reader would throw. Files are buffered as ASP.NET buffers them
/// (in memory up to 64 KB, then in a file in this process's work folder), and disposed with the response.
/// </summary>
public static class MultipartUpload
{
    private const int FileMemoryThreshold = 64 * 1024;

    public static async Task<FormReadResult> ReadAsync(HttpContext context, string boundary, FormLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(limits);
        var body = new LimitedBody(context.Request.Body, limits.MaxBodyBytes);
        // The count of headers is checked here, per part; the reader's own limit only bounds memory (the length limit does too).
        var reader = new MultipartReader(boundary, body) { HeadersCountLimit = int.MaxValue, HeadersLengthLimit = limits.MaxPartHeaderBytes };
        var fields = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        var files = new FormFileCollection();
        var parts = 0;
        try
        {
            while (true)
            {
                MultipartSection? section;
                try
                {
                    section = await reader.ReadNextSectionAsync(cancellationToken);
                }
                catch (InvalidDataException) when (!body.ReachedEnd && !body.OverLimit)
                {
                    // The reader throws this type only while it reads a part's headers: too long, or a line it cannot split.
                    return new FormReadResult(null, FormProblem.UnreadableHeaders);
                }
                if (section is null) break;
                if (++parts > limits.MaxParts) return new FormReadResult(null, FormProblem.TooManyParts);
                if (section.Headers is { } headers && headers.Count > limits.MaxPartHeaders) return new FormReadResult(null, FormProblem.TooManyHeaders);
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).ToString() is not { Length: > 0 } name)
                    return new FormReadResult(null, FormProblem.UnnamedPart);

                if (disposition.IsFileDisposition())
                {
                    // Buffered in this process's work folder under the data directory, not the system temp folder: a
                    // process killed mid-upload leaves its file where the next sweep reclaims it.
                    var workFolder = context.RequestServices.GetRequiredService<WorkArea>().Folder;
                    var buffered = new FileBufferingReadStream(section.Body, FileMemoryThreshold, bufferLimit: null, workFolder);
                    context.Response.RegisterForDisposeAsync(buffered);
                    await buffered.DrainAsync(cancellationToken);
                    buffered.Position = 0;
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).ToString();
                    files.Add(new FormFile(buffered, 0, buffered.Length, name, fileName) { Headers = new HeaderDictionary(section.Headers) });
                    continue;
                }

                var (text, length) = await ReadFieldAsync(section.Body, limits.MaxFieldBytes, cancellationToken);
                if (text is null) return new FormReadResult(null, FormProblem.FieldTooLong, name, length);
                fields[name] = StringValues.Concat(fields.GetValueOrDefault(name), text);
            }
        }
        catch (LimitedBody.OverLimitException)
        {
            return new FormReadResult(null, FormProblem.TooLarge);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new FormReadResult(null, FormProblem.TooLarge);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            return new FormReadResult(null, FormProblem.TooSlow);
        }
        catch (BadHttpRequestException)
        {
            // Kestrel could not read the request's body to its end (it stopped short of its Content-Length, or bad chunking).
            return new FormReadResult(null, FormProblem.EndsEarly);
        }
        catch (IOException) when (body.ReachedEnd)
        {
            // The body ended and the reader still wanted a boundary: the form stops before its closing "--boundary--".
            return new FormReadResult(null, FormProblem.EndsEarly);
        }
        return new FormReadResult(new FormCollection(fields, files), null);
    }

    /// <summary>A text field as UTF-8, or null (and its whole length) when it is longer than the limit.</summary>
    private static async Task<(string? Text, long Length)> ReadFieldAsync(Stream section, int maxBytes, CancellationToken cancellationToken)
    {
        using var text = new MemoryStream();
        var chunk = new byte[8192];
        long length = 0;
        int read;
        while ((read = await section.ReadAsync(chunk, cancellationToken)) > 0)
        {
            length += read;
            if (length <= maxBytes) text.Write(chunk, 0, read);
        }
        return length > maxBytes ? (null, length) : (Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), length);
    }

    /// <summary>
    /// The request body, counted: it says when it reached its end (so a reader's complaint after that is a form cut short)
    /// and stops a body over the limit where Kestrel's own limit could not be set.
    /// </summary>
    private sealed class LimitedBody(Stream inner, long limit) : Stream
    {
        private long _read;

        public bool ReachedEnd { get; private set; }
        public bool OverLimit { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read == 0) ReachedEnd = true;
            _read += read;
            if (_read > limit)
            {
                OverLimit = true;
                throw new OverLimitException();
            }
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the body is read asynchronously");
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public sealed class OverLimitException : Exception;
    }
}
