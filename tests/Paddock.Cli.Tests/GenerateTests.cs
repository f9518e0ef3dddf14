using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock generate</c> from upload to saved MP4, its failures, and what Ctrl-C does.</summary>
[Collection(CliServerCollection.Name)]
public sealed partial class GenerateTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [GeneratedRegex(@"Queued generation ([0-9a-f-]{36})\.")]
    private static partial Regex QueuedLine();

    private static string QueuedId(string stderr) => QueuedLine().Match(stderr) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no 'Queued generation' line in:\n{stderr}");

    [Fact]
    public async Task A_local_reference_is_uploaded_and_the_video_is_saved_playable()
    {
        var image = TestMedia.WritePng(_cli.PathOf("cat.png"), 768, 512);

        var result = await _cli.RunAsync("generate", "Image 1 walks through a garden", "-i", "cat.png",
            "--aspect", "9:16", "--resolution", "720P", "--duration", "3", "--seed", "7", "-o", "out.mp4");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(_cli.PathOf("out.mp4"), result.Stdout.Trim()); // stdout: only where the video is
        var id = QueuedId(result.Stderr);
        Assert.Contains($"generation {id}: completed 100%", result.Stderr); // plain progress lines: stderr is not a terminal
        Assert.DoesNotContain("\x1b[", result.Stderr);
        var video = await TestMedia.ProbeAsync(_cli.PathOf("out.mp4"));
        Assert.Equal(new TestMedia.VideoFacts("h264", 720, 1280, 72), video);

        // The reference went to the key's namespace, named by its content, and the server rendered from that URL.
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        var row = (await _cli.RunAsync("queue", "get", id, "--json")).Json();
        Assert.Equal($"{server.Url}/api/repos/default/cli-uploads/file/main/{hash}.png", row.GetProperty("reference_images")[0].GetString());
        Assert.Equal(7, row.GetProperty("seed").GetInt32());
        Assert.Equal("succeeded", row.GetProperty("status").GetString());
    }

    [Fact]
    public async Task With_json_stdout_is_one_document_describing_the_saved_video()
    {
        var result = await _cli.RunAsync("generate", "A red kite over the sea", "--resolution", "720P", "--duration", "3", "--aspect", "1:1",
            "-o", "kite.mp4", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal("succeeded", json.GetProperty("status").GetString());
        Assert.Equal(_cli.PathOf("kite.mp4"), json.GetProperty("output_file").GetString());
        Assert.Equal(new FileInfo(_cli.PathOf("kite.mp4")).Length, json.GetProperty("bytes").GetInt64());
        Assert.StartsWith(server.Url + "/api/outputs/", json.GetProperty("result_url").GetString());
        Assert.Equal(QueuedId(result.Stderr), json.GetProperty("generation_id").GetString());
        Assert.Equal((720, 720), ((await TestMedia.ProbeAsync(_cli.PathOf("kite.mp4"))) is var v ? (v.Width, v.Height) : default));
    }

    [Fact]
    public async Task A_reference_too_small_fails_the_generation_with_the_servers_message_and_exit_1()
    {
        TestMedia.WritePng(_cli.PathOf("tiny.png"), 300, 300);

        var result = await _cli.RunAsync("generate", "Image 1 waves", "-i", "tiny.png", "--resolution", "720P", "--duration", "3", "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("reference_images[0]: shorter side is 300 px", result.Stderr);
        var row = result.Json(); // --json: the failed row, for scripts
        Assert.Equal("failed", row.GetProperty("status").GetString());
        Assert.Contains("reference_images[0]", row.GetProperty("error_message").GetString());
        Assert.False(File.Exists(_cli.PathOf(row.GetProperty("generation_id").GetString() + ".mp4")));

        // The synchronous route reports the same failure the same way.
        var sync = await _cli.RunAsync("generate", "Image 1 waves", "-i", "tiny.png", "--resolution", "720P", "--duration", "3", "--sync", "--json");
        Assert.True(sync.ExitCode == 1, sync.ToString());
        Assert.Contains("paddock: the generation failed: reference_images[0]: shorter side is 300 px", sync.Stderr);
        Assert.Equal(1, sync.Json().GetProperty("error").GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task A_reference_on_a_loopback_host_that_is_not_allowed_fails_with_exit_1()
    {
        var result = await _cli.RunAsync("generate", "Image 1 runs", "-i", "http://127.0.0.1:9/cat.png", "--resolution", "720P", "--duration", "3");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"paddock: generation [0-9a-f-]{36} failed: reference_images\[0\]", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Ctrl_c_without_a_terminal_leaves_the_generation_running_and_prints_its_id()
    {
        await using var running = _cli.Start("generate", "A slow horse at dusk", "--resolution", "720P", "--duration", "5", "-o", "dusk.mp4");
        await running.WaitForAsync(s => s.Contains("Queued generation", StringComparison.Ordinal), "the generation being queued");

        running.Interrupt();
        var result = await running.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 130, result.ToString());
        var id = QueuedId(result.Stderr);
        Assert.Equal(id, result.Stdout.Trim());
        Assert.Contains($"left generation {id} running", result.Stderr);
        Assert.Contains($"paddock download {id} -o dusk.mp4", result.Stderr);

        // It was not cancelled: it finishes, and the video can be fetched by id afterwards.
        var events = await _cli.RunAsync("events", "--generation", id);
        Assert.True(events.ExitCode == 0, events.ToString());
        var download = await _cli.RunAsync("download", id, "-o", "dusk.mp4");
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(120, (await TestMedia.ProbeAsync(_cli.PathOf("dusk.mp4"))).Frames);
    }

    [Fact]
    public async Task Ctrl_c_at_a_terminal_asks_and_yes_cancels_the_generation_on_the_server()
    {
        await using var running = _cli.StartInTerminal("generate", "A long walk along the river", "--resolution", "720P", "--duration", "15", "-o", "river.mp4");
        await running.WaitForAsync(s => Regex.IsMatch(s, @"rendering +\S+ +\d+%"), "the live progress bar");
        Assert.Contains("\r\x1b[2K", running.Stdout); // redrawn in place on a terminal

        await running.TypeAsync("\x03");
        await running.WaitForAsync(s => s.Contains("Cancel the generation? [y/N]", StringComparison.Ordinal), "the question");
        await running.TypeAsync("y\n");
        var result = await running.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 1, result.ToString());
        var id = QueuedId(result.Stdout);
        Assert.Contains($"generation {id} was cancelled", result.Stdout);
        var row = (await _cli.RunAsync("queue", "get", id, "--json")).Json();
        Assert.Equal("cancelled", row.GetProperty("status").GetString());
        Assert.False(File.Exists(_cli.PathOf("river.mp4")));
    }

    [Fact]
    public async Task Sync_generation_with_inline_bytes_saves_into_a_new_folder()
    {
        var result = await _cli.RunAsync("generate", "a fox", "--resolution", "720P", "--duration", "3", "--sync", "--set", "response_format=b64_json", "-o", "newdir/x.mp4");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(_cli.PathOf("newdir/x.mp4"), result.Stdout.Trim());
        Assert.Equal(72, (await TestMedia.ProbeAsync(_cli.PathOf("newdir/x.mp4"))).Frames);
        Assert.Equal(["x.mp4"], Directory.GetFiles(_cli.PathOf("newdir")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Sync_generation_saves_the_video_from_one_request()
    {
        var result = await _cli.RunAsync("generate", "A lighthouse blinking", "--sync", "--resolution", "720P", "--duration", "3", "--aspect", "4:3", "-o", "light.mp4", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(_cli.PathOf("light.mp4"), result.Json().GetProperty("output_file").GetString());
        var video = await TestMedia.ProbeAsync(_cli.PathOf("light.mp4"));
        Assert.Equal((960, 720, 72), (video.Width, video.Height, video.Frames));
        Assert.Equal(JsonValueKind.String, result.Json().GetProperty("generation_id").ValueKind);
    }
}
