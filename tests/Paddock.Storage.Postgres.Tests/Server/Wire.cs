using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Storage.Postgres.Tests.Server;

public sealed record WireEvent(long Id, string Type, string Data, DateTime ReceivedAt);

/// <summary>The wire API as a client uses it: enqueue, read a row, follow /api/events.</summary>
internal static class Wire
{
    public static async Task<string> EnqueueAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsync("api/ai/queue", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"enqueue answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["generations"]![0]!["generation_id"]!.GetValue<string>();
    }

    public static async Task<JsonNode> RowAsync(HttpClient client, string id) => (await client.GetFromJsonAsync<JsonNode>($"api/ai/queue/{id}"))!;

    public static async Task<JsonNode> WaitTerminalAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var row = await RowAsync(client, id);
            if (row["status"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled") return row;
            Assert.True(DateTime.UtcNow < deadline, $"generation {id} is still {row["status"]}");
            await Task.Delay(100);
        }
    }
}

/// <summary>One open <c>GET /api/events</c> stream, read line by line by one task; events arrive on a channel.</summary>
internal sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Channel<WireEvent> _events = Channel.CreateUnbounded<WireEvent>();
    private readonly Task _pump;

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _pump = Task.Run(async () =>
        {
            using var reader = new StreamReader(body);
            long id = 0;
            string? type = null, data = null;
            try
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
                    else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
                    else if (line.Length == 0 && type is not null && data is not null)
                    {
                        await _events.Writer.WriteAsync(new WireEvent(id, type, data, DateTime.UtcNow));
                        type = data = null;
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException) { }
            finally { _events.Writer.TryComplete(); }
        });
    }

    public static async Task<EventStream> OpenAsync(HttpClient client, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The first event (after those already taken) that matches; fails when the stream ends or a long wait passes first.</summary>
    public async Task<WireEvent> NextAsync(Func<WireEvent, bool> match, List<WireEvent>? seen = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await _events.Reader.WaitToReadAsync(cts.Token))
        {
            while (_events.Reader.TryRead(out var e))
            {
                seen?.Add(e);
                if (match(e)) return e;
            }
        }
        throw new InvalidOperationException("the event stream ended");
    }

    /// <summary>Every event received so far, without waiting.</summary>
    public List<WireEvent> Drain()
    {
        var list = new List<WireEvent>();
        while (_events.Reader.TryRead(out var e)) list.Add(e);
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        _response.Dispose();
        try { await _pump; }
        catch (Exception) { }
    }
}
