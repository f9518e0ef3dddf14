using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Server.Tests.Support;

/// <summary>Small helpers over the wire API, used by tests that are not about the request itself.</summary>
public static class Api
{
    public static async Task<(int Status, JsonNode? Body)> PostJsonAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    public static async Task<List<string>> EnqueueAsync(HttpClient client, object body)
    {
        var (status, json) = await PostJsonAsync(client, "api/ai/queue", JsonSerializer.Serialize(body));
        Assert.True(status == 200, $"enqueue answered {status}: {json}");
        return json!["generations"]!.AsArray().Select(g => g!["generation_id"]!.GetValue<string>()).ToList();
    }

    public static async Task<JsonNode> GetRowAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonNode>($"api/ai/queue/{id}"))!;

    /// <summary>Polls like the seed's loop until the row is terminal.</summary>
    public static async Task<JsonNode> WaitTerminalAsync(HttpClient client, string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var row = await GetRowAsync(client, id);
            if (row["status"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled") return row;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"generation {id} is still {row["status"]}");
            await Task.Delay(200);
        }
    }

    public static async Task<byte[]> DownloadAsync(string url)
    {
        using var plain = new HttpClient();
        return await plain.GetByteArrayAsync(url);
    }
}
