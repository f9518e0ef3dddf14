using System.Text.Json;

namespace Paddock.OpenAI.Tests;

/// <summary>
/// The official OpenAI SDK for JavaScript (npm openai, installed under tools/ by scripts/openai-node.sh) against a running
/// Paddock: Scripts/videos.cjs is code written for the other API, given only OPENAI_BASE_URL and OPENAI_API_KEY.
/// </summary>
public sealed class JavaScriptSdkTests : IAsyncLifetime
{
    private PaddockHost _host = null!;
    private string _nodePath = null!;

    public async Task InitializeAsync()
    {
        _nodePath = await OpenAINode.InstallAsync();
        _host = await PaddockHost.StartAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<Dictionary<string, JsonElement>> RunAsync(string mode, params string[] args)
    {
        var result = await Processes.RunAsync("node", [Path.Combine(AppContext.BaseDirectory, "Scripts", "videos.cjs"), mode, .. args], new Dictionary<string, string>
        {
            ["NODE_PATH"] = _nodePath,
            ["OPENAI_BASE_URL"] = _host.BaseUrl + "/v1",
            ["OPENAI_API_KEY"] = _host.ApiKey,
            ["PADDOCK_MODEL"] = Faces.Model,
        }, TimeSpan.FromMinutes(4));
        Assert.True(result.ExitCode == 0, $"node {mode} failed ({result.ExitCode}): {result.Stderr}\n{result.Stdout}");
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToDictionary(e => e.GetProperty("step").GetString()!);
    }

    [Fact]
    public async Task The_javascript_sdk_creates_polls_lists_downloads_and_deletes_a_video_of_the_size_and_length_asked()
    {
        var mp4 = Path.Combine(_host.DataDirectory, "node-sdk.mp4");
        var steps = await RunAsync("flow", mp4);

        var created = steps["created"].GetProperty("video");
        // The answer is the row read back after its commit: an idle worker of this process may have claimed it already.
        Assert.Contains(created.GetProperty("status").GetString(), new[] { "queued", "in_progress" });
        var id = created.GetProperty("id").GetString();
        Assert.Equal("completed", steps["finished"].GetProperty("video").GetProperty("status").GetString());
        Assert.Equal([id], steps["listed"].GetProperty("ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("video/mp4", steps["downloaded"].GetProperty("contentType").GetString());
        var facts = await Ffprobe.InspectAsync(mp4);
        Assert.Equal((1280, 720, 96), (facts.Width, facts.Height, facts.Frames));
        Assert.Equal("image/jpeg", steps["thumbnail"].GetProperty("contentType").GetString());
        Assert.True(steps["thumbnail"].GetProperty("bytes").GetInt32() > 1000);
        Assert.True(steps["deleted"].GetProperty("deleted").GetProperty("deleted").GetBoolean());
        Assert.Equal(404, steps["after_delete"].GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task The_javascript_sdk_raises_each_documented_error_with_its_status_and_code()
    {
        var steps = await RunAsync("errors");
        void Expect(string step, int status, string kind, string? param, string code)
        {
            var e = steps[step];
            Assert.Equal(status, e.GetProperty("status").GetInt32());
            Assert.Equal(kind, e.GetProperty("kind").GetString());
            Assert.Equal(param, e.GetProperty("error").GetProperty("param").GetString());
            Assert.Equal(code, e.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal("invalid_request_error", e.GetProperty("error").GetProperty("type").GetString());
        }
        Expect("bad_size", 400, "BadRequestError", "size", "invalid_size");
        Assert.Contains("1280x720", steps["bad_size"].GetProperty("error").GetProperty("message").GetString());
        Expect("bad_seconds", 400, "BadRequestError", "seconds", "invalid_seconds");
        Assert.Contains("3 to 15", steps["bad_seconds"].GetProperty("error").GetProperty("message").GetString());
        Expect("unknown_model", 404, "NotFoundError", "model", "model_not_found");
        Expect("unknown_id", 404, "NotFoundError", "video_id", "not_found");
        Expect("wrong_key", 401, "AuthenticationError", null, "invalid_api_key");
    }
}
