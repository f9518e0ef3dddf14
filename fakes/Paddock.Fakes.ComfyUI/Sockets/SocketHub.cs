using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Fakes.ComfyUI.Sockets;

/// <summary>One /ws connection.</summary>
internal sealed class SocketConnection(string sid, WebSocket socket)
{
    private readonly SemaphoreSlim _sending = new(1, 1);

    public string Sid { get; } = sid;
    public WebSocket Socket { get; } = socket;
    public JsonObject FeatureFlags { get; set; } = [];
    public bool DroppedByServer { get; private set; }

    public bool SupportsPreviewMetadata => FeatureFlags["supports_preview_metadata"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>send_socket_catch_exception: a failed send is logged by the real server and otherwise ignored.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        await _sending.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Socket.State == WebSocketState.Open) await Socket.SendAsync(payload, type, true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Drop()
    {
        DroppedByServer = true;
        Socket.Abort();
    }
}

/// <summary>
/// The sockets by sid and the one publisher that sends every message in the order it was made (server.py
/// send_sync puts messages on an asyncio queue that publish_loop drains). A message for a sid with no open
/// socket is lost, as on the real server; a message for no sid goes to every socket.
/// </summary>
internal sealed class SocketHub : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentDictionary<string, SocketConnection> _sockets = new(StringComparer.Ordinal);
    private readonly Channel<Func<Task>> _outgoing = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _publisher;

    public SocketHub() => _publisher = Task.Run(PublishAsync);

    public SocketConnection? Find(string sid) => _sockets.GetValueOrDefault(sid);

    /// <summary>A reconnect with the same clientId replaces the old socket in the table without closing it.</summary>
    public SocketConnection Register(string sid, WebSocket socket)
    {
        var connection = new SocketConnection(sid, socket);
        _sockets[sid] = connection;
        return connection;
    }

    /// <summary>
    /// server.py's handler ends with sockets.pop(sid): it removes whatever socket holds that sid now, even a newer one
    /// that replaced this connection. Imitated on purpose — a client must close its old socket before reconnecting.
    /// </summary>
    public void Unregister(string sid) => _sockets.TryRemove(sid, out _);

    public static byte[] Encode(string type, JsonNode? data) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["data"] = data }.ToJsonString(Json));

    public void Send(string type, JsonNode? data, string? sid)
    {
        var payload = Encode(type, data);
        Enqueue(() => DeliverAsync(payload, WebSocketMessageType.Text, sid));
    }

    public void SendBinary(Func<SocketConnection, byte[]?> make, string? sid) =>
        Enqueue(async () =>
        {
            foreach (var connection in Targets(sid))
            {
                var payload = make(connection);
                if (payload is not null) await connection.SendAsync(payload, WebSocketMessageType.Binary).ConfigureAwait(false);
            }
        });

    /// <summary>
    /// Drops the socket of <paramref name="sid"/> once every message queued before has been sent. A short pause lets
    /// those messages leave the transport first (an abort discards what is still buffered); messages made meanwhile
    /// wait, and then go nowhere.
    /// </summary>
    public void DropAfterQueued(string sid) =>
        Enqueue(async () =>
        {
            await Task.Delay(250).ConfigureAwait(false);
            Find(sid)?.Drop();
        });

    public static Task SendDirectAsync(SocketConnection connection, string type, JsonNode? data) =>
        connection.SendAsync(Encode(type, data), WebSocketMessageType.Text);

    public void DropAll()
    {
        foreach (var connection in _sockets.Values) connection.Drop();
    }

    private void Enqueue(Func<Task> work) => _outgoing.Writer.TryWrite(work);

    private IEnumerable<SocketConnection> Targets(string? sid) =>
        sid is null ? _sockets.Values.ToList() : _sockets.TryGetValue(sid, out var one) ? [one] : [];

    private async Task DeliverAsync(byte[] payload, WebSocketMessageType type, string? sid)
    {
        foreach (var connection in Targets(sid)) await connection.SendAsync(payload, type).ConfigureAwait(false);
    }

    private async Task PublishAsync()
    {
        await foreach (var work in _outgoing.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        DropAll();
        await _publisher.ConfigureAwait(false);
    }
}
