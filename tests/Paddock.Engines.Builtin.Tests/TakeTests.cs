using System.Security.Cryptography;
using Paddock.Core.Engines;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// Several takes of one prompt (num_generations: seeds seed, seed + 1, ...) are a choice: each looks
/// different (light, palette, framing, where the subject stands, how it moves, the camera's path),
/// measured on the frames as a whole (small colour thumbnails: composition and colour, not texture);
/// the same seed gives the same video, byte for byte.
/// </summary>
public sealed class TakeTests : IDisposable
{
    private const int Width = 320;
    private const int Height = 180;

    private readonly string _directory = Directory.CreateTempSubdirectory("paddock-takes-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("Image 1 walks through a beautiful garden, cinematic lighting.", true)]
    [InlineData("Image 1 walks through a beautiful garden, cinematic lighting.", false)]
    [InlineData("A fox runs through a snowy forest", false)]
    [InlineData("Image 1 dances on the beach, pan left", true)]
    public void Four_takes_of_one_prompt_all_look_different(string prompt, bool withReference)
    {
        IReadOnlyList<ReferenceImage> references = withReference ? [TestMedia.Character("fox", 1)] : [];
        var takes = Enumerable.Range(42, 4)
            .Select(seed => TestMedia.Frames(TestMedia.Job(Width, Height, 5, references, prompt, seed: seed), [12, 36, 60, 84, 108]).Select(Thumbnail).ToList())
            .ToList();

        var pairs = new List<string>();
        for (var a = 0; a < takes.Count; a++)
        {
            for (var b = a + 1; b < takes.Count; b++)
            {
                var difference = takes[a].Zip(takes[b], (x, y) => x.Zip(y, (p, q) => Math.Abs(p - q)).Average()).Average();
                if (difference < 16)
                {
                    pairs.Add($"seeds {42 + a} and {42 + b}: {difference:F1}");
                }
            }
        }

        Assert.True(pairs.Count == 0, $"takes that look alike (mean difference of 16x9 thumbnails, levels): {string.Join("; ", pairs)}");
    }

    [Theory]
    [InlineData("A fox runs through a snowy forest, cinematic", false)]
    [InlineData("Image 1 and a robot dance in the garden at sunset", true)]
    public async Task The_same_seed_gives_the_same_bytes(string prompt, bool withReference)
    {
        IReadOnlyList<ReferenceImage> references = withReference ? [TestMedia.Character("owl", 1)] : [];
        var job = TestMedia.Job(Width, Height, 2, references, prompt, seed: 1234);
        var engine = new BuiltinVideoEngine(new BuiltinEngineOptions { Preset = "ultrafast" });
        var first = Path.Combine(_directory, "first.mp4");
        var second = Path.Combine(_directory, "second.mp4");
        var other = Path.Combine(_directory, "other.mp4");

        await engine.RenderAsync(job, first, new ProgressLog(), CancellationToken.None);
        await engine.RenderAsync(job with { GenerationId = Guid.NewGuid() }, second, new ProgressLog(), CancellationToken.None);
        await engine.RenderAsync(job with { Seed = 1235 }, other, new ProgressLog(), CancellationToken.None);

        Assert.Equal(Hash(first), Hash(second));
        Assert.NotEqual(Hash(first), Hash(other));
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>16x9 blocks of 20x20 pixels, each channel averaged.</summary>
    private static float[] Thumbnail(byte[] bgra)
    {
        const int block = 20;
        var (columns, rows) = (Width / block, Height / block);
        var values = new float[columns * rows * 3];
        for (var y = 0; y < rows * block; y++)
        {
            for (var x = 0; x < columns * block; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    values[((((y / block) * columns) + (x / block)) * 3) + c] += bgra[(((y * Width) + x) * 4) + c] / (float)(block * block);
                }
            }
        }

        return values;
    }
}
