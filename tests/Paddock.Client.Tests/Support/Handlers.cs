using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Paddock.Client.Tests.Support;

/// <summary>What a test handler saw of one request.</summary>
public sealed record SeenRequest(HttpMethod Method, Uri Uri, string? IdempotencyKey, string? Range, string? LastEventId, string? Authorization, string? UserAgent, string? IfRange = null)
{
    public static SeenRequest Of(HttpRequestMessage request) => new(
        request.Method,
        request.RequestUri!,
        Header(request.Headers, "Idempotency-Key"),
        request.Headers.Range?.ToString(),
        Header(request.Headers, "Last-Event-ID"),
        request.Headers.Authorization?.ToString(),
        request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
        request.Headers.IfRange?.ToString());

    private static string? Header(HttpRequestHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}

/// <summary>Passes requests to the real network and records them.</summary>
public class RecordingHandler : DelegatingHandler
{
    public RecordingHandler(HttpMessageHandler? inner = null) : base(inner ?? new SocketsHttpHandler()) { }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Seen.Enqueue(SeenRequest.Of(request));
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Loses the answer to the first POST to a path after the server has fully answered it, the way a connection that
/// resets after the server committed looks to a client.
/// </summary>
public sealed class LostResponseHandler(string pathSuffix) : RecordingHandler
{
    private int _dropped;

    public string? DroppedBody { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal)
            && Interlocked.Exchange(ref _dropped, 1) == 0)
        {
            DroppedBody = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new HttpRequestException("The response ended prematurely (simulated connection reset).", new IOException("connection reset by peer"));
        }
        return response;
    }
}

/// <summary>Cuts the body of the first GET to a path after some bytes, so the download breaks mid-way.</summary>
public sealed class BreakingBodyHandler(string pathSuffix, int bytesBeforeBreak) : RecordingHandler
{
    private int _broken;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal) && response.IsSuccessStatusCode
            && Interlocked.Exchange(ref _broken, 1) == 0)
        {
            var stream = new CuttableStream(await response.Content.ReadAsStreamAsync(cancellationToken), bytesBeforeBreak);
            response.Content = Rewrap(response.Content, stream);
        }
        return response;
    }

    internal static HttpContent Rewrap(HttpContent original, Stream body)
    {
        var content = new StreamContent(body);
        foreach (var header in original.Headers) content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return content;
    }
}

/// <summary>
/// Stops the first GET to a path after some bytes the way Ctrl-C stops a download: <see cref="Stop"/> is cancelled and
/// the read fails with it, so what arrived stays on disk for a later call.
/// </summary>
public sealed class StoppingBodyHandler(string pathSuffix, int bytesBeforeStop) : RecordingHandler
{
    private int _stopped;

    /// <summary>Pass its token to the download: it is cancelled when the bytes are through.</summary>
    public CancellationTokenSource Stop { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal) && response.IsSuccessStatusCode
            && Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            var stream = new CuttableStream(await response.Content.ReadAsStreamAsync(cancellationToken), bytesBeforeStop, cut: () =>
            {
                Stop.Cancel();
                return new OperationCanceledException(Stop.Token);
            });
            response.Content = BreakingBodyHandler.Rewrap(response.Content, stream);
        }
        return response;
    }
}

/// <summary>
/// Sits in front of <c>/api/events</c>: records each connection (its Last-Event-ID and the text it delivered), can
/// cut the current connection when what it delivered matches a condition, and can hold reconnects back until released.
/// </summary>
public sealed class EventStreamCutter : RecordingHandler
{
    private readonly List<EventConnection> _connections = [];
    private Func<string, bool>? _cutWhen;
    private TaskCompletionSource _reconnectGate = CompleteSource();

    public IReadOnlyList<EventConnection> Connections
    {
        get { lock (_connections) return _connections.ToList(); }
    }

