using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Paddock.Client.Internal;

/// <summary>
/// Parses a <c>text/event-stream</c> body as the HTML Living Standard describes: <c>event</c>, <c>data</c> (lines
/// joined with newlines), <c>id</c> (kept across events), <c>retry</c>, comment lines; an event is dispatched at a
/// blank line. Every line read, comments such as <c>: keep-alive</c> included, counts as activity.
/// </summary>
internal sealed class ServerSentEventReader(Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: false);
    private long _lastActivity = Stopwatch.GetTimestamp();

    /// <summary>The id of the last event (the <c>id:</c> field persists until changed).</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The reconnection time the server asked for with <c>retry:</c>.</summary>
    public TimeSpan? Retry { get; private set; }

    /// <summary>How long ago the last line arrived.</summary>
    public TimeSpan SinceLastActivity => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    /// <summary>The next event, or null when the stream ends.</summary>
    public async Task<PaddockEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? type = null;
        StringBuilder? data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null) return null; // an unfinished event at the end of the stream is dropped, as browsers do
            Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());

            if (line.Length == 0)
            {
                if (data is null)
                {
                    type = null;
                    continue;
                }
                var text = data.ToString();
                return new PaddockEvent(LastEventId, string.IsNullOrEmpty(type) ? "message" : type, text);
            }
            if (line[0] == ':') continue;

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "event":
                    type = value;
                    break;
                case "data":
                    if (data is null) data = new StringBuilder(value);
                    else data.Append('\n').Append(value);
                    break;
                case "id":
                    if (!value.Contains('\0', StringComparison.Ordinal)) LastEventId = value.Length == 0 ? null : value;
                    break;
                case "retry":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)) Retry = TimeSpan.FromMilliseconds(ms);
                    break;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
