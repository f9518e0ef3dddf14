using Paddock.Core.Prompts;
using Paddock.Core.Engines;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// Reads the job and decides the shots: which reference is on screen when, for how long, and how
/// the camera moves. The prompt's named references come first and get the larger share; the
/// others still appear. Without references the whole clip is one procedural shot.
/// </summary>
internal static class Director
{
    /// <summary>A cross-fade lasts half a second at 24 fps, less when shots are short.</summary>
    private const int PreferredFadeFrames = 12;

    /// <summary>
    /// A third of a second: nine references (the most the API allows) still fit the shortest
    /// clip (3 s), so every reference always appears.
    /// </summary>
    private const int MinimumShotFrames = 8;

    private const float NamedWeight = 2f;
    private const float UnnamedWeight = 1f;

    public static Storyboard Plan(RenderJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var promptHash = StableHash.Of(job.Prompt);
        var palette = Palette.From(DeterministicRandom.For(job.Seed, "palette"));
        var camera = DeterministicRandom.For(job.Seed, "camera");

        var referenceCount = job.References.Count;
        if (referenceCount == 0)
        {
            var move = ProceduralMove(camera);
            return new Storyboard(job.Width, job.Height, job.FramesPerSecond, job.FrameCount,
                [new Shot(-1, 0, job.FrameCount, move, NamedInPrompt: false)], 0, palette, job.Seed, promptHash);
        }

        var order = CastOrder(job.Prompt, referenceCount);
        var boundaries = Boundaries(order.Select(o => o.Named ? NamedWeight : UnnamedWeight).ToArray(), job.FrameCount);

        var shots = new List<Shot>(order.Count);
        var shortest = int.MaxValue;
        for (var i = 0; i < order.Count; i++)
        {
            var shot = new Shot(order[i].Slot, boundaries[i], boundaries[i + 1], KenBurns(camera), order[i].Named);
            shortest = Math.Min(shortest, shot.Length);
            shots.Add(shot);
        }

        // Even, and no longer than the shortest shot, so two fades never overlap.
        var fade = shots.Count == 1 ? 0 : Math.Min(PreferredFadeFrames, shortest) & ~1;
        return new Storyboard(job.Width, job.Height, job.FramesPerSecond, job.FrameCount, shots, fade, palette, job.Seed, promptHash);
    }

    /// <summary>Named references in order of first mention, then the rest in their own order.</summary>
    internal static IReadOnlyList<(int Slot, bool Named)> CastOrder(string? prompt, int referenceCount)
    {
        var named = ReferenceMentions.NamedWithin(prompt, referenceCount);
        var order = new List<(int Slot, bool Named)>(referenceCount);
        order.AddRange(named.Select(index => (index - 1, true)));
        for (var slot = 0; slot < referenceCount; slot++)
        {
            if (!named.Contains(slot + 1))
            {
                order.Add((slot, false));
            }
        }

        return order;
    }

    /// <summary>Shot boundaries (count + 1 of them, from 0 to frameCount) proportional to the weights.</summary>
    internal static int[] Boundaries(float[] weights, int frameCount)
    {
        var count = weights.Length;
        var boundaries = new int[count + 1];
        var minimum = Math.Min(MinimumShotFrames, frameCount / count);
        var total = weights.Sum();

        // Every shot first gets the minimum; the rest of the frames are shared by weight.
        var spare = frameCount - (minimum * count);
        var cumulative = 0f;
        for (var i = 0; i < count; i++)
        {
            cumulative += weights[i];
            boundaries[i + 1] = (minimum * (i + 1)) + (int)MathF.Round(spare * cumulative / total);
        }

        boundaries[count] = frameCount;
        return boundaries;
    }

    private static CameraMove KenBurns(DeterministicRandom random)
    {
        var start = random.Range(1.0f, 1.04f);
        var end = start + random.Range(0.07f, 0.15f);
        if (!random.Chance(0.6f))
        {
            (start, end) = (end, start);
        }

        var angle = random.Range(0f, MathF.Tau);
        var reach = random.Range(0.45f, 0.95f);
        var direction = new SKPoint(MathF.Cos(angle) * reach, MathF.Sin(angle) * reach);
        return new CameraMove(start, end, new SKPoint(-direction.X, -direction.Y), direction);
    }

    private static CameraMove ProceduralMove(DeterministicRandom random)
    {
        var start = random.Range(1.0f, 1.02f);
        var end = start + random.Range(0.03f, 0.06f);
        if (random.Chance(0.5f))
        {
            (start, end) = (end, start);
        }

        var side = random.Sign() * random.Range(0.4f, 0.9f);
        return new CameraMove(start, end, new SKPoint(-side, random.Range(-0.3f, 0.3f)), new SKPoint(side, random.Range(-0.3f, 0.3f)));
    }
}
