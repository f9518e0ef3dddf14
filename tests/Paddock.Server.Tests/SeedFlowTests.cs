using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// The cURL, jq and awk examples of the original API page, run by bash exactly as written there
/// with only the host and the key changed.
/// </summary>
public sealed class SeedFlowTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string SeedReferencePath = "/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png";
    private string? _elauKey;

    /// <summary>
    /// Runs the script as bash runs it, with only the host and the key changed. The key is of the
    /// namespace "elau", which has uploaded the page's reference image to this server's file route
    /// at the page's own path. No pipefail: in the SSE example curl ends on a broken pipe once awk
    /// has its line.
    /// </summary>
    private async Task<ProcessResult> RunSeedScriptAsync(string name, TimeSpan? timeout = null)
    {
        _elauKey ??= await UploadSeedReferenceAsync();
        var script = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Scripts", name));
        script = script.Replace("https://hub.oxen.ai", fixture.Server.BaseUrl, StringComparison.Ordinal);
        var result = await Processes.BashAsync(script, new Dictionary<string, string> { ["OXEN_API_KEY"] = _elauKey }, timeout);
        Assert.True(result.ExitCode == 0, $"{name} exited {result.ExitCode}: {result.Stderr}\n{result.Stdout}");
        return result;
    }

    private async Task<string> UploadSeedReferenceAsync()
    {
        var key = await fixture.Server.CreateKeyAsync("elau");
        var png = Path.Combine(Path.GetTempPath(), "bloxy_cropped_512x512.png");
        await File.WriteAllBytesAsync(png, TestImages.Png(512, 512, SkiaSharp.SKColors.SteelBlue, SkiaSharp.SKColors.White));
        var upload = await Processes.RunAsync("curl", ["-s", "-f", "-X", "PUT", "-H", $"Authorization: Bearer {key}", "-F", $"file=@{png}",
            fixture.Server.BaseUrl + SeedReferencePath]);
        Assert.True(upload.ExitCode == 0, upload.Stdout + upload.Stderr);
        return key;
    }

    [Theory]
    [InlineData("sync_minimal.sh")]
    [InlineData("sync_all.sh")]
    public async Task Sync_example_returns_a_playable_1080p_mp4(string script)
    {
        var result = await RunSeedScriptAsync(script);
        var body = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("happyhorse-1.0-r2v", body["model"]!.GetValue<string>());
        var url = body["videos"]![0]!["url"]!.GetValue<string>();

        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, await Api.DownloadAsync(url));
        var video = await Ffprobe.InspectAsync(file);
        Assert.Equal(("h264", "yuv420p", 1920, 1080, "24/1", 120), (video.Codec, video.PixelFormat, video.Width, video.Height, video.FrameRate, video.Frames));
        File.Delete(file);
    }

    [Theory]
    [InlineData("async_poll_minimal.sh")]
    [InlineData("async_poll_all.sh")]
    public async Task Async_poll_loop_ends_at_succeeded_and_prints_the_row(string script)
    {
        var result = await RunSeedScriptAsync(script);
        var statuses = result.Stdout.Split('\n').Where(l => l.StartsWith("Status: ", StringComparison.Ordinal)).ToList();
        Assert.Equal("Status: succeeded", statuses[^1]);
        Assert.All(statuses, s => Assert.Contains(s, new[] { "Status: queued", "Status: processing", "Status: succeeded" }));

        var row = JsonNode.Parse(result.Stdout[result.Stdout.IndexOf('{')..])!;
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        Assert.StartsWith(fixture.Server.BaseUrl, row["result_url"]!.GetValue<string>());
        Assert.Equal("Image 1 walks through a beautiful garden, cinematic lighting.", row["prompt"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("async_sse_minimal.sh")]
    [InlineData("async_sse_all.sh")]
    public async Task Sse_awk_pipeline_prints_the_completion_of_its_own_generation(string script)
    {
        var result = await RunSeedScriptAsync(script, TimeSpan.FromMinutes(2));
        var payload = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("succeeded", payload["status"]!.GetValue<string>());
        Assert.Equal("video", payload["media_type"]!.GetValue<string>());
        Assert.Equal("happyhorse-1.0-r2v", payload["model"]!.GetValue<string>());

        // The id the script captured is a real generation of this namespace, and its video downloads.
        var id = payload["generation_id"]!.GetValue<string>();
        using var elau = fixture.Server.CreateClient(_elauKey);
        var row = await Api.GetRowAsync(elau, id);
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        var bytes = await Api.DownloadAsync(payload["url"]!.GetValue<string>());
        Assert.True(bytes.Length > 1000);
    }

    [Fact]
    public async Task Model_details_example_returns_the_schema_twice()
    {
        var result = await RunSeedScriptAsync("models_detail.sh");
        var model = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("happyhorse-1.0-r2v", model["id"]!.GetValue<string>());
        Assert.Equal("model", model["object"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(model["request_schema"], model["json_request_schema"]));
        var properties = model["json_request_schema"]!["properties"]!.AsObject().Select(p => p.Key);
        Assert.Equal(["prompt", "reference_images", "aspect_ratio", "resolution", "duration", "seed"], properties);
        Assert.Equal("builtin", model["engine"]!["name"]!.GetValue<string>());
        Assert.Contains("not a neural network", model["engine"]!["description"]!.GetValue<string>());
    }
}
