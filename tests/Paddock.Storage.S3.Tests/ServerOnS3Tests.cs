using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Blobs;
using Paddock.Testing;

namespace Paddock.Storage.S3.Tests;

/// <summary>The real server with <c>Paddock:Blobs:Provider=s3</c> on s3rver: outputs and uploads live in the bucket.</summary>
public sealed class ServerOnS3Tests : IAsyncLifetime
{
    // The credentials come from variables the settings name; these names are the test's own.
    private const string KeyVariable = "PADDOCK_TEST_S3_ACCESS_KEY";
    private const string SecretVariable = "PADDOCK_TEST_S3_SECRET";
    private readonly List<PaddockHost> _hosts = [];

    public Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, S3Server.AccessKey);
        Environment.SetEnvironmentVariable(SecretVariable, S3Server.SecretKey);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    private static async Task<Dictionary<string, string>> S3SettingsAsync(string bucket, string outputUrls = "stream") => new()
    {
        ["Paddock:Blobs:Provider"] = "s3",
        ["Paddock:Blobs:S3:ServiceUrl"] = (await S3Server.SharedAsync()).Endpoint,
        ["Paddock:Blobs:S3:Bucket"] = bucket,
        ["Paddock:Blobs:S3:CreateBucket"] = "true",
        ["Paddock:Blobs:S3:AccessKeyIdVariable"] = KeyVariable,
        ["Paddock:Blobs:S3:SecretAccessKeyVariable"] = SecretVariable,
        ["Paddock:Blobs:S3:OutputUrls"] = outputUrls,
    };

    private async Task<PaddockHost> StartAsync(Dictionary<string, string> settings)
    {
        var host = await PaddockHost.StartAsync(settings);
        _hosts.Add(host);
        return host;
    }

    private static async Task<(Guid Id, string Url)> GenerateAsync(HttpClient client, string? reference = null)
    {
        var body = new JsonObject
        {
            ["model"] = reference is null ? "happyhorse-1.0-t2v" : "happyhorse-1.0-r2v",
            ["prompt"] = reference is null ? "a red ball bounces" : "Image 1 walks through a garden",
            ["resolution"] = "720P",
            ["duration"] = 3,
        };
        if (reference is not null) body["reference_images"] = new JsonArray(reference);
        using var response = await client.PostAsJsonAsync("api/ai/videos/generate", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var json = JsonNode.Parse(text)!;
        return (Guid.Parse(json["generation_id"]!.GetValue<string>()), json["videos"]![0]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Outputs_are_stored_in_the_bucket_and_streamed_by_the_api_with_ranges()
    {
        var bucket = S3Server.NewBucket();
        var server = await StartAsync(await S3SettingsAsync(bucket));
        Assert.IsType<S3BlobStore>(server.Services.GetRequiredService<IBlobStore>());

        var (id, url) = await GenerateAsync(server.Client);
        Assert.StartsWith(server.BaseUrl, url);
        using var plain = new HttpClient();
        var video = await plain.GetByteArrayAsync(url);
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);

        // The same bytes are in the bucket, read by a store of its own (as another machine would).
        using var other = await S3BlobContractTests.OpenAsync(new S3BlobOptions { Bucket = bucket });
        await using var stored = (await FirstOutputAsync(other, id))!;
        Assert.Equal(video.Length, stored.Length);

        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new RangeHeaderValue(100, 1099);
        using var part = await plain.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(video[100..1100], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 100-1099/{video.Length}", part.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task With_presigned_output_urls_the_api_redirects_to_the_store_which_serves_the_same_bytes()
    {
        var server = await StartAsync(await S3SettingsAsync(S3Server.NewBucket(), "presigned"));
        var (_, url) = await GenerateAsync(server.Client);

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var first = await noRedirect.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var location = first.Headers.Location!;
        Assert.StartsWith((await S3Server.SharedAsync()).Endpoint, location.AbsoluteUri);
        Assert.Contains("X-Amz-Signature=", location.Query);

        using var follow = new HttpClient();
        var video = await follow.GetByteArrayAsync(url);
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);

        // Paddock's own signature is still checked before any redirect.
        using var forged = await noRedirect.GetAsync(url.Replace("sig=", "sig=0", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
    }

    [Fact]
    public async Task A_reference_uploaded_to_the_file_routes_is_kept_in_the_bucket_and_used_by_a_generation()
    {
        var server = await StartAsync(await S3SettingsAsync(S3Server.NewBucket()));
        var png = TestImages.Png(640, 640, SkiaSharp.SKColors.OrangeRed, SkiaSharp.SKColors.White);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "fox.png" } };
        using var upload = await server.Client.PutAsync("api/repos/default/refs/file/main/fox.png", form);
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());

        using var download = await server.Client.GetAsync("api/repos/default/refs/file/main/fox.png");
        Assert.Equal(png, await download.Content.ReadAsByteArrayAsync());

        var (_, url) = await GenerateAsync(server.Client, $"{server.BaseUrl}/api/repos/default/refs/file/main/fox.png");
        using var plain = new HttpClient();
        Assert.Equal("ftyp"u8.ToArray(), (await plain.GetByteArrayAsync(url))[4..8]);
    }

    [Theory]
    [InlineData("Paddock:Blobs:S3:Bucket", "", "Paddock:Blobs:S3:Bucket is not set")]
    [InlineData("Paddock:Blobs:S3:AccessKeyIdVariable", "PADDOCK_TEST_UNSET_VARIABLE", "PADDOCK_TEST_UNSET_VARIABLE (named by Paddock:Blobs:S3:AccessKeyIdVariable) is not set")]
    [InlineData("Paddock:Blobs:S3:PartSizeBytes", "1000", "Paddock:Blobs:S3:PartSizeBytes is 1000")]
    [InlineData("Paddock:Blobs:S3:ServiceUrl", "ftp://x", "Paddock:Blobs:S3:ServiceUrl is 'ftp://x'")]
    [InlineData("Paddock:Blobs:Provider", "tape", "Paddock:Blobs:Provider")]
    public async Task A_wrong_s3_setting_stops_the_start_with_a_message_naming_it(string setting, string value, string expected)
    {
        var settings = await S3SettingsAsync(S3Server.NewBucket());
        settings[setting] = value;
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(settings));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain(S3Server.SecretKey + "\"", error.Message);
    }

    private static async Task<BlobReadStream?> FirstOutputAsync(IBlobStore store, Guid id)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
            if (await BlobReadStream.OpenAsync(store, $"outputs/default/{id:N}-{attempt}.mp4", default) is { } found) return found;
        return null;
    }
}
