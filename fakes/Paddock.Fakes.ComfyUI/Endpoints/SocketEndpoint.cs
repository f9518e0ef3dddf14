using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Sockets;

namespace Paddock.Fakes.ComfyUI.Endpoints;

/// <summary>GET /ws?clientId=… (server.py websocket_handler).</summary>
internal static class SocketEndpoint
{
    public static void MapSocketEndpoint(this IEndpointRouteBuilder app) => app.MapBoth("GET", "/ws", HandleAsync);

    /// <summary>
    /// On connect the server sends status (queue_remaining and the sid); if this clientId's prompt is running it also
    /// re-sends executing with the current node. A first text message {"type":"feature_flags"} is answered with the
    /// server's flags. Everything else the client sends is ignored.
    /// </summary>
    private static async Task<IResult> HandleAsync(HttpContext context, ServerState s)
    {
        if (!context.WebSockets.IsWebSocketRequest)
            return Results.Text("No WebSocket UPGRADE hdr: None\n Can \"Upgrade\" only to \"WebSocket\".", "text/plain; charset=utf-8", statusCode: 400);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var given = context.Request.Query["clientId"].ToString();
        var sid = given.Length > 0 ? given : Guid.NewGuid().ToString("N");
        s.Log.Add((seq, at) => new WebSocketOpened(seq, at, sid, given.Length > 0));
        var connection = s.Hub.Register(sid, socket);
        try
        {
            await SocketHub.SendDirectAsync(connection, "status", new JsonObject { ["status"] = s.QueueInfo(), ["sid"] = sid });
            if (s.Worker.ClientId == sid && s.Worker.LastNodeId is { } node)
                await SocketHub.SendDirectAsync(connection, "executing", new JsonObject { ["node"] = node });

            var buffer = new byte[16 * 1024];
            var first = true;
            while (socket.State == WebSocketState.Open && !s.Stopping.IsCancellationRequested)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, s.Stopping);
                    message.Write(buffer, 0, received.Count);
                } while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }
                if (received.MessageType != WebSocketMessageType.Text) continue;
                try
                {
                    var json = JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray())) as JsonObject;
                    if (first && json?["type"]?.ToString() == "feature_flags")
                    {
                        connection.FeatureFlags = json["data"] as JsonObject is { } flags ? (JsonObject)flags.DeepClone() : [];
                        await SocketHub.SendDirectAsync(connection, "feature_flags", new JsonObject
                        {
                            ["supports_preview_metadata"] = true,
                            ["max_upload_size"] = s.Options.MaxUploadBytes,
                        });
                    }
                }
                catch (JsonException)
                {
                    // "Invalid JSON received from client": logged by the real server, otherwise ignored.
                }
                first = false;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            s.Hub.Unregister(sid);
            s.Log.Add((seq, at) => new WebSocketClosed(seq, at, sid, connection.DroppedByServer));
        }
        return Results.Empty;
    }
}
