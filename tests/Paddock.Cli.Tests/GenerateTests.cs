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
    public async Task A_local_reference_the_server_would_refuse_is_refused_before_anything_is_uploaded()
    {
        TestMedia.WritePng(_cli.PathOf("tiny.png"), 300, 300);
        var good = TestMedia.WritePng(_cli.PathOf("good.png"), 800, 600);
        await File.WriteAllTextAsync(_cli.PathOf("notes.png"), "this is a text file named .png\n");
        TestMedia.WritePng(_cli.PathOf("wide.png"), 1500, 500);
        var before = (await _cli.RunAsync("queue", "list", "--all", "--json")).Json().GetProperty("count").GetInt32();

        var result = await _cli.RunAsync("generate", "Image 1 and Image 2 wave", "-i", "tiny.png", "-i", "good.png", "-i", "notes.png", "-i", "wide.png",
            "--resolution", "720P", "--duration", "3", "--json");

        // The server's rules and words, every bad image named by its field, the same exit code as a refusal by the server.
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("reference_images[0]: shorter side is 300 px; it must be more than 400 px (tiny.png)", result.Stderr);
        Assert.Contains("reference_images[2]: is not a JPEG or PNG image (its first bytes match no supported format) (notes.png)", result.Stderr);
        Assert.Contains("reference_images[3]: aspect ratio is 3:1 (1500 × 500); it must be at most 2.5:1 (wide.png)", result.Stderr);
        Assert.DoesNotContain("reference_images[1]", result.Stderr);
        Assert.Contains("Nothing was uploaded or queued.", result.Stderr);
        Assert.Equal(1, result.Json().GetProperty("error").GetProperty("exit_code").GetInt32());

        // Nothing went to the server: not even the good image, and no generation.
        Assert.DoesNotContain("Uploaded", result.Stderr);
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(good)));
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.ApiKey);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"{server.Url}/api/repos/default/cli-uploads/file/main/{hash}.png")).StatusCode);
        Assert.Equal(before, (await _cli.RunAsync("queue", "list", "--all", "--json")).Json().GetProperty("count").GetInt32());

        // The synchronous route checks first too.
        var sync = await _cli.RunAsync("generate", "Image 1 waves", "-i", "tiny.png", "--resolution", "720P", "--duration", "3", "--sync");
        Assert.True(sync.ExitCode == 1, sync.ToString());
        Assert.Contains("paddock: reference_images[0]: shorter side is 300 px; it must be more than 400 px (tiny.png)", sync.Stderr);
    }

    [Fact]
    public async Task An_input_image_of_an_i2v_model_is_checked_locally_under_its_own_field()
    {
        TestMedia.WritePng(_cli.PathOf("tiny.png"), 300, 300);

        var result = await _cli.RunAsync("generate", "Image 1 runs", "-m", "happyhorse-1.0-i2v", "-i", "tiny.png", "--resolution", "720P", "--duration", "3");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("paddock: input_image: shorter side is 300 px; it must be more than 400 px (tiny.png)", result.Stderr);
        Assert.DoesNotContain("Uploaded", result.Stderr);
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
        // Redrawn in place on a terminal: with the cursor hidden, the cursor moves back up over the bar (CSI n A) and the
        // bar is written over itself.
        Assert.Matches(@"\x1b\[\d*A[\s\S]*rendering", running.Stdout);
        Assert.Contains("\x1b[?25l", running.Stdout);

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
