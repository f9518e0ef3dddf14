using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>File routes through the SDK: upload, download, and downloads that resume with Range.</summary>
[Collection(ServerCollection.Name)]
public sealed class FileTests(ServerFixture fixture)
{
    [Fact]
    public async Task Uploaded_files_download_byte_for_byte()
    {
        var client = fixture.Server.CreateClient();
        var png = TestMedia.Png();

        var single = await client.UploadFileAsync("default", "assets", "main", "images/cat.png", new MemoryStream(png), "add the cat");
        var file = Assert.Single(single.Files);
        Assert.Equal("images/cat.png", file.Path);
        Assert.Equal(client.GetFileUri("default", "assets", "main", "images/cat.png"), file.Url);
        Assert.Equal("image/png", file.ContentType);
        Assert.Equal(png.Length, file.Size);
        Assert.Equal("add the cat", single.Message);
        Assert.NotNull(single.CommitId);

        var back = new MemoryStream();
        await client.DownloadFileAsync("default", "assets", "main", "images/cat.png", back);
        Assert.Equal(png, back.ToArray());

        // Several local files into one directory, in one commit.
        var folder = Path.GetDirectoryName(TestMedia.TempFile("x"))!;
        Directory.CreateDirectory(folder);
        var red = Path.Combine(folder, "red.png");
        var blue = Path.Combine(folder, "blue dog.png");
        await File.WriteAllBytesAsync(red, TestMedia.Png(figure: 0xFFFF0000));
        await File.WriteAllBytesAsync(blue, TestMedia.Png(figure: 0xFF0000FF));
        var many = await client.UploadFilesAsync("default", "assets", "main", "more", [red, blue]);
        Assert.Equal(["more/red.png", "more/blue dog.png"], many.Files.Select(f => f.Path));
        // A path ending in a slash is a folder: the file keeps its own name inside it.
        Assert.Equal("singles/red.png", Assert.Single((await client.UploadFileAsync("default", "assets", "main", "singles/", red)).Files).Path);

        var saved = Path.Combine(folder, "saved.png");
        await client.DownloadFileAsync("default", "assets", "main", "more/blue dog.png", saved);
        Assert.Equal(await File.ReadAllBytesAsync(blue), await File.ReadAllBytesAsync(saved));

        // A signed URL reads without a key, and the key is not needed to use it.
        var signed = await new HttpClient().GetByteArrayAsync(many.Files[0].SignedUrl);
        Assert.Equal(await File.ReadAllBytesAsync(red), signed);
    }

    [Fact]
    public async Task An_interrupted_download_resumes_where_it_stopped_if_the_file_is_unchanged()
    {
        var content = new byte[1_500_000];
        new Random(5).NextBytes(content);
        await fixture.Server.CreateClient().UploadFileAsync("default", "assets", "main", "blobs/big.bin", new MemoryStream(content));
        var path = TestMedia.TempFile("big.bin");

        // An earlier run was stopped (Ctrl-C) after 600,000 bytes.
        var stopper = new StoppingBodyHandler("/blobs/big.bin", bytesBeforeStop: 600_000);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fixture.Server.CreateClient(o => o.Transport = stopper).DownloadFileAsync("default", "assets", "main", "blobs/big.bin", path, stopper.Stop.Token));
        Assert.Equal(600_000, new FileInfo(path + ".partial").Length);
        Assert.False(File.Exists(path));

        var recorder = new RecordingHandler();
        var size = await fixture.Server.CreateClient(o => o.Transport = recorder).DownloadFileAsync("default", "assets", "main", "blobs/big.bin", path);

