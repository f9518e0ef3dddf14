using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Queue;
using Paddock.Core.Retention;
using Paddock.Server.Http;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// Retention as a user of a shared server sees it: outputs and files expire after the namespace's time (410 with what
/// happened and how to keep the next one), a pinned one stays, the sweep frees the disk, and deleting through the API
/// touches only the caller's namespace. Time moves by a clock the server reads (no sleeping until something expires).
/// </summary>
public sealed class RetentionTests
{
    /// <summary>The real clock plus an offset a test moves forward; timers stay real, so workers and streams run as usual.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    private const string TwoVideos = """{"model":"happyhorse-1.0-t2v","prompt":"a ball rolls","resolution":"720P","aspect_ratio":"1:1","duration":3,"num_generations":2}""";

    private static async Task<PaddockHost> StartAsync(ShiftedClock clock, Dictionary<string, string> settings)
    {
        // The sweep at start finds nothing; the test runs the next ones itself.
        settings["Paddock:Retention:SweepInterval"] = "1.00:00:00";
        return await PaddockHost.StartAsync(settings, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
    }

    private static IEnumerable<string> FilesNamed(string dataDirectory, Func<string, bool> name) =>
        Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories).Where(f => name(Path.GetFileName(f)));

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, path));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : null);
    }

    /// <summary>Content of its own (files are stored once per content).</summary>
    private static byte[] Bytes() => System.Text.Encoding.UTF8.GetBytes("reference notes " + Guid.NewGuid());

    private static async Task<JsonNode> UploadAsync(HttpClient client, string ns, string path, byte[] bytes)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", Path.GetFileName(path) } };
        using var response = await client.PutAsync($"api/repos/{ns}/refs/file/main/{path}", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["files"]![0]!;
    }

    [Fact]
    public async Task An_expired_output_answers_410_a_pinned_one_stays_and_the_sweep_frees_the_disk()
    {
        var clock = new ShiftedClock();
        await using var server = await StartAsync(clock, new() { ["Paddock:Retention:Namespace:Outputs"] = "01:00:00" });
        using var client = server.CreateClient(server.ApiKey);
        // The synchronous answer says when its video expires too.
        const string OneSync = """{"model":"happyhorse-1.0-t2v","prompt":"a kite","resolution":"720P","aspect_ratio":"1:1","duration":3}""";
        HttpRequestMessage Sync() => new(HttpMethod.Post, "api/ai/videos/generate")
        {
            Content = new StringContent(OneSync, System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", "retention-sync" } },
        };
        using (var syncAnswer = await client.SendAsync(Sync()))
        {
            var sync = JsonNode.Parse(await syncAnswer.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, syncAnswer.StatusCode);
            Assert.Equal(sync["created"]!.GetValue<long>() + 3600, sync["expires_at"]!.GetValue<long>());
        }
        var ids = await Api.EnqueueAsync(client, JsonNode.Parse(TwoVideos)!);
        var kept = ids[1];
        var gone = ids[0];
        foreach (var id in ids) Assert.Equal("succeeded", (await Api.WaitTerminalAsync(client, id))["status"]!.GetValue<string>());

        var row = await Api.GetRowAsync(client, gone);
        var completed = row["completed_at"]!.GetValue<long>();
        Assert.Equal(completed + 3600, row["expires_at"]!.GetValue<long>());
        Assert.False(row["pinned"]!.GetValue<bool>());
        Assert.Null(row["expired_at"]);

        var (pinStatus, pinned) = await SendAsync(client, HttpMethod.Post, $"api/ai/queue/{kept}/pin");
        Assert.Equal(HttpStatusCode.OK, pinStatus);
        Assert.True(pinned!["pinned"]!.GetValue<bool>());
        Assert.Null(pinned["expires_at"]);

        var goneFiles = FilesNamed(server.DataDirectory, n => n.StartsWith(Guid.Parse(gone).ToString("N"), StringComparison.Ordinal)).ToList();
        var keptFiles = FilesNamed(server.DataDirectory, n => n.StartsWith(Guid.Parse(kept).ToString("N"), StringComparison.Ordinal)).ToList();
        Assert.Single(goneFiles);
        Assert.Single(keptFiles);

        // Two hours on: past the retention of an hour (within the day an Idempotency-Key is kept), before any sweep.
        clock.Offset = TimeSpan.FromHours(2);
        var urls = server.Services.GetRequiredService<SignedUrls>();
        var signedGone = urls.Sign(server.BaseUrl, SignedUrls.OutputPath("default", Guid.Parse(gone))).Url;
        using (var plain = new HttpClient())
        {
            using var answer = await plain.GetAsync(signedGone);
            Assert.Equal(HttpStatusCode.Gone, answer.StatusCode);
            var envelope = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            Assert.Equal("expired", envelope["error"]!["type"]!.GetValue<string>());
            Assert.Contains("pin", envelope["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("Paddock:Retention", envelope["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var expiredRow = await Api.GetRowAsync(client, gone);
        Assert.Equal("succeeded", expiredRow["status"]!.GetValue<string>());
        Assert.Null(expiredRow["result_url"]);
        Assert.Equal(completed + 3600, expiredRow["expired_at"]!.GetValue<long>());
        Assert.StartsWith("expired", expiredRow["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        // The OpenAI face: the same 410, in its own error shape, and expires_at in Unix seconds.
        var (contentStatus, contentError) = await SendAsync(client, HttpMethod.Get, $"v1/videos/{gone}/content");
        Assert.Equal(HttpStatusCode.Gone, contentStatus);
        Assert.Equal("expired", contentError!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(completed + 3600, (await client.GetFromJsonAsync<JsonNode>($"v1/videos/{gone}"))!["expires_at"]!.GetValue<long>());
        Assert.Null((await client.GetFromJsonAsync<JsonNode>($"v1/videos/{kept}"))!["expires_at"]);
        // The same synchronous request again (a retry under its Idempotency-Key) finds its video gone, and says so.
        using (var replay = await client.SendAsync(Sync()))
        {
            Assert.Equal(HttpStatusCode.Gone, replay.StatusCode);
            Assert.Equal("expired", JsonNode.Parse(await replay.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        }
        // An expired output cannot be pinned back.
        Assert.Equal(HttpStatusCode.Gone, (await SendAsync(client, HttpMethod.Post, $"api/ai/queue/{gone}/pin")).Status);

        // The pinned one still plays.
        var keptRow = await Api.GetRowAsync(client, kept);
        Assert.True(keptRow["pinned"]!.GetValue<bool>());
        Assert.Null(keptRow["expires_at"]);
        Assert.True((await Api.DownloadAsync(keptRow["result_url"]!.GetValue<string>())).Length > 1000);

        // The sweep deletes the expired output's file from the disk and marks the row; the pinned one's stays.
        var swept = await server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal(2, swept.Outputs); // the queued one and the synchronous one
        Assert.False(File.Exists(goneFiles[0]), "the expired output is still on disk");
        Assert.True(File.Exists(keptFiles[0]), "the pinned output was deleted");
        Assert.Null((await server.Services.GetRequiredService<IGenerationStore>().GetAsync("default", Guid.Parse(gone)))!.OutputKey);
        Assert.Equal(HttpStatusCode.Gone, (await SendAsync(new HttpClient(), HttpMethod.Get, urls.Sign(server.BaseUrl, SignedUrls.OutputPath("default", Guid.Parse(gone))).Url)).Status);
        Assert.Equal(0, (await server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None)).Outputs);

        // Unpinned, the kept one expires at once (its hour has passed).
        var (_, unpinned) = await SendAsync(client, HttpMethod.Delete, $"api/ai/queue/{kept}/pin");
        Assert.False(unpinned!["pinned"]!.GetValue<bool>());
        Assert.Null(unpinned["result_url"]);
    }

    [Fact]
    public async Task Expired_files_answer_410_and_their_bytes_go_unless_another_live_file_holds_them()
    {
        var clock = new ShiftedClock();
        // team-a keeps files a day; everyone else forever.
        await using var server = await StartAsync(clock, new() { ["Paddock:Retention:Namespaces:team-a:Files"] = "1.00:00:00" });
        using var a = server.CreateClient(await server.CreateKeyAsync("team-a"));
        using var b = server.CreateClient(await server.CreateKeyAsync("team-b"));
        var shared = Bytes();
        var own = Bytes();
        var pinnedBytes = Bytes();
        var sharedA = await UploadAsync(a, "team-a", "shared.png", shared);
        await UploadAsync(b, "team-b", "shared.png", shared);
        var ownA = await UploadAsync(a, "team-a", "own.png", own);
        var pinnedA = await UploadAsync(a, "team-a", "keep.png", pinnedBytes);
        Assert.NotNull(sharedA["expires_at"]);
        Assert.False(sharedA["pinned"]!.GetValue<bool>());
        var (pinStatus, pinned) = await SendAsync(a, HttpMethod.Post, "api/repos/team-a/refs/pin/main/keep.png");
        Assert.Equal(HttpStatusCode.OK, pinStatus);
        Assert.True(pinned!["pinned"]!.GetValue<bool>());
        Assert.Null(pinned["expires_at"]);
        // Another namespace cannot pin team-a's file: 404, as if absent.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, HttpMethod.Post, "api/repos/team-a/refs/pin/main/own.png")).Status);

        clock.Offset = TimeSpan.FromDays(2);
        var (status, envelope) = await SendAsync(a, HttpMethod.Get, "api/repos/team-a/refs/file/main/own.png");
        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Equal("expired", envelope!["error"]!["type"]!.GetValue<string>());

        var swept = await server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal(2, swept.Files);
        Assert.Equal(1, swept.FileBlobs);
        Assert.Empty(FilesNamed(server.DataDirectory, n => n == ownA["hash"]!.GetValue<string>()));
        // The same bytes are team-b's file too, which is kept: they stay on disk and download.
        Assert.Single(FilesNamed(server.DataDirectory, n => n == sharedA["hash"]!.GetValue<string>()));
        Assert.Equal(shared, await b.GetByteArrayAsync("api/repos/team-b/refs/file/main/shared.png"));
        Assert.Equal(HttpStatusCode.Gone, (await SendAsync(a, HttpMethod.Get, "api/repos/team-a/refs/file/main/shared.png")).Status);
        Assert.Equal(pinnedBytes, await a.GetByteArrayAsync("api/repos/team-a/refs/file/main/keep.png"));

        // Uploaded again, an expired path lives again (with a new day).
        var again = await UploadAsync(a, "team-a", "own.png", own);
        Assert.Equal(own, await a.GetByteArrayAsync("api/repos/team-a/refs/file/main/own.png"));
        Assert.NotNull(again["expires_at"]);
    }

    [Fact]
    public async Task Deleting_a_generation_or_a_file_of_another_namespace_is_a_404_and_changes_nothing()
    {
        var clock = new ShiftedClock();
        await using var server = await StartAsync(clock, []);
        using var a = server.CreateClient(await server.CreateKeyAsync("team-a"));
        using var b = server.CreateClient(await server.CreateKeyAsync("team-b"));
        var id = (await Api.EnqueueAsync(a, JsonNode.Parse(TwoVideos.Replace("\"num_generations\":2", "\"num_generations\":1", StringComparison.Ordinal))!)).Single();
        var row = await Api.WaitTerminalAsync(a, id);
        Assert.Null(row["expires_at"]); // no retention set: kept forever
        var bytes = Bytes();
        var file = await UploadAsync(a, "team-a", "cast.png", bytes);
        Assert.Null(file["expires_at"]);
        var output = FilesNamed(server.DataDirectory, n => n.StartsWith(Guid.Parse(id).ToString("N"), StringComparison.Ordinal)).Single();

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, HttpMethod.Delete, $"api/ai/generations/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, HttpMethod.Delete, "api/repos/team-a/refs/file/main/cast.png")).Status);
        Assert.Equal("succeeded", (await Api.GetRowAsync(a, id))["status"]!.GetValue<string>());
        Assert.True(File.Exists(output));
        Assert.Equal(bytes, await a.GetByteArrayAsync("api/repos/team-a/refs/file/main/cast.png"));

        // Queued or running rows are refused: cancel first.
        var active = (await Api.EnqueueAsync(a, JsonNode.Parse(TwoVideos.Replace("\"num_generations\":2", "\"num_generations\":1", StringComparison.Ordinal))!)).Single();
        var (activeStatus, activeBody) = await SendAsync(a, HttpMethod.Delete, $"api/ai/generations/{active}");
        if (activeStatus == HttpStatusCode.Conflict)
            Assert.Contains("cancel it first", activeBody!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        else
            Assert.Equal(HttpStatusCode.OK, activeStatus); // it had already finished on a fast machine

        var (deleted, body) = await SendAsync(a, HttpMethod.Delete, $"api/ai/generations/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal("deleted", body!["status_message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(a, HttpMethod.Get, $"api/ai/queue/{id}")).Status);
        Assert.False(File.Exists(output), "the deleted generation's video is still on disk");
        // DELETE /api/ai/queue/{id} still means cancel (the original contract), untouched.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(a, HttpMethod.Delete, $"api/ai/queue/{id}")).Status);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(a, HttpMethod.Delete, "api/repos/team-a/refs/file/main/cast.png")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(a, HttpMethod.Get, "api/repos/team-a/refs/file/main/cast.png")).Status);
        Assert.Empty(FilesNamed(server.DataDirectory, n => n == file["hash"]!.GetValue<string>()));
        await Api.WaitTerminalAsync(a, active);
    }

    [Fact]
    public async Task Bad_retention_settings_stop_the_start_naming_each_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Retention:Namespace:Outputs"] = "-1.00:00:00",
            ["Paddock:Retention:Namespaces:acme:Files"] = "30",
            ["Paddock:Retention:SweepInterval"] = "00:00:00",
            ["Paddock:Retention:Namespace:Output"] = "1.00:00:00",
        }));
        var message = error.Message;
        Assert.Contains("Paddock:Retention:Namespace:Outputs is -1.00:00:00; it must be a time span from 00:00:00 (keep forever)", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:Retention:Namespaces:acme:Files is '30'; a time span says its unit", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:Retention:SweepInterval", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:Retention:Namespace:Output is not a setting; did you mean Paddock:Retention:Namespace:Outputs?", message, StringComparison.Ordinal);
    }
}
