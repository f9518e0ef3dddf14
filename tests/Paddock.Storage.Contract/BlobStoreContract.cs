using System.IO.Pipes;
using System.Security.Cryptography;
using Paddock.Core.Blobs;

namespace Paddock.Storage.Contract;

/// <summary>
/// The <see cref="IBlobStore"/> contract, written once and run against every blob store (local disk, S3-compatible).
/// Every read is checked byte for byte against what was written: a store that returns the wrong bytes fails here.
/// </summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    private IBlobStore? _store;

    /// <summary>A fresh, empty store (its own folder or bucket).</summary>
    protected abstract Task<IBlobStore> OpenStoreAsync();

    /// <summary>Bytes big enough to take the store's large-object path (multipart upload for S3).</summary>
    protected virtual int LargeBlobBytes => 12 * 1024 * 1024 + 123;

    protected IBlobStore Store => _store ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public virtual Task DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    protected static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task<byte[]?> ReadAllAsync(IBlobStore store, string key, BlobRange? range = null)
    {
        var stream = await store.OpenReadAsync(key, range);
        if (stream is null) return null;
        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    [Fact]
    public async Task A_blob_put_from_a_stream_reads_back_whole_with_its_length()
    {
        var bytes = Bytes(100_000);
        await Store.PutAsync("outputs/ns/a.mp4", new MemoryStream(bytes));

        Assert.Equal(bytes, await ReadAllAsync(Store, "outputs/ns/a.mp4"));
        Assert.Equal(new BlobInfo(bytes.Length), await Store.GetInfoAsync("outputs/ns/a.mp4"));
        Assert.True(await Store.ExistsAsync("outputs/ns/a.mp4"));
    }

    [Fact]
    public async Task A_put_reads_a_stream_that_cannot_seek_or_tell_its_length()
    {
        var bytes = Bytes(300_000, seed: 2);
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var writing = Task.Run(async () =>
        {
            await server.WriteAsync(bytes);
            server.Dispose();
        });
        await Store.PutAsync("refs/piped.png", client);
        await writing;

        Assert.Equal(bytes, await ReadAllAsync(Store, "refs/piped.png"));
    }

    [Fact]
    public async Task A_file_put_is_stored_and_the_source_need_not_remain()
    {
        var bytes = Bytes(50_000, seed: 3);
        var path = Path.Combine(Path.GetTempPath(), "paddock-blob-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            await Store.PutFileAsync("outputs/ns/file.mp4", path);
        }
        finally
        {
            if (File.Exists(path)) File.Delete(path);
        }
        Assert.Equal(bytes, await ReadAllAsync(Store, "outputs/ns/file.mp4"));
    }

    [Fact]
    public async Task Range_reads_give_exactly_the_bytes_asked_for()
    {
        var bytes = Bytes(10_000, seed: 4);
        await Store.PutAsync("r/blob", new MemoryStream(bytes));

        Assert.Equal(bytes[1000..1500], await ReadAllAsync(Store, "r/blob", new BlobRange(1000, 500)));
        Assert.Equal(bytes[9000..], await ReadAllAsync(Store, "r/blob", new BlobRange(9000)));
        Assert.Equal(bytes[..1], await ReadAllAsync(Store, "r/blob", new BlobRange(0, 1)));
        Assert.Equal(bytes[9990..], await ReadAllAsync(Store, "r/blob", new BlobRange(9990, 500)));
        Assert.Empty((await ReadAllAsync(Store, "r/blob", new BlobRange(10_000)))!);
        Assert.Empty((await ReadAllAsync(Store, "r/blob", new BlobRange(20_000, 5)))!);
        Assert.Empty((await ReadAllAsync(Store, "r/blob", new BlobRange(5, 0)))!);
    }

    [Fact]
    public async Task A_seekable_view_built_on_the_contract_reads_any_part_after_any_seek()
    {
        var bytes = Bytes(70_000, seed: 5);
        await Store.PutAsync("seek/blob", new MemoryStream(bytes));

        await using var view = (await BlobReadStream.OpenAsync(Store, "seek/blob", default))!;
        Assert.Equal(bytes.Length, view.Length);
        var buffer = new byte[4000];
        foreach (var at in new[] { 65_000L, 10L, 30_000L, 30_000L + 4000 })
        {
            view.Seek(at, SeekOrigin.Begin);
            var read = 0;
            while (read < buffer.Length && view.Position < view.Length)
                read += await view.ReadAsync(buffer.AsMemory(read));
            Assert.Equal(bytes.AsSpan((int)at, read).ToArray(), buffer[..read]);
        }
        view.Seek(0, SeekOrigin.End);
        Assert.Equal(0, await view.ReadAsync(buffer));
    }

    [Fact]
    public async Task An_absent_blob_is_null_and_deleting_it_is_no_error()
    {
        Assert.Null(await Store.GetInfoAsync("none/here"));
        Assert.Null(await Store.OpenReadAsync("none/here"));
        Assert.Null(await Store.OpenReadAsync("none/here", new BlobRange(10, 10)));
        Assert.Null(await BlobReadStream.OpenAsync(Store, "none/here", default));
        Assert.False(await Store.ExistsAsync("none/here"));
        await Store.DeleteAsync("none/here");
    }

    [Fact]
    public async Task A_deleted_blob_is_gone_and_a_second_put_replaces_the_first()
    {
        await Store.PutAsync("x/y", new MemoryStream(Bytes(1000, 6)));
        var second = Bytes(777, 7);
        await Store.PutAsync("x/y", new MemoryStream(second));
        Assert.Equal(second, await ReadAllAsync(Store, "x/y"));
        Assert.Equal(777, (await Store.GetInfoAsync("x/y"))!.Length);

        await Store.DeleteAsync("x/y");
        Assert.Null(await Store.GetInfoAsync("x/y"));
        Assert.Null(await ReadAllAsync(Store, "x/y"));
    }

    [Fact]
    public async Task An_empty_blob_is_a_blob()
    {
        await Store.PutAsync("empty/one", new MemoryStream());
        Assert.Equal(new BlobInfo(0), await Store.GetInfoAsync("empty/one"));
        Assert.Empty((await ReadAllAsync(Store, "empty/one"))!);
    }

    [Fact]
    public async Task A_large_blob_round_trips_with_the_same_hash_and_its_ranges_read_across_parts()
    {
        var bytes = Bytes(LargeBlobBytes, seed: 8);
        var path = Path.Combine(Path.GetTempPath(), "paddock-blob-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            await Store.PutFileAsync("outputs/ns/large.mp4", path);
        }
        finally
        {
            if (File.Exists(path)) File.Delete(path);
        }

        Assert.Equal(bytes.Length, (await Store.GetInfoAsync("outputs/ns/large.mp4"))!.Length);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData((await ReadAllAsync(Store, "outputs/ns/large.mp4"))!));
        var across = new BlobRange(5 * 1024 * 1024 - 100, 200);
        Assert.Equal(bytes.AsSpan(5 * 1024 * 1024 - 100, 200).ToArray(), await ReadAllAsync(Store, "outputs/ns/large.mp4", across));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("/rooted")]
    [InlineData("a\\b")]
    [InlineData("a/./b")]
    public async Task A_key_that_is_not_plain_segments_is_refused_by_every_operation(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1])));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetInfoAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key));
    }

    [Fact]
    public async Task Keys_with_the_same_prefix_are_separate_blobs()
    {
        await Store.PutAsync("p/a", new MemoryStream([1, 2, 3]));
        await Store.PutAsync("p/ab", new MemoryStream([4, 5]));
        Assert.Equal([1, 2, 3], await ReadAllAsync(Store, "p/a"));
        Assert.Equal([4, 5], await ReadAllAsync(Store, "p/ab"));
        await Store.DeleteAsync("p/a");
        Assert.Equal([4, 5], await ReadAllAsync(Store, "p/ab"));
    }

    [Fact]
    public async Task A_listing_gives_the_blobs_under_a_prefix_with_their_sizes_for_the_orphan_sweep()
    {
        await Store.PutAsync("outputs/ns1/a.mp4", new MemoryStream(new byte[10]));
        await Store.PutAsync("outputs/ns1/b.mp4", new MemoryStream(new byte[3]));
        await Store.PutAsync("outputs/ns2/c.mp4", new MemoryStream(new byte[1]));
        await Store.PutAsync("files/x", new MemoryStream(new byte[1]));

        var listed = new List<StoredBlob>();
        await foreach (var blob in Store.ListAsync("outputs/ns1/")) listed.Add(blob);

        Assert.Equal([("outputs/ns1/a.mp4", 10L), ("outputs/ns1/b.mp4", 3L)], listed.Select(b => (b.Key, b.Size)).OrderBy(b => b.Key));
        Assert.All(listed, b => Assert.True(b.LastModified > DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5), $"{b.Key} last modified {b.LastModified}"));
        Assert.Equal(0, await Store.ReclaimAbandonedWritesAsync(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1))); // nothing half-written
    }
}
