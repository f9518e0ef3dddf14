using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Fakes.ComfyUI.Tests.Support;

/// <summary>One WebSocket message: JSON {"type","data"} or a binary frame.</summary>
public sealed record WsMessage(string? Type, JsonObject? Data, byte[]? Binary)
{
    public string? PromptId => Data?["prompt_id"]?.GetValue<string>();
    public override string ToString() => Binary is null ? $"{Type} {Data?.ToJsonString()}" : $"binary[{Binary.Length}]";
}

/// <summary>A plain ClientWebSocket on /ws?clientId=…, collecting everything the server sends.</summary>
public sealed class ComfySocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<WsMessage> _incoming = Channel.CreateUnbounded<WsMessage>();
    private Task _reader = Task.CompletedTask;

    public List<WsMessage> Received { get; } = [];

    /// <summary>Completes when the server closed or dropped the connection.</summary>
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<ComfySocket> ConnectAsync(Uri baseUri, string? clientId)
    {
        var socket = new ComfySocket();
        var uri = new UriBuilder(baseUri) { Scheme = "ws", Path = "/ws", Query = clientId is null ? "" : $"clientId={clientId}" }.Uri;
        await socket._socket.ConnectAsync(uri, CancellationToken.None);
        socket._reader = Task.Run(socket.ReadAsync);
        return socket;
    }

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                } while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close) break;
                var item = result.MessageType == WebSocketMessageType.Binary
                    ? new WsMessage(null, null, message.ToArray())
                    : Parse(Encoding.UTF8.GetString(message.ToArray()));
                lock (Received) Received.Add(item);
                await _incoming.Writer.WriteAsync(item);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
        }
        _incoming.Writer.TryComplete();
        Closed.TrySetResult();
    }

    private static WsMessage Parse(string text)
    {
        var json = JsonNode.Parse(text)!.AsObject();
        return new WsMessage(json["type"]?.GetValue<string>(), json["data"] as JsonObject, null);
    }

    /// <summary>Messages from now until (and including) the first one that matches.</summary>
    public async Task<List<WsMessage>> UntilAsync(Func<WsMessage, bool> stop, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        var taken = new List<WsMessage>();
        try
        {
            while (true)
            {
                var message = await _incoming.Reader.ReadAsync(cts.Token);
                taken.Add(message);
                if (stop(message)) return taken;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"The awaited message never came. Received: {string.Join(" | ", taken)}", ex);
        }
    }

    /// <summary>Everything up to the "executing" with node null that ends <paramref name="promptId"/>.</summary>
    public Task<List<WsMessage>> UntilPromptEndsAsync(string promptId, TimeSpan? timeout = null) =>
        UntilAsync(m => m.Type == "executing" && m.PromptId == promptId && m.Data!["node"] is null, timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, new CancellationTokenSource(2000).Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        _socket.Dispose();
        await _reader;
    }
}

/// <summary>The HTTP calls an engine makes, with plain HttpClient.</summary>
public sealed class ComfyHttp(Uri baseUri) : IDisposable
{
    public HttpClient Http { get; } = new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<(int Status, JsonNode? Body)> PostJsonAsync(string path, JsonNode body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 || !(response.Content.Headers.ContentType?.MediaType?.Contains("json") ?? false) ? null : JsonNode.Parse(text));
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>POST /prompt as an engine sends it.</summary>
    public Task<(int Status, JsonNode? Body)> QueueAsync(JsonObject graph, string? clientId, string? promptId = null) =>
        PostJsonAsync("/prompt", new JsonObject
        {
            ["prompt"] = graph.DeepClone(),
            ["client_id"] = clientId,
            ["prompt_id"] = promptId,
        });

    public async Task<JsonObject> UploadAsync(byte[] bytes, string fileName, string? subfolder = null, bool overwrite = false, string? type = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".mp4", StringComparison.Ordinal) ? "video/mp4" : "image/png");
        form.Add(file, "image", fileName);
        if (subfolder is not null) form.Add(new StringContent(subfolder), "subfolder");
        if (type is not null) form.Add(new StringContent(type), "type");
        if (overwrite) form.Add(new StringContent("true"), "overwrite");
        using var response = await Http.PostAsync("/upload/image", form);
        Assert.True(response.IsSuccessStatusCode, $"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Polls /history/{id} until the prompt is there (the engine's fallback when the socket is gone).</summary>
    public async Task<JsonObject> WaitForHistoryAsync(string promptId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var history = await GetJsonAsync($"/history/{promptId}");
            if (history[promptId] is JsonObject entry) return entry;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{promptId} never reached /history");
    }

    public void Dispose() => Http.Dispose();
}
