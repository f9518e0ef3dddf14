using System.IO.Pipelines;
using System.Text.Json;
using Paddock.Server.Endpoints;

namespace Paddock.Server.Http;

/// <summary>
/// A 200 JSON answer written straight into the response's pipe with one <see cref="Utf8JsonWriter"/>: no object tree
/// built first and serialized after. Encoded as every other answer is (<see cref="GenerationJson.WriterOptions"/>).
/// </summary>
public sealed class JsonAnswer(Func<JsonAnswer.Output, Task> write) : IResult
{
    /// <summary>Written this far, a long answer is handed to the connection instead of held whole in memory.</summary>
    private const int FlushEveryBytes = 64 * 1024;

    public static JsonAnswer Of(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return new JsonAnswer(output =>
        {
            write(output.Writer);
            return Task.CompletedTask;
        });
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, GenerationJson.WriterOptions);
        await write(new Output(writer, response.BodyWriter, httpContext.RequestAborted));
        writer.Flush();
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>Where an answer is written, and a way to send what is written so far.</summary>
    public sealed class Output(Utf8JsonWriter writer, PipeWriter body, CancellationToken aborted)
    {
        private long _flushedAt;

        public Utf8JsonWriter Writer => writer;

        /// <summary>Sends what is written once it has grown past a limit (call between items of a long list).</summary>
        public async ValueTask FlushWhenLargeAsync()
        {
            if (writer.BytesCommitted + writer.BytesPending - _flushedAt < FlushEveryBytes) return;
            writer.Flush();
            _flushedAt = writer.BytesCommitted;
            await body.FlushAsync(aborted);
        }
    }
}
