using System.Net;
using System.Net.Http.Headers;
using System.Text;
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
        // Named by its field, as every other message, with where this key may write instead.
        Assert.Equal("namespace: this key belongs to namespace 'files-other' and cannot write to 'default'; upload to /api/repos/files-other/...",
            writeError["error"]!["detail"]!.GetValue<string>());
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

        // Sent chunked, with no Content-Length to refuse it up front: the server finds out while reading.
        var chunked = Form("file", ("big.bin", new byte[2 * 1024 * 1024]));
        var (chunkedStatus, chunkedError) = await PutAsync(small.Client, "api/repos/default/big/file/main/big.bin", new UnknownLength(await chunked.ReadAsByteArrayAsync(), chunked.Headers.ContentType!));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedStatus);
        Assert.Contains("1048576 bytes", chunkedError!["error"]!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await small.Client.GetAsync("api/health")).StatusCode);
    }

    [Theory]
    [InlineData("")] // curl -X PUT with the header and no body
    [InlineData("garbage")] // curl --data-binary garbage
    [InlineData("--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG bytes, then the client stops")]
    public async Task A_malformed_or_empty_multipart_body_gets_400_saying_what_to_send(string body)
    {
        var content = new UnknownLength(Encoding.UTF8.GetBytes(body), MediaTypeHeaderValue.Parse("multipart/form-data; boundary=zz"));
        var (status, error) = await PutAsync(fixture.Server.Client, "api/repos/default/broken/file/main/x.png", content);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_params", error!["error"]!["type"]!.GetValue<string>());
        var detail = error["error"]!["detail"]!.GetValue<string>();
        Assert.Equal("body: the multipart form could not be read (it ends before the closing boundary '--zz--'); send multipart/form-data with a 'file' or 'files[]' part", detail);
    }

    [Theory]
    [InlineData("multipart/form-data", "x", "Content-Type: multipart/form-data needs a boundary of 1 to 70 characters")]
    [InlineData("multipart/form-data; boundary=zz", "--zz\r\nContent-Type: image/png\r\n\r\nbytes\r\n--zz--\r\n", "body: a part has no 'Content-Disposition: form-data; name=\"...\"' header")]
    [InlineData("multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nbytes\r\n--zz--\r\n", "body: a part's headers are longer than 16384 bytes (16 KB) or are not 'Name: value' lines")]
    [InlineData("multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nbytes, and no closing boundary", "body: the multipart form could not be read (it ends before the closing boundary '--zz--')")]
    public async Task A_form_that_cannot_be_read_is_told_what_is_wrong_with_it(string contentType, string body, string expected)
    {
        var content = new UnknownLength(Encoding.UTF8.GetBytes(body), MediaTypeHeaderValue.Parse(contentType));
        var (status, error) = await PutAsync(fixture.Server.Client, "api/repos/default/broken/file/main/a.png", content);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var detail = error!["error"]!["detail"]!.GetValue<string>();
        Assert.True(detail.StartsWith(expected, StringComparison.Ordinal), detail);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Server.Client.GetAsync("api/repos/default/broken/file/main/a.png")).StatusCode);
    }

    [Fact]
    public async Task Small_forms_over_a_form_limit_get_400_naming_that_limit_not_413()
    {
        var client = fixture.Server.Client;
        var png = TestImages.Png(64, 64, SKColors.Red, SKColors.White);

        var manyFields = Form("file", ("x.png", png));
        for (var i = 1; i <= 1100; i++) manyFields.Add(new StringContent("x"), $"f{i}");
        var (fieldsStatus, fieldsError) = await PutAsync(client, "api/repos/default/limits/file/main/x.png", manyFields);
        Assert.Equal(HttpStatusCode.BadRequest, fieldsStatus);
        Assert.Contains("more than 1024 parts", fieldsError!["error"]!["detail"]!.GetValue<string>());

        var longHeader = Form("file", ("x.png", png));
        longHeader.First().Headers.Add("X-Padding", new string('a', 17 * 1024));
        var (headerStatus, headerError) = await PutAsync(client, "api/repos/default/limits/file/main/x.png", longHeader);
        Assert.Equal(HttpStatusCode.BadRequest, headerStatus);
        Assert.Contains("headers are longer than 16384 bytes", headerError!["error"]!["detail"]!.GetValue<string>());

        var longMessage = Form("file", ("x.png", png));
        longMessage.Add(new StringContent(new string('m', 70 * 1024)), "message");
        var (messageStatus, messageError) = await PutAsync(client, "api/repos/default/limits/file/main/x.png", longMessage);
        Assert.Equal(HttpStatusCode.BadRequest, messageStatus);
        Assert.Equal("message: is 71680 bytes; a form field takes at most 65536 bytes (64 KB)", messageError!["error"]!["detail"]!.GetValue<string>());

        // None of them wrote anything; a message of exactly 64 KB is taken.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("api/repos/default/limits/file/main/x.png")).StatusCode);
        var atLimit = Form("file", ("x.png", png));
        atLimit.Add(new StringContent(new string('m', 64 * 1024)), "message");
        var (okStatus, ok) = await PutAsync(client, "api/repos/default/limits/file/main/x.png", atLimit);
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Equal(64 * 1024, ok!["commit"]!["message"]!.GetValue<string>().Length);
    }

    [Theory]
    [InlineData("assets/file/main/my%20photo%20%C3%A9.png")]
    [InlineData("my%20assets/file/%C3%A9t%C3%A9/cast/100%25%20real.png")]
    [InlineData("assets/file/main/a%2Fb.png")] // the server keeps %2F encoded: one file named "a%2Fb.png"
    public async Task A_signed_url_reads_paths_repos_and_branches_that_need_percent_encoding(string escaped)
    {
        var bytes = TestImages.Png(100, 80, SKColors.Teal, SKColors.White);
        var route = $"api/repos/default/{escaped}";
        var (status, body) = await PutAsync(fixture.Server.Client, route, Form("file", ("x.png", bytes)));
        Assert.Equal(HttpStatusCode.OK, status);

        var signed = body!["files"]![0]!["signed_url"]!.GetValue<string>();
        using var anonymous = new HttpClient();
        Assert.Equal(bytes, await anonymous.GetByteArrayAsync(signed));
        // A client that writes the escapes in lower case asks for the same file, and the signature still holds.
        var relowered = System.Text.RegularExpressions.Regex.Replace(signed, "%[0-9A-F]{2}", e => e.Value.ToLowerInvariant());
        Assert.Equal(bytes, await anonymous.GetByteArrayAsync(relowered));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(signed.Replace("sig=", "sig=0"))).StatusCode);
    }

    [Fact]
    public async Task Files_array_with_unicode_filenames_gets_working_signed_urls_also_as_another_namespace_s_reference()
    {
        var bytes = TestImages.Png(640, 480, SKColors.Goldenrod, SKColors.Navy);
        var form = new MultipartFormDataContent { HeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        var part = new ByteArrayContent(bytes);
        // Raw UTF-8 in filename=, as curl -F 'files[]=@x.png;filename=héros.png' sends it.
        part.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"files[]\"; filename=\"héros 1.png\"");
        form.Add(part);
        form.Add(new ByteArrayContent(bytes), "files[]", "ünï çødé.png"); // HttpClient's own encoding of the name
        var (status, body) = await PutAsync(fixture.Server.Client, "api/repos/default/unicode/file/main/cast é", form);
        Assert.Equal(HttpStatusCode.OK, status);
        var written = body!["files"]!.AsArray();
        Assert.Equal(["cast é/héros 1.png", "cast é/ünï çødé.png"], written.Select(f => f!["path"]!.GetValue<string>()));

        using var anonymous = new HttpClient();
        foreach (var file in written) Assert.Equal(bytes, await anonymous.GetByteArrayAsync(file!["signed_url"]!.GetValue<string>()));

        // Another namespace may use the signed URL as a reference: the server reads it from storage with the same check.
        using var other = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("files-guest"));
        var (enqueued, answer) = await Api.PostJsonAsync(other, "api/ai/queue", System.Text.Json.JsonSerializer.Serialize(new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 waves",
            reference_images = new[] { written[0]!["signed_url"]!.GetValue<string>() },
            resolution = "720P",
            duration = 3,
        }));
        Assert.True(enqueued == 200, answer?.ToJsonString());
        await other.DeleteAsync($"api/ai/queue/{answer!["generations"]![0]!["generation_id"]!.GetValue<string>()}");
    }

    [Fact]
    public async Task An_upload_that_would_lose_a_file_or_mix_files_and_directories_is_refused()
    {
        var client = fixture.Server.Client;
        var small = TestImages.Png(64, 64, SKColors.Red, SKColors.White);
        var large = TestImages.Png(640, 480, SKColors.Blue, SKColors.White);

        var (two, twoError) = await PutAsync(client, "api/repos/default/tree/file/main/two.png", Form("file", ("small.png", small), ("img640.png", large)));
        Assert.Equal(HttpStatusCode.BadRequest, two);
        Assert.Contains("send one 'file' per request, or send several as 'files[]'", twoError!["error"]!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("api/repos/default/tree/file/main/two.png")).StatusCode);

        var mixed = Form("file", ("small.png", small));
        mixed.Add(new ByteArrayContent(large), "files[]", "img640.png");
        var (mix, mixError) = await PutAsync(client, "api/repos/default/tree/file/main/mix.png", mixed);
        Assert.Equal(HttpStatusCode.BadRequest, mix);
        Assert.Contains("both 'file' and 'files[]' parts", mixError!["error"]!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("api/repos/default/tree/file/main/mix.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("api/repos/default/tree/file/main/mix.png/img640.png")).StatusCode);

        var (same, sameError) = await PutAsync(client, "api/repos/default/tree/file/main/set", Form("files[]", ("a.png", small), ("a.png", large)));
        Assert.Equal(HttpStatusCode.BadRequest, same);
        Assert.Contains("two parts are named 'a.png'", sameError!["error"]!["detail"]!.GetValue<string>());

        // A file below a file: refused, and the file stays as it was.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(client, "api/repos/default/tree/file/main/imgs/a.png", Form("file", ("a.png", small)))).Status);
        var (below, belowError) = await PutAsync(client, "api/repos/default/tree/file/main/imgs/a.png/child.png", Form("file", ("child.png", large)));
        Assert.Equal(HttpStatusCode.Conflict, below);
        Assert.Equal("path_conflict", belowError!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("imgs/a.png is a file", belowError["error"]!["detail"]!.GetValue<string>());
        Assert.Equal(small, await client.GetByteArrayAsync("api/repos/default/tree/file/main/imgs/a.png"));

        // A file where a directory is: files[] named like a subdirectory.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(client, "api/repos/default/tree/file/main/dir/x.png/child.png", Form("file", ("c.png", small)))).Status);
        var (onto, ontoError) = await PutAsync(client, "api/repos/default/tree/file/main/dir", Form("files[]", ("x.png", large)));
        Assert.Equal(HttpStatusCode.Conflict, onto);
        Assert.Contains("dir/x.png: it is a directory (it holds dir/x.png/child.png)", ontoError!["error"]!["detail"]!.GetValue<string>());
        Assert.Equal(small, await client.GetByteArrayAsync("api/repos/default/tree/file/main/dir/x.png/child.png"));
    }

    [Fact]
    public async Task Downloads_say_nosniff_and_a_range_past_the_end_gets_416_with_the_envelope()
    {
        var client = fixture.Server.Client;
        var bytes = TestImages.Png(64, 64, SKColors.Red, SKColors.White);
        await PutAsync(client, "api/repos/default/served/file/main/a.png", Form("file", ("a.png", bytes)));

        using var download = await client.GetAsync("api/repos/default/served/file/main/a.png");
        Assert.Equal(["nosniff"], download.Headers.GetValues("X-Content-Type-Options"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/repos/default/served/file/main/a.png");
        request.Headers.Range = new RangeHeaderValue(bytes.Length + 100, null);
        using var range = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, range.StatusCode);
        Assert.Equal("application/json", range.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"bytes */{bytes.Length}", range.Content.Headers.ContentRange!.ToString());
        var error = JsonNode.Parse(await range.Content.ReadAsStringAsync())!;
        Assert.Equal("range_not_satisfiable", error["error"]!["type"]!.GetValue<string>());
        Assert.Contains($"outside the file's {bytes.Length} bytes", error["error"]!["detail"]!.GetValue<string>());
    }

    /// <summary>A body sent chunked, without Content-Length, as curl sends a PUT with no data or a streamed upload.</summary>
    private sealed class UnknownLength : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLength(byte[] bytes, MediaTypeHeaderValue contentType)
        {
            _bytes = bytes;
            Headers.ContentType = contentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
