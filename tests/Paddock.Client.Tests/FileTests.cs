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

        var saved = Path.Combine(folder, "saved.png");
        await client.DownloadFileAsync("default", "assets", "main", "more/blue dog.png", saved);
        Assert.Equal(await File.ReadAllBytesAsync(blue), await File.ReadAllBytesAsync(saved));

        // A signed URL reads without a key, and the key is not needed to use it.
        var signed = await new HttpClient().GetByteArrayAsync(many.Files[0].SignedUrl);
        Assert.Equal(await File.ReadAllBytesAsync(red), signed);
    }

    [Fact]
    public async Task A_partial_download_resumes_with_Range()
    {
        var content = new byte[1_500_000];
        new Random(5).NextBytes(content);
        await fixture.Server.CreateClient().UploadFileAsync("default", "assets", "main", "blobs/big.bin", new MemoryStream(content));

        var recorder = new RecordingHandler();
        var client = fixture.Server.CreateClient(o => o.Transport = recorder);
        var path = TestMedia.TempFile("big.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path + ".partial", content.AsSpan(0, 600_000).ToArray()); // an earlier run stopped here

        var size = await client.DownloadFileAsync("default", "assets", "main", "blobs/big.bin", path);

        Assert.Equal(content.Length, size);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(path + ".partial"));
        Assert.Equal("bytes=600000-", Assert.Single(recorder.Seen).Range);
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
