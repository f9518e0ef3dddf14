using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>
/// On a data directory whose filesystem is full to the last byte, enqueue, sync and upload answer 507 with the error
/// envelope (type <c>storage_full</c>), a <c>Retry-After</c> and a message saying storage is full — never a 500 — and
/// once space frees the same requests succeed without a restart; nothing acknowledged is lost.
/// </summary>
public sealed class DiskFullTests
{
    private static readonly object Clip = new { model = "happyhorse-1.0-r2v", prompt = "a fox runs", resolution = "720P", aspect_ratio = "1:1", duration = 3 };

    [SmallDiskFact]
    public async Task A_full_disk_is_a_507_with_retry_after_and_requests_succeed_again_once_space_frees()
    {
        await using var disk = SmallDisk.Mount(30);
        await using var server = await PaddockHost.StartAsync(dataDirectory: Path.Combine(disk.Path, "data"));
        var image = TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.LightYellow);
        var acknowledged = await Api.EnqueueAsync(server.Client, Clip);

        disk.FillToTheLastByte();
        // SQLite keeps a little room inside its files, so a few enqueues may still commit: go on until the store itself is full.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 5000 && refused is null; i++)
        {
            var response = await server.Client.PostAsync("api/ai/queue", Json(Clip));
            if (response.IsSuccessStatusCode) acknowledged.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["generations"]![0]!["generation_id"]!.GetValue<string>());
            else refused = response;
        }
        await AssertStorageFullAsync(refused, "enqueue");
        // Topped up before each: a failed write may have given a page back. A sync request the store still takes ends
        // with its render finding no room, which answers the same.
        disk.FillToTheLastByte();
        await AssertStorageFullAsync(await server.Client.PostAsync("api/ai/videos/generate", Json(Clip)), "sync");
        disk.FillToTheLastByte();
        await AssertStorageFullAsync(await server.Client.SendAsync(Upload("full.png", image)), "upload");

        disk.Free();
        // The acknowledged rows are all there; cancelling the queued ones (a write) clears the way for the sync request.
        foreach (var id in acknowledged)
        {
            Assert.NotNull(await Api.GetRowAsync(server.Client, id));
            using var cancel = await server.Client.DeleteAsync($"api/ai/queue/{id}");
            Assert.Equal(200, (int)cancel.StatusCode);
        }
        Assert.Single(await Api.EnqueueAsync(server.Client, Clip));
        using (var sync = await server.Client.PostAsync("api/ai/videos/generate", Json(Clip)))
        {
            var body = await sync.Content.ReadAsStringAsync();
            Assert.True(sync.IsSuccessStatusCode, $"sync answered {(int)sync.StatusCode}: {body}");
            Assert.Equal(200, (int)(await new HttpClient().GetAsync(JsonNode.Parse(body)!["videos"]![0]!["url"]!.GetValue<string>())).StatusCode);
        }
        using (var upload = await server.Client.SendAsync(Upload("freed.png", image)))
            Assert.True(upload.IsSuccessStatusCode, $"upload answered {(int)upload.StatusCode}: {await upload.Content.ReadAsStringAsync()}");
    }

    private static async Task AssertStorageFullAsync(HttpResponseMessage? response, string what)
    {
        Assert.True(response is not null, $"{what}: the store never filled up");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(507 == (int)response.StatusCode, $"{what} answered {(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal("storage_full", error["type"]!.GetValue<string>());
        Assert.Contains("storage is full", error["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"{what}: no Retry-After");
        response.Dispose();
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static HttpRequestMessage Upload(string name, byte[] bytes)
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(content, "file", name);
        return new HttpRequestMessage(HttpMethod.Put, $"api/repos/default/assets/file/main/{name}") { Content = form };
    }
}
