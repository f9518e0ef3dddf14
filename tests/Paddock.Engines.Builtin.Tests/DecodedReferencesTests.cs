using System.Security.Cryptography;
using Paddock.Engines.Builtin.Rendering;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>References decoded once are reused by later renders of the same engine, and change nothing a user sees.</summary>
public sealed class DecodedReferencesTests : IDisposable
{
    private static readonly BuiltinEngineOptions Fast = new() { Preset = "ultrafast" };

    private readonly string _directory = Directory.CreateTempSubdirectory("paddock-decoded-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_render_from_kept_references_gives_the_same_bytes_as_a_fresh_engine()
    {
        var references = new[] { TestMedia.Character("fox", 1), TestMedia.Photo(2) };
        var job = TestMedia.Job(320, 180, 2, references, "Image 1 walks through Image 2 with falling petals, then Image 1 jumps, zoom in", seed: 5);
        var engine = new BuiltinVideoEngine(Fast);

        var first = await RenderAsync(engine, job, "first.mp4");
        Assert.Equal(2, engine.Decoded.Count);
        // Another generation of the same request (a new id), rendered from the kept references.
        var again = await RenderAsync(engine, job with { GenerationId = Guid.NewGuid() }, "again.mp4");
        var fresh = await RenderAsync(new BuiltinVideoEngine(Fast), job, "fresh.mp4");

        Assert.Equal(2, engine.Decoded.Count);
        Assert.Equal(Hash(fresh), Hash(first));
        Assert.Equal(Hash(fresh), Hash(again));
    }

    [Fact]
    public async Task Other_images_or_another_size_are_decoded_anew_and_render_what_they_show()
    {
        var engine = new BuiltinVideoEngine(Fast);
        var prompt = "Image 1 waves in Image 2";
        var redFox = TestMedia.Job(320, 180, 1, [TestMedia.Character("fox", 1), TestMedia.Photo(2, seed: 1)], prompt, seed: 9);
        // Same positions, other pictures: the kept ones must not stand in for them.
        var otherSet = redFox with { GenerationId = Guid.NewGuid(), References = [redFox.References[0], TestMedia.Photo(2, seed: 2)] };
        var larger = redFox with { GenerationId = Guid.NewGuid(), Width = 640, Height = 360 };

        var kept = await RenderAsync(engine, redFox, "kept.mp4");
        var other = await RenderAsync(engine, otherSet, "other.mp4");
        var big = await RenderAsync(engine, larger, "big.mp4");

        Assert.Equal(Hash(await RenderAsync(new BuiltinVideoEngine(Fast), otherSet, "other-fresh.mp4")), Hash(other));
        Assert.Equal(Hash(await RenderAsync(new BuiltinVideoEngine(Fast), larger, "big-fresh.mp4")), Hash(big));
        Assert.NotEqual(Hash(kept), Hash(other));
        // fox (once), two sets at 320x180, fox and set at 640x360.
        Assert.Equal(5, engine.Decoded.Count);
    }

    [Fact]
    public void The_cache_stays_within_its_bound_and_frees_an_evicted_reference_only_after_its_last_render()
    {
        var one = TestMedia.Photo(1, seed: 1);
        var two = TestMedia.Photo(1, seed: 2);
        var three = TestMedia.Photo(1, seed: 3);
        using (var probe = new DecodedReferences(long.MaxValue).Rent(one, 320, 180))
        {
            // Room for two decoded photos of this size, not three.
            var size = (long)probe.Member.Pixels.RowBytes * probe.Member.Pixels.Height;
            var cache = new DecodedReferences((2 * size) + (size / 2));

            var held = cache.Rent(one, 320, 180);
            cache.Rent(two, 320, 180).Dispose();
            cache.Rent(three, 320, 180).Dispose();

            Assert.Equal(2, cache.Count);
            Assert.True(cache.Bytes <= (2 * size) + (size / 2));
            // The first photo left the cache while a render still held it: it is still whole for that render.
            Assert.Equal(probe.Member.Pixels.Width, held.Member.Pixels.Width);
            Assert.True(held.Member.Image.PeekPixels() is { } pixels && pixels.GetPixelColor(10, 10) == probe.Member.Image.PeekPixels()!.GetPixelColor(10, 10));
            held.Dispose();

            // Asked again, it is decoded anew and is the same picture.
            using var again = cache.Rent(one, 320, 180);
            Assert.Equal(probe.Member.Image.PeekPixels()!.GetPixelColor(10, 10), again.Member.Image.PeekPixels()!.GetPixelColor(10, 10));
        }
    }

    private async Task<string> RenderAsync(BuiltinVideoEngine engine, Core.Engines.RenderJob job, string name)
    {
        var path = Path.Combine(_directory, name);
        await engine.RenderAsync(job, path, new ProgressLog(), CancellationToken.None);
        return path;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
