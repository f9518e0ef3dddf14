using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock queue pin|unpin|delete</c> and <c>paddock files pin|unpin|delete</c>.</summary>
[Collection(CliServerCollection.Name)]
public sealed class RetentionCommandTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_generation_is_pinned_shown_pinned_and_deleted()
    {
        var generated = await _cli.RunAsync("generate", "A lighthouse blinks at night", "--resolution", "720P", "--duration", "3", "-o", "light.mp4", "--json");
        Assert.True(generated.ExitCode == 0, generated.ToString());
        var id = generated.Json().GetProperty("generation_id").GetString()!;

        var pinned = await _cli.RunAsync("queue", "pin", id);
        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        Assert.Equal($"Pinned {id}: its video is kept until you delete it.", pinned.Stdout.Trim());
        Assert.Contains("pinned:         yes (never expires)", (await _cli.RunAsync("queue", "get", id)).Stdout);
        Assert.True((await _cli.RunAsync("queue", "get", id, "--json")).Json().GetProperty("pinned").GetBoolean());

        var unpinned = await _cli.RunAsync("queue", "unpin", id);
        Assert.Equal($"Unpinned {id}: this server keeps videos until they are deleted.", unpinned.Stdout.Trim());

        var deleted = await _cli.RunAsync("queue", "delete", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal($"Deleted {id} and its video.", deleted.Stdout.Trim());
        var gone = await _cli.RunAsync("queue", "get", id);
        Assert.True(gone.ExitCode == 4, gone.ToString());
        Assert.Contains($"generation not found: {id}", gone.Stderr);
    }

    [Fact]
    public async Task An_uploaded_file_is_pinned_and_deleted()
    {
        TestMedia.WritePng(_cli.PathOf("owl.png"), 640, 480);
        var uploaded = await _cli.RunAsync("upload", "owl.png", "--repo", "kept", "--path", "birds/owl.png");
        Assert.True(uploaded.ExitCode == 0, uploaded.ToString());

        var pinned = await _cli.RunAsync("files", "pin", "birds/owl.png", "--repo", "kept");
        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        Assert.Equal("Pinned default/kept/main/birds/owl.png: it is kept until you delete it.", pinned.Stdout.Trim());

        var deleted = await _cli.RunAsync("files", "delete", "birds/owl.png", "--repo", "kept");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("Deleted default/kept/main/birds/owl.png.", deleted.Stdout.Trim());
        var again = await _cli.RunAsync("files", "delete", "birds/owl.png", "--repo", "kept");
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.Contains("file not found", again.Stderr);
        var missing = await _cli.RunAsync("files", "pin", "birds/owl.png");
        Assert.True(missing.ExitCode == 2, missing.ToString()); // --repo is required
    }
}
