using Paddock.Core.References;

namespace Paddock.Core.Tests;

/// <summary>The same bytes, however they arrive, are checked once and held once; settings that cannot work fail at start.</summary>
public sealed class ReferenceContentCacheTests
{
    private static readonly byte[] Image = ImageIntegrityTests.Png(640, 480);

    /// <summary>Serves the same bytes for every URL on its host, as two paths to one file of this server would.</summary>
    private sealed class SameFileEverywhere(byte[] bytes) : ILocalReferenceSource
    {
        public int Reads;

        public Task<byte[]?> TryReadAsync(int position, Uri url, string ns, CancellationToken cancellationToken)
        {
            if (url.Host != "self.test") return Task.FromResult<byte[]?>(null);
            Interlocked.Increment(ref Reads);
            return Task.FromResult<byte[]?>(bytes.ToArray()); // a fresh copy each time, as storage gives
        }
    }

    [Fact]
    public async Task The_same_bytes_from_data_urls_and_local_files_are_checked_once()
    {
        var local = new SameFileEverywhere(Image);
        using var fetcher = new ReferenceFetcher(new ReferenceFetchOptions(), local);
        string[] urls =
        [
            "data:image/png;base64," + Convert.ToBase64String(Image),
            "data:application/octet-stream;base64," + Convert.ToBase64String(Image),
            "http://self.test/api/repos/default/cast/file/main/a.png",
            "http://self.test/api/repos/default/cast/file/main/copy-of-a.png",
        ];

        var images = await fetcher.FetchAllAsync("default", urls, CancellationToken.None);

        Assert.Equal(2, local.Reads); // local files are read every time: rights are checked per request
        Assert.Equal(1, fetcher.Statistics.Checks);
        Assert.Equal(3, fetcher.Statistics.ContentHits);
        Assert.Equal(0, fetcher.Statistics.Downloads);
        Assert.All(images, i => Assert.Same(images[0].Bytes, i.Bytes));
        Assert.Equal([1, 2, 3, 4], images.Select(i => i.Index));
        Assert.Equal("data:", images[0].Source);
        Assert.Equal((640, 480), (images[3].Width, images[3].Height));
    }

    [Fact]
    public async Task A_refused_image_is_refused_again_with_its_own_position()
    {
        using var fetcher = new ReferenceFetcher(new ReferenceFetchOptions());
        var truncated = "data:image/png;base64," + Convert.ToBase64String(Image[..(Image.Length / 2)]);
        var first = await Assert.ThrowsAsync<ReferenceImageException>(() => fetcher.FetchAsync("default", 0, truncated, CancellationToken.None));
        var second = await Assert.ThrowsAsync<ReferenceImageException>(() => fetcher.FetchAsync("default", 4, truncated, CancellationToken.None));
        Assert.StartsWith("reference_images[0]: is a truncated PNG", first.Message);
        Assert.StartsWith("reference_images[4]: is a truncated PNG", second.Message);
        Assert.Equal(0, fetcher.Statistics.Entries);
    }

    [Theory]
    [InlineData("ReadIdleTimeout")]
    [InlineData("TotalTimeout")]
    [InlineData("CacheMaxBytes")]
    public void A_setting_that_cannot_work_fails_at_start_naming_it(string setting)
    {
        var options = new ReferenceFetchOptions();
        switch (setting)
        {
            case "ReadIdleTimeout": options.ReadIdleTimeout = TimeSpan.Zero; break;
            case "TotalTimeout": options.TotalTimeout = TimeSpan.FromSeconds(-1); break;
            case "CacheMaxBytes": options.CacheMaxBytes = -1; break;
        }
        var error = Assert.ThrowsAny<ArgumentException>(() => new ReferenceFetcher(options));
        Assert.Contains("Paddock:References:" + setting, error.Message);
    }
}
