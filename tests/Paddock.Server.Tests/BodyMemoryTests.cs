using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// Request bodies in flight have a memory budget (<c>Paddock:RequestBodies:MemoryBudget</c>, 640 MiB by default): eight
/// clients sending ~120 MB bodies at once (nine 10 MB images as data: URLs each, the largest legitimate body) keep the
/// server's resident memory within it, and every one of them gets an answer — accepted, or 503 with Retry-After.
/// </summary>
public sealed class BodyMemoryTests : IAsyncLifetime
{
    private const long Budget = 640L * 1024 * 1024;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-bodies-" + Guid.NewGuid().ToString("N"));
    private static readonly Lazy<byte[]> NineImages = new(() =>
    {
        var image = new byte[10_000_000];
        new Random(7).NextBytes(image);
        "\x89PNG\r\n\x1a\n"u8.CopyTo(image);
        var url = "\"data:image/png;base64," + Convert.ToBase64String(image) + "\"";
        return Encoding.UTF8.GetBytes("{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"Image 1 walks with Image 9\",\"reference_images\":["
            + string.Join(',', Enumerable.Repeat(url, 9)) + "]}");
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Eight_concurrent_120_MB_bodies_stay_within_the_memory_budget_and_all_get_an_answer()
    {
        // API only: what is measured is reading, validating and storing the bodies, not rendering them.
        await using var server = await ServerProcess.StartAsync(_data, "--Paddock:Workers:Concurrency=0");
        var body = NineImages.Value;
        Assert.InRange(body.Length, 115_000_000, 125_000_000);
        await Task.Delay(1000);
        var idle = Kilobytes(server.Pid, "VmRSS");

        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.ApiKey);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync("api/ai/queue", content);
            return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta, await response.Content.ReadAsStringAsync());
        }));

        var peak = Kilobytes(server.Pid, "VmHWM");
        Assert.True((peak - idle) * 1024 <= Budget, $"resident memory rose {(peak - idle) / 1024} MB over idle ({idle / 1024} MB); the budget is {Budget / (1024 * 1024)} MB");
        foreach (var (status, retryAfter, text) in answers)
        {
            var json = JsonNode.Parse(text)!;
            if (status == 200)
            {
                Assert.Equal("queued", json["generations"]![0]!["status"]!.GetValue<string>());
                continue;
            }
            Assert.True(status == 503, $"answered {status}: {text}");
            Assert.Equal("server_busy", json["error"]!["type"]!.GetValue<string>());
            Assert.True(retryAfter is { TotalSeconds: > 0 });
        }
        Assert.Contains(answers, a => a.Item1 == 200);
    }

    [Fact]
    public async Task A_large_body_that_stalls_holds_its_share_others_are_told_to_retry_and_room_comes_back_when_it_goes()
    {
        await using var server = await ServerProcess.StartAsync(_data, "--Paddock:Workers:Concurrency=0", "--Paddock:RequestBodies:BudgetWait=00:00:01");
        var body = NineImages.Value;

        // A client declares a 120 MB body and sends a little of it: its share of the budget (5 × 120 MB) is held.
        var uri = new Uri(server.BaseUrl);
        using (var stalled = new TcpClient())
        {
            await stalled.ConnectAsync(uri.Host, uri.Port);
            var stream = stalled.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/ai/queue HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {server.ApiKey}\r\n"
                + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
            await stream.WriteAsync(body.AsMemory(0, 1024 * 1024));
            await Task.Delay(500);

            var (status, retryAfter, text) = await PostAsync(server, body);
            Assert.True(status == 503, $"answered {status}: {text}");
            var error = JsonNode.Parse(text)!["error"]!;
            Assert.Equal("server_busy", error["type"]!.GetValue<string>());
            Assert.Contains("Paddock:RequestBodies:MemoryBudget", error["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(retryAfter is { TotalSeconds: > 0 });

            // Small bodies are not held up by it.
            Assert.Single(await Api.EnqueueAsync(server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a small one" }));
        }

        // The stalled client is gone: the same large body is taken.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var (status, _, text) = await PostAsync(server, body);
            if (status == 200) break;
            Assert.True(DateTime.UtcNow < deadline, $"still answered {status}: {text}");
            await Task.Delay(200);
        }
    }

    private static async Task<(int Status, TimeSpan? RetryAfter, string Text)> PostAsync(ServerProcess server, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await server.Client.PostAsync("api/ai/queue", content);
        return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta, await response.Content.ReadAsStringAsync());
    }

    private static long Kilobytes(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
}
