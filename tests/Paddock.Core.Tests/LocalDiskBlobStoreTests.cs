using Paddock.Core.Blobs;

namespace Paddock.Core.Tests;

/// <summary>What the leftover sweeps rely on from the local blob store: listings show only whole blobs, and only abandoned half-writes are reclaimed.</summary>
public sealed class LocalDiskBlobStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "paddock-blobs-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_listing_shows_whole_blobs_under_the_prefix_and_never_a_write_in_progress()
    {
        var store = new LocalDiskBlobStore(_root);
        await store.PutAsync("outputs/acme/a-1.mp4", new MemoryStream([1, 2, 3]));
        await store.PutAsync("outputs/zeta/b-2.mp4", new MemoryStream([4]));
        await store.PutAsync("files/sha256/ab/abcd", new MemoryStream([5]));
        File.WriteAllBytes(Path.Combine(_root, "outputs", "acme", "c-1.mp4." + Guid.NewGuid().ToString("N") + ".tmp"), [9]);

        var listed = await store.ListAsync("outputs/").ToListAsync();
        Assert.Equal(["outputs/acme/a-1.mp4", "outputs/zeta/b-2.mp4"], listed.Select(b => b.Key).Order(StringComparer.Ordinal));
        Assert.Equal(3, listed.Single(b => b.Key == "outputs/acme/a-1.mp4").Size);
        Assert.Equal(["outputs/acme/a-1.mp4"], (await store.ListAsync("outputs/acme/").ToListAsync()).Select(b => b.Key));
        Assert.Empty(await store.ListAsync("nothing/").ToListAsync());
    }

    [Fact]
    public async Task Only_half_writes_untouched_since_the_cutoff_are_reclaimed()
    {
        var store = new LocalDiskBlobStore(_root);
        await store.PutAsync("inline/acme/0123", new MemoryStream([1]));
        var folder = Path.Combine(_root, "inline", "acme");
        var abandoned = Path.Combine(folder, "4567." + Guid.NewGuid().ToString("N") + ".tmp");
        var live = Path.Combine(folder, "89ab." + Guid.NewGuid().ToString("N") + ".tmp");
        File.WriteAllBytes(abandoned, [1]);
        File.WriteAllBytes(live, [2]);
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));

        Assert.Equal(1, await store.ReclaimAbandonedWritesAsync(DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(live));
        Assert.True(await store.ExistsAsync("inline/acme/0123"));
    }
}
