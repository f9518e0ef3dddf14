using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Engines.Upstream.Tests.Support;

/// <summary>One server-sent event as it came over the wire.</summary>
public sealed record WireEvent(long? Id, string Type, JsonNode Data, string Raw);

/// <summary>The public API of a Paddock, spoken with plain HTTP as any client would.</summary>
public static class Wire
{
    public static async Task<(int Status, JsonNode? Body)> PostJsonAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    public static async Task<string> EnqueueAsync(HttpClient client, object body)
    {
        var (status, json) = await PostJsonAsync(client, "api/ai/queue", body);
        Assert.True(status == 200, $"enqueue answered {status}: {json}");
        return json!["generations"]![0]!["generation_id"]!.GetValue<string>();
    }

    public static async Task<JsonNode> GetRowAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonNode>($"api/ai/queue/{id}"))!;

    public static string Status(JsonNode row) => row["status"]!.GetValue<string>();

    /// <summary>Reads the row until <paramref name="done"/> holds (or the timeout passes: then the last row is in the message).</summary>
    public static async Task<JsonNode> WaitForAsync(HttpClient client, string id, Func<JsonNode, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var row = await GetRowAsync(client, id);
            if (done(row)) return row;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"generation {id} never {what}; last row: {row.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public static Task<JsonNode> WaitTerminalAsync(HttpClient client, string id, TimeSpan? timeout = null) =>
        WaitForAsync(client, id, r => Status(r) is "succeeded" or "failed" or "cancelled", timeout ?? TimeSpan.FromMinutes(2), "ended");

    /// <summary>Every row of the key's namespace, every status (<c>GET /api/ai/generations</c>).</summary>
    public static async Task<List<JsonNode>> AllRowsAsync(HttpClient client)
    {
        var page = (await client.GetFromJsonAsync<JsonNode>("api/ai/generations?page=1&page_size=1000"))!;
        return page["generations"]!.AsArray().Select(g => g!).ToList();
    }

    /// <summary>The namespace's event log replayed from its start (<c>Last-Event-ID: 0</c>) up to the end of one generation.</summary>
    public static async Task<(List<WireEvent> Events, string Raw)> ReplayUntilEndOfAsync(HttpClient client, string generationId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
        request.Headers.Add("Last-Event-ID", "0");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<WireEvent>();
        var raw = new StringBuilder();
        long? id = null;
        string? type = null, data = null;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            raw.AppendLine(line);
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.Length == 0)
            {
                if (type is not null && data is not null)
                {
                    var parsed = JsonNode.Parse(data)!;
                    events.Add(new WireEvent(id, type, parsed, data));
                    if (type is "media_generation_completed" or "media_generation_cancelled" && parsed["generation_id"]?.GetValue<string>() == generationId)
                        return (events, raw.ToString());
                }
                (id, type, data) = (null, null, null);
            }
        }
        throw new InvalidOperationException($"the event stream ended before generation {generationId} did");
    }

    public static async Task<byte[]> DownloadAsync(string url)
    {
        using var plain = new HttpClient();
        return await plain.GetByteArrayAsync(url);
    }

    /// <summary>Uploads a file to the key's namespace (<c>PUT /api/repos/{ns}/{repo}/file/main/{path}</c>) and returns its route URL.</summary>
    public static async Task<string> UploadAsync(HttpClient client, string baseUrl, string repo, string path, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        form.Add(file, "file", Path.GetFileName(path));
        using var response = await client.PutAsync($"api/repos/default/{repo}/file/main/{path}", form);
        Assert.True(response.IsSuccessStatusCode, $"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return $"{baseUrl}/api/repos/default/{repo}/file/main/{path}";
    }
}