        Assert.Equal(content.Length, size);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(path + ".partial"));
        Assert.False(File.Exists(path + ".partial.json"));
        var resumed = Assert.Single(recorder.Seen);
        Assert.Equal("bytes=600000-", resumed.Range);
        Assert.StartsWith("\"", resumed.IfRange); // only if the file is still the one the first bytes came from
    }

    [Fact]
    public async Task A_leftover_partial_file_of_something_else_is_never_spliced_in()
    {
        var wanted = new byte[900_000];
        var other = new byte[900_000];
        new Random(7).NextBytes(wanted);
        new Random(8).NextBytes(other);
        var upload = fixture.Server.CreateClient();
        await upload.UploadFileAsync("default", "assets", "main", "blobs/wanted.bin", new MemoryStream(wanted));
        await upload.UploadFileAsync("default", "assets", "main", "blobs/other.bin", new MemoryStream(other));
        var path = TestMedia.TempFile("out.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // The first bytes of another file, with nothing to say where they came from (head -c 100000 other > out.bin.partial).
        await File.WriteAllBytesAsync(path + ".partial", other.AsSpan(0, 100_000).ToArray());
        var recorder = new RecordingHandler();
        await fixture.Server.CreateClient(o => o.Transport = recorder).DownloadFileAsync("default", "assets", "main", "blobs/wanted.bin", path);
        Assert.Equal(wanted, await File.ReadAllBytesAsync(path));
        Assert.Null(Assert.Single(recorder.Seen).Range);

        // A download of the other file stopped half-way into the same name (Ctrl-C, then another download to out.bin).
        File.Delete(path);
        var stopper = new StoppingBodyHandler("/blobs/other.bin", bytesBeforeStop: 400_000);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fixture.Server.CreateClient(o => o.Transport = stopper).DownloadFileAsync("default", "assets", "main", "blobs/other.bin", path, stopper.Stop.Token));
        Assert.True(File.Exists(path + ".partial.json"));
        var second = new RecordingHandler();
        await fixture.Server.CreateClient(o => o.Transport = second).DownloadFileAsync("default", "assets", "main", "blobs/wanted.bin", path);
        Assert.Equal(wanted, await File.ReadAllBytesAsync(path));
        Assert.Null(Assert.Single(second.Seen).Range);
        Assert.False(File.Exists(path + ".partial.json"));
    }

    [Fact]
    public async Task A_partial_download_of_a_file_that_changed_since_starts_over()
    {
        var before = new byte[800_000];
        var after = new byte[700_000];
        new Random(9).NextBytes(before);
        new Random(10).NextBytes(after);
        var client = fixture.Server.CreateClient();
        await client.UploadFileAsync("default", "assets", "main", "blobs/changing.bin", new MemoryStream(before));
        var path = TestMedia.TempFile("changing.bin");
        var stopper = new StoppingBodyHandler("/blobs/changing.bin", bytesBeforeStop: 300_000);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fixture.Server.CreateClient(o => o.Transport = stopper).DownloadFileAsync("default", "assets", "main", "blobs/changing.bin", path, stopper.Stop.Token));

        await client.UploadFileAsync("default", "assets", "main", "blobs/changing.bin", new MemoryStream(after));
        var recorder = new RecordingHandler();
        await fixture.Server.CreateClient(o => o.Transport = recorder).DownloadFileAsync("default", "assets", "main", "blobs/changing.bin", path);

        // The resume asked If-Range; the server saw the file had changed and sent all of the new one.
        Assert.Equal(after, await File.ReadAllBytesAsync(path));
        Assert.Equal("bytes=300000-", Assert.Single(recorder.Seen).Range);
    }

    [Fact]
    public async Task A_download_that_breaks_mid_way_resumes_within_the_same_call()
    {
        var content = new byte[1_200_000];
        new Random(6).NextBytes(content);
        await fixture.Server.CreateClient().UploadFileAsync("default", "assets", "main", "blobs/flaky.bin", new MemoryStream(content));

        var breaker = new BreakingBodyHandler("/blobs/flaky.bin", bytesBeforeBreak: 300_000);
        var client = fixture.Server.CreateClient(o => o.Transport = breaker);
        var path = TestMedia.TempFile("flaky.bin");

        await client.DownloadFileAsync("default", "assets", "main", "blobs/flaky.bin", path);

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        var ranges = breaker.Seen.Select(s => s.Range).ToList();
        Assert.Equal([null, "bytes=300000-"], ranges);
    }

    [Fact]
    public async Task Uploading_into_another_namespace_is_forbidden()
    {
        var e = await Assert.ThrowsAsync<PaddockException>(() =>
            fixture.Server.CreateClient().UploadFileAsync("someone-else", "assets", "main", "x.png", new MemoryStream(TestMedia.Png())));

        Assert.Equal(403, e.Status);
        Assert.Equal("forbidden", e.ErrorType);
        Assert.Contains("someone-else", e.Detail);
    }
}