    /// <summary>Cuts the first connection whose delivered text satisfies <paramref name="condition"/> (checked after each read), once; later connections wait for <see cref="ReleaseReconnects"/>.</summary>
    public void CutOnceWhen(Func<string, bool> condition)
    {
        _cutWhen = condition;
        _reconnectGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void ReleaseReconnects() => _reconnectGate.TrySetResult();

    public TaskCompletionSource Cut { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.RequestUri!.AbsolutePath.EndsWith("/api/events", StringComparison.Ordinal)) return await base.SendAsync(request, cancellationToken);
        if (Cut.Task.IsCompleted) await _reconnectGate.Task.WaitAsync(cancellationToken);

        var response = await base.SendAsync(request, cancellationToken);
        var connection = new EventConnection(SeenRequest.Of(request).LastEventId);
        lock (_connections) _connections.Add(connection);
        if (!response.IsSuccessStatusCode) return response;

        var watch = _cutWhen;
        var stream = new CuttableStream(await response.Content.ReadAsStreamAsync(cancellationToken), cutAfterBytes: null, onRead: (s, text) =>
        {
            connection.Append(text);
            if (watch is not null && !Cut.Task.IsCompleted && watch(connection.Text))
            {
                s.CutNextRead();
                Cut.TrySetResult();
            }
        });
        response.Content = BreakingBodyHandler.Rewrap(response.Content, stream);
        return response;
    }

    private static TaskCompletionSource CompleteSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}

/// <summary>One event-stream connection as the cutter saw it.</summary>
public sealed class EventConnection(string? lastEventId)
{
    private readonly StringBuilder _text = new();

    public string? LastEventId { get; } = lastEventId;

    public string Text
    {
        get { lock (_text) return _text.ToString(); }
    }

    internal void Append(string text)
    {
        lock (_text) _text.Append(text);
    }

    /// <summary>The complete events this connection delivered, as (id, type, data).</summary>
    public List<(long Id, string Type, string Data)> Events()
    {
        var text = Text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = text.Split("\n\n");
        var events = new List<(long, string, string)>();
        foreach (var block in blocks.Take(blocks.Length - 1)) // the last block is unfinished
        {
            long? id = null;
            string? type = null, data = null;
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            }
            if (id is { } i && type is not null && data is not null) events.Add((i, type, data));
        }
        return events;
    }
}

/// <summary>A response body that can be cut: after a number of bytes, or on command at the next read; <paramref name="cut"/> makes the failure (a reset connection by default).</summary>
public sealed class CuttableStream(Stream inner, int? cutAfterBytes, Action<CuttableStream, string>? onRead = null, Func<Exception>? cut = null) : Stream
{
    private long _delivered;
    private volatile bool _cut;

    public void CutNextRead() => _cut = true;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_cut) throw new IOException("connection reset by peer (cut by the test)");
        if (cutAfterBytes is { } limit)
        {
            var left = limit - _delivered;
            if (left <= 0)
            {
                _cut = true;
                throw cut?.Invoke() ?? new IOException("connection reset by peer (cut by the test)");
            }
            if (buffer.Length > left) buffer = buffer[..(int)left];
        }
        var n = await inner.ReadAsync(buffer, cancellationToken);
        _delivered += n;
        if (n > 0) onRead?.Invoke(this, Encoding.UTF8.GetString(buffer.Span[..n]));
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _delivered; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A transport with scripted answers, for retry behaviour without a server.</summary>
public sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public ScriptedHandler Then(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    public ScriptedHandler ThenStatus(HttpStatusCode status, string body = "", Action<HttpResponseMessage>? adjust = null) => Then(_ =>
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        adjust?.Invoke(response);
        return response;
    });

    public ScriptedHandler ThenThrow(Exception exception) => Then(_ => throw exception);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Seen.Enqueue(SeenRequest.Of(request));
        if (!_script.TryDequeue(out var next)) throw new InvalidOperationException($"unscripted request {request.Method} {request.RequestUri}");
        var response = next(request);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
