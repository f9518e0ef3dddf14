using System.Threading.Channels;

namespace Paddock.Server.Tests.Support;

public sealed record SseEvent(long? Id, string Type, string Data);

/// <summary>A raw reader of /api/events that keeps the exact lines, to check the wire format as clients see it.</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Task _pump;
    private readonly CancellationTokenSource _closing = new();

    private SseReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        // One reader task for the whole stream: cancelling a read on an HTTP response stream
        // tears the connection down, so timeouts wait on this channel instead.
        _pump = Task.Run(async () =>
        {
            using var reader = new StreamReader(body);
            try
            {
                while (await reader.ReadLineAsync(_closing.Token) is { } line) await _lines.Writer.WriteAsync(line);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException) { }
            finally { _lines.Writer.TryComplete(); }
        });
    }

    public List<string> Lines { get; } = [];

    public static async Task<SseReader> OpenAsync(HttpClient client, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
        if (lastEventId is { } id) request.Headers.Add("Last-Event-ID", id.ToString());
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event (comments skipped), or null when the timeout passes first.</summary>
    public async Task<SseEvent?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        long? id = null;
        string? type = null, data = null;
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    Lines.Add(line);
                    if (line.Length == 0)
                    {
                        if (type is not null && data is not null) return new SseEvent(id, type, data);
                        id = null; type = null; data = null;
                        continue;
                    }
                    if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
                    else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
                }
            }
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads events until one matches, returning all read on the way (the match last).</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> stop, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var events = new List<SseEvent>();
        while (DateTime.UtcNow < deadline)
        {
            var e = await NextAsync(deadline - DateTime.UtcNow);
            if (e is null) break;
            events.Add(e);
            if (stop(e)) return events;
        }
        throw new TimeoutException($"no matching event; got {string.Join(", ", events.Select(e => e.Type))}");
    }

    public async ValueTask DisposeAsync()
    {
        // Cancelling the pending read tears the connection down at once; disposing alone waits for the server's next bytes.
        await _closing.CancelAsync();
        _response.Dispose();
        await _pump;
        _closing.Dispose();
    }
}
