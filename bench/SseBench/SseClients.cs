using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SseBench;

/// <summary>
/// N event-stream clients on raw sockets, the same for every target: each sends one <c>GET</c> and then only reads,
/// counting the frames of <see cref="EventName"/> in the bytes it receives (chunk framing and comment frames pass by
/// untouched: each event is one write on the server, so its name line lies inside one chunk) and stamping when each
/// arrived. Raw sockets rather than HttpClient keep the client's own cost per stream small on a machine it shares with
/// the server. Connections end with a reset (linger 0), so thousands of them leave no TIME_WAIT ports behind for the
/// next target.
/// </summary>
public sealed class SseClients : IAsyncDisposable
{
    /// <summary>The event every target sends: Paddock's cancel, and the raw broadcaster's copy of it.</summary>
    public const string EventName = "media_generation_cancelled";

    private static readonly byte[] Marker = Encoding.ASCII.GetBytes($"event: {EventName}\n");
    private static readonly byte[] Connected = Encoding.ASCII.GetBytes(": connected\n");

    private readonly Stream[] _streams;
    private readonly Socket[] _sockets;
    private readonly long[][] _arrivals;
    private readonly int[] _counts;
    private readonly Task[] _readers;
    private readonly CancellationTokenSource _stop = new();
    private string? _firstError;

    private SseClients(int streams, int events)
    {
        _streams = new Stream[streams];
        _sockets = new Socket[streams];
        _counts = new int[streams];
        _readers = new Task[streams];
        _arrivals = new long[events][];
        for (var i = 0; i < events; i++) _arrivals[i] = new long[streams];
    }

    public int Count => _streams.Length;

    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>Opens <paramref name="streams"/> streams, <paramref name="parallel"/> connects at a time, and returns once each has read its <c>: connected</c> comment.</summary>
    /// <param name="events">How many events to stamp (more are counted, not stamped).</param>
    public static async Task<SseClients> OpenAsync(Uri baseAddress, string path, string? apiKey, int streams, int events, int parallel = 64)
    {
        var clients = new SseClients(streams, events);
        var request = Encoding.ASCII.GetBytes(
            $"GET /{path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nAccept: text/event-stream\r\n" +
            (apiKey is null ? "" : $"Authorization: Bearer {apiKey}\r\n") + "\r\n");
        var endpoint = new IPEndPoint(IPAddress.Parse(baseAddress.Host), baseAddress.Port);
        using var gate = new SemaphoreSlim(parallel);
        var opening = new Task[streams];
        for (var i = 0; i < streams; i++)
        {
            await gate.WaitAsync();
            var index = i;
            opening[i] = Task.Run(async () =>
            {
                try
                {
                    await clients.OpenOneAsync(index, endpoint, request);
                }
                finally
                {
                    gate.Release();
                }
            });
        }
        try
        {
            await Task.WhenAll(opening);
        }
        catch
        {
            await clients.DisposeAsync();
            throw;
        }
        return clients;
    }

    private async Task OpenOneAsync(int index, IPEndPoint endpoint, byte[] request)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.LingerState = new LingerOption(true, 0);
        _sockets[index] = socket;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(endpoint, timeout.Token);
        var stream = new NetworkStream(socket, ownsSocket: false);
        _streams[index] = stream;
        await stream.WriteAsync(request, timeout.Token);

        // The answer's head and the first comment; anything after them is handed to the reader.
        var buffer = new byte[4096];
        var filled = 0;
        int end;
        while ((end = IndexOf(buffer.AsSpan(0, filled), Connected)) < 0)
        {
            if (filled == buffer.Length) throw new InvalidOperationException($"stream {index}: no ': connected' in the first {filled} bytes: {Encoding.ASCII.GetString(buffer, 0, Math.Min(filled, 300))}");
            var n = await stream.ReadAsync(buffer.AsMemory(filled), timeout.Token);
            if (n == 0) throw new InvalidOperationException($"stream {index}: closed before ': connected': {Encoding.ASCII.GetString(buffer, 0, Math.Min(filled, 300))}");
            filled += n;
        }
        if (!Encoding.ASCII.GetString(buffer, 0, Math.Min(filled, 16)).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            throw new InvalidOperationException($"stream {index}: {Encoding.ASCII.GetString(buffer, 0, Math.Min(filled, 300))}");
        var rest = buffer.AsSpan(end + Connected.Length, filled - end - Connected.Length).ToArray();
        _readers[index] = Task.Run(() => ReadAsync(index, stream, rest));
    }

    private async Task ReadAsync(int index, Stream stream, byte[] already)
    {
        // A marker split over two reads is found by keeping the last Marker.Length - 1 bytes in front of the next read.
        var buffer = new byte[4096];
        var carry = 0;
        var pending = already;
        try
        {
            while (true)
            {
                int n;
                if (pending.Length > 0)
                {
                    pending.CopyTo(buffer, carry);
                    n = pending.Length;
                    pending = [];
                }
                else
                {
                    n = await stream.ReadAsync(buffer.AsMemory(carry), _stop.Token);
                    if (n == 0) break;
                }
                var now = Stopwatch.GetTimestamp();
                var span = buffer.AsSpan(0, carry + n);
                var from = 0;
                int at;
                while ((at = IndexOf(span[from..], Marker)) >= 0)
                {
                    var k = _counts[index];
                    if (k < _arrivals.Length) _arrivals[k][index] = now;
                    Volatile.Write(ref _counts[index], k + 1);
                    from += at + Marker.Length;
                }
                var keep = Math.Min(Marker.Length - 1, span.Length - from);
                span[^keep..].CopyTo(buffer);
                carry = keep;
            }
            if (!_stop.IsCancellationRequested) Interlocked.CompareExchange(ref _firstError, $"stream {index} was closed by the server", null);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested) Interlocked.CompareExchange(ref _firstError, $"stream {index}: {e.Message}", null);
        }
    }

    /// <summary>Waits until every stream has counted <paramref name="events"/> events; false at the deadline.</summary>
    public async Task<bool> WaitForAllAsync(int events, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Behind(events) == 0) return true;
            if (clock.Elapsed > deadline || FirstError is not null) return false;
            await Task.Delay(1);
        }
    }

    /// <summary>How many streams have fewer than <paramref name="events"/> events.</summary>
    public int Behind(int events)
    {
        var behind = 0;
        for (var i = 0; i < _counts.Length; i++)
            if (Volatile.Read(ref _counts[i]) < events) behind++;
        return behind;
    }

    /// <summary>Streams that counted more events than were sent (a duplicate).</summary>
    public int Ahead(int events) => _counts.Count(c => c > events);

    /// <summary>Each stream's delay from <paramref name="sentAt"/> to its arrival of event <paramref name="k"/> (0-based), in ms.</summary>
    public IEnumerable<double> LatenciesMs(int k, long sentAt) =>
        _arrivals[k].Select(t => (t - sentAt) * 1000.0 / Stopwatch.Frequency);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets)
        {
            try
            {
                socket?.Close();
            }
            catch (SocketException)
            {
                // Already reset.
            }
        }
        await Task.WhenAll(_readers.Where(r => r is not null)).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);
}
