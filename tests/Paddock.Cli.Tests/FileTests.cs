using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock upload</c> and <c>paddock download</c> on the server's file routes.</summary>
[Collection(CliServerCollection.Name)]
public sealed class FileTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task An_uploaded_file_downloads_byte_for_byte()
    {
        var original = TestMedia.WritePng(_cli.PathOf("park.png"), 640, 480);

        var uploaded = await _cli.RunAsync("upload", "park.png", "--repo", "assets", "--path", "scenes/park.png");
        Assert.True(uploaded.ExitCode == 0, uploaded.ToString());
        var url = uploaded.Stdout.Trim();
        Assert.Equal($"{server.Url}/api/repos/default/assets/file/main/scenes/park.png", url);
        Assert.Contains("Readable without a key until it expires:", uploaded.Stderr);

        var json = (await _cli.RunAsync("upload", "park.png", "--repo", "assets", "--branch", "main", "--path", "scenes/park-2.png", "--json")).Json();
        Assert.EndsWith("/scenes/park-2.png", json.GetProperty("files")[0].GetProperty("url").GetString());

        var downloaded = await _cli.RunAsync("download", url, "-o", "copy.png");
        Assert.True(downloaded.ExitCode == 0, downloaded.ToString());
        Assert.Equal(_cli.PathOf("copy.png"), downloaded.Stdout.Trim());
        Assert.Equal(await File.ReadAllBytesAsync(original), await File.ReadAllBytesAsync(_cli.PathOf("copy.png")));

        // A path on the server works too, and the default name is the URL's last segment.
        var byPath = await _cli.RunAsync("download", "/api/repos/default/assets/file/main/scenes/park-2.png", "--json");
        Assert.True(byPath.ExitCode == 0, byPath.ToString());
        Assert.Equal(_cli.PathOf("park-2.png"), byPath.Json().GetProperty("output_file").GetString());
        Assert.Equal(await File.ReadAllBytesAsync(original), await File.ReadAllBytesAsync(_cli.PathOf("park-2.png")));

        // A name the command picked does not replace a file that is already there, unless asked to.
        await File.WriteAllTextAsync(_cli.PathOf("park-2.png"), "my own notes");
        var again = await _cli.RunAsync("download", "/api/repos/default/assets/file/main/scenes/park-2.png");
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("park-2.png already exists", again.Stderr);
        Assert.Equal("my own notes", await File.ReadAllTextAsync(_cli.PathOf("park-2.png")));
        var forced = await _cli.RunAsync("download", "/api/repos/default/assets/file/main/scenes/park-2.png", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(await File.ReadAllBytesAsync(original), await File.ReadAllBytesAsync(_cli.PathOf("park-2.png")));
    }

    [Fact]
    public async Task A_path_ending_in_a_slash_uploads_into_that_folder()
    {
        TestMedia.WritePng(_cli.PathOf("cat.png"), 512, 512);

        var uploaded = await _cli.RunAsync("upload", "cat.png", "--repo", "assets", "--path", "newdir/");

        Assert.True(uploaded.ExitCode == 0, uploaded.ToString());
        Assert.Equal($"{server.Url}/api/repos/default/assets/file/main/newdir/cat.png", uploaded.Stdout.Trim());
        Assert.Contains("as newdir/cat.png", uploaded.Stderr);
    }

    [Fact]
    public async Task A_leftover_partial_of_another_video_is_not_spliced_into_a_download()
    {
        var a = await _cli.RunAsync("generate", "A red balloon rises", "--resolution", "720P", "--duration", "3", "-o", "good.mp4", "--json");
        Assert.True(a.ExitCode == 0, a.ToString());
        var b = await _cli.RunAsync("generate", "A blue boat sails", "--resolution", "720P", "--duration", "3", "-o", "other.mp4", "--quiet");
        Assert.True(b.ExitCode == 0, b.ToString());

        // What Ctrl-C during another download into this name leaves behind (head -c 100000 other.mp4 > stale.mp4.partial).
        await File.WriteAllBytesAsync(_cli.PathOf("stale.mp4.partial"), (await File.ReadAllBytesAsync(_cli.PathOf("other.mp4")))[..100_000]);
        var download = await _cli.RunAsync("download", a.Json().GetProperty("generation_id").GetString()!, "-o", "stale.mp4");

        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(await File.ReadAllBytesAsync(_cli.PathOf("good.mp4")), await File.ReadAllBytesAsync(_cli.PathOf("stale.mp4")));
        Assert.False(File.Exists(_cli.PathOf("stale.mp4.partial")));
    }

    [Fact]
    public async Task Uploads_go_to_the_keys_namespace_and_another_namespace_is_an_auth_error()
    {
        _cli.Environment["PADDOCK_API_KEY"] = await server.CreateKeyAsync("acme");
        TestMedia.WritePng(_cli.PathOf("logo.png"), 512, 512);

        var own = await _cli.RunAsync("upload", "logo.png", "--repo", "brand");
        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Equal($"{server.Url}/api/repos/acme/brand/file/main/logo.png", own.Stdout.Trim());

        var other = await _cli.RunAsync("upload", "logo.png", "--repo", "brand", "--namespace", "default");
        Assert.True(other.ExitCode == 3, other.ToString());
        Assert.Contains("cannot write to 'default'", other.Stderr);
        Assert.Contains("PADDOCK_API_KEY", other.Stderr);
    }

    [Fact]
    public async Task Downloading_a_file_that_is_not_there_exits_4_and_leaves_nothing()
    {
        var missing = await _cli.RunAsync("download", $"{server.Url}/api/repos/default/assets/file/main/nothing-here.png", "-o", "nothing.png");

        Assert.True(missing.ExitCode == 4, missing.ToString());
        Assert.Contains("HTTP 404", missing.Stderr);
        Assert.False(File.Exists(_cli.PathOf("nothing.png")));
    }
}
