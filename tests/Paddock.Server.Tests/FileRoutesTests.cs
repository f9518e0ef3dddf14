using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>Hosted files: upload, download with Range and ETag, overwrite, namespaces, signed URLs, and private files as references.</summary>
public sealed class FileRoutesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static MultipartFormDataContent Form(string field, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files) form.Add(new ByteArrayContent(bytes), field, name);
        return form;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(HttpClient client, string path, HttpContent content)
    {
        using var response = await client.PutAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact]
    public async Task Upload_download_range_and_overwrite_round_trip()
    {
        var client = fixture.Server.Client;
        var first = TestImages.Png(640, 480, SKColors.Red, SKColors.White);
        var (status, body) = await PutAsync(client, "api/repos/default/photos/file/main/cast/hero.png", Form("file", ("hero.png", first)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("success", body!["status"]!.GetValue<string>());
        Assert.Equal("resource_created", body["status_message"]!.GetValue<string>());
        Assert.NotNull(body["commit"]!["id"]);

        using var download = await client.GetAsync("api/repos/default/photos/file/main/cast/hero.png");
        Assert.Equal("image/png", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal(first, await download.Content.ReadAsByteArrayAsync());
        var etag = download.Headers.ETag!;

        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, "api/repos/default/photos/file/main/cast/hero.png");
        rangeRequest.Headers.Range = new RangeHeaderValue(8, 23);
        using var range = await client.SendAsync(rangeRequest);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(first[8..24], await range.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "api/repos/default/photos/file/main/cast/hero.png");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);

        var second = TestImages.Jpeg(800, 600, SKColors.Blue, SKColors.White);
        var (overwrite, commit) = await PutAsync(client, "api/repos/default/photos/file/main/cast/hero.png", Form("file", ("x.jpg", second)));
        Assert.Equal(HttpStatusCode.OK, overwrite);
        Assert.Equal(body["commit"]!["id"]!.GetValue<string>(), commit!["commit"]!["parent_ids"]![0]!.GetValue<string>());
        using var after = await client.GetAsync("api/repos/default/photos/file/main/cast/hero.png");
        Assert.Equal("image/jpeg", after.Content.Headers.ContentType!.MediaType); // judged by its bytes, not its name
        Assert.Equal(second, await after.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(etag, after.Headers.ETag);
    }

    [Fact]
    public async Task Files_array_uploads_into_a_directory_and_equal_bytes_are_stored_once()
    {
        var bytes = TestImages.Png(500, 500, SKColors.Green, SKColors.Black);
        var (status, body) = await PutAsync(fixture.Server.Client, "api/repos/default/dedupe/file/main/set", Form("files[]", ("a.png", bytes), ("b.png", bytes)));
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = body!["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).ToList();
        Assert.Equal(["set/a.png", "set/b.png"], paths);
        foreach (var path in paths)
            Assert.Equal(bytes, await fixture.Server.Client.GetByteArrayAsync($"api/repos/default/dedupe/file/main/{path}"));
        var hash = body["files"]![0]!["hash"]!.GetValue<string>();
        var stored = Directory.GetFiles(Path.Combine(fixture.Server.DataDirectory, "blobs", "files"), hash, SearchOption.AllDirectories);
        Assert.Single(stored);
    }

    [Fact]
    public async Task Another_namespace_gets_403_on_write_and_404_on_read_and_a_signed_url_reads_without_a_key()
    {
        var (status, body) = await PutAsync(fixture.Server.Client, "api/repos/default/private/file/main/secret.png", Form("file", ("secret.png", TestImages.Png(600, 600, SKColors.Purple, SKColors.White))));
        Assert.Equal(HttpStatusCode.OK, status);
        using var other = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("files-other"));

        var (writeStatus, writeError) = await PutAsync(other, "api/repos/default/private/file/main/secret.png", Form("file", ("x.png", [1, 2, 3])));
        Assert.Equal(HttpStatusCode.Forbidden, writeStatus);
        Assert.Equal("forbidden", writeError!["error"]!["type"]!.GetValue<string>());
        var read = await other.GetAsync("api/repos/default/private/file/main/secret.png");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(fixture.Server.BaseUrl + "/api/repos/default/private/file/main/secret.png")).StatusCode);

        var signed = body!["files"]![0]!["signed_url"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(signed)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(signed.Replace("sig=", "sig=f"))).StatusCode);
    }

    [Fact]
    public async Task A_generation_whose_references_are_this_server_s_private_files_succeeds()
    {
        var client = fixture.Server.Client;
        await PutAsync(client, "api/repos/default/cast/file/main/fox.png", Form("file", ("fox.png", TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.LightYellow))));
        await PutAsync(client, "api/repos/default/cast/file/main/park.jpg", Form("file", ("park.jpg", TestImages.Jpeg(1280, 720, SKColors.ForestGreen, SKColors.SkyBlue))));
        var baseUrl = fixture.Server.BaseUrl;
        var id = (await Api.EnqueueAsync(client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 walks through Image 2",
            reference_images = new[] { $"{baseUrl}/api/repos/default/cast/file/main/fox.png", $"{baseUrl}/api/repos/default/cast/file/main/park.jpg" },
            resolution = "720P",
            duration = 3,
        }))[0];
        var row = await Api.WaitTerminalAsync(client, id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());

        // The same private file as another namespace's reference is "not found", not readable.
        using var other = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("files-thief"));
        var (status, error) = await Api.PostJsonAsync(other, "api/ai/videos/generate",
            $"{{\"model\":\"happyhorse-1.0-r2v\",\"prompt\":\"Image 1\",\"reference_images\":[\"{baseUrl}/api/repos/default/cast/file/main/fox.png\"],\"resolution\":\"720P\",\"duration\":3}}");
        Assert.Equal(400, status);
        Assert.StartsWith("reference_images[0]: no file at default/cast/main/fox.png", error!["error"]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_uploads_get_the_envelope()
    {
        var client = fixture.Server.Client;
        var notMultipart = await client.PutAsync("api/repos/default/r/file/main/a.png", new ByteArrayContent([1, 2, 3]));
        Assert.Equal(HttpStatusCode.BadRequest, notMultipart.StatusCode);
        Assert.Contains("multipart/form-data", await notMultipart.Content.ReadAsStringAsync());

        var (noFile, noFileError) = await PutAsync(client, "api/repos/default/r/file/main/a.png", Form("picture", ("a.png", [1])));
        Assert.Equal(HttpStatusCode.BadRequest, noFile);
        Assert.Contains("field named 'file'", noFileError!["error"]!["detail"]!.GetValue<string>());

        var (climb, climbError) = await PutAsync(client, "api/repos/default/r/file/main/a%5Cb.png", Form("file", ("b.png", [1])));
        Assert.Equal(HttpStatusCode.BadRequest, climb);
        Assert.Contains("path:", climbError!["error"]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Uploads_over_the_limit_get_413_with_the_limit()
    {
        await using var small = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Files:MaxUploadBytes"] = "1048576" });
        var (status, error) = await PutAsync(small.Client, "api/repos/default/big/file/main/big.bin", Form("file", ("big.bin", new byte[2 * 1024 * 1024])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("payload_too_large", error!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("1048576 bytes", error["error"]!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await small.Client.GetAsync("api/health")).StatusCode);
    }
}
