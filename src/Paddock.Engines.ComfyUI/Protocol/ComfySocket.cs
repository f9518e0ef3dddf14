using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Engines.ComfyUI.Protocol;

/// <summary>
/// The <c>/ws?clientId=…</c> socket of one server: its text messages (<c>{"type", "data"}</c>) in order, read by a pump
/// so a caller can wait for the next one with a time limit (cancelling a WebSocket read would abort the socket).
/// Binary frames (previews) are skipped. When the server drops the socket, <see cref="ReadAsync"/> answers null.
/// </summary>
internal sealed class ComfySocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonObject> _messages = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _disposed;

    private ComfySocket(ClientWebSocket socket)
    {
        _socket = socket;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Opens the socket (connect it before queueing the prompt: messages for a client with no socket are lost).</summary>
    public static async Task<ComfySocket> ConnectAsync(Uri baseUri, string clientId, TimeSpan timeout, CancellationToken ct)
    {
        var http = ComfyUIOptions.Normalize(baseUri);
        var builder = new UriBuilder(new Uri(http, "ws")) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Query = "clientId=" + Uri.EscapeDataString(clientId) };
        var socket = new ClientWebSocket();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(builder.Uri, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            socket.Dispose();
            throw new MemberUnreachableException(http, $"refused the WebSocket ({e.Message})", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new ComfySocket(socket);
    }

    /// <summary>The next message, or null once the socket is closed; <see cref="OperationCanceledException"/> when <paramref name="ct"/> ends the wait.</summary>
    public async Task<JsonObject?> ReadAsync(CancellationToken ct)
    {
        if (await _messages.Reader.WaitToReadAsync(ct).ConfigureAwait(false) && _messages.Reader.TryRead(out var message)) return message;
        return null;
    }

    /// <summary>True while the socket delivers (messages may still wait to be read after it closed).</summary>
    public bool IsOpen => !_pump.IsCompleted;

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close) return;
                    message.Write(buffer, 0, received.Count);
                } while (!received.EndOfMessage);
                if (received.MessageType != WebSocketMessageType.Text) continue;
                try
                {
                    if (JsonNode.Parse(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length)) is JsonObject json) _messages.Writer.TryWrite(json);
                }
                catch (JsonException)
                {
                    // Not a message of ComfyUI's protocol: skip it rather than lose the socket.
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_socket.State == WebSocketState.Open)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
        _socket.Dispose();
        _stop.Dispose();
    }
}
