using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin.Tests;

public sealed class FrameComposerTests
{
    [Theory]
    [InlineData(true, 640, 360, "Image 1 walks through a beautiful garden, cinematic lighting.")] // references as sets
    [InlineData(true, 360, 640, "Image 2 dances in the rain. Then Image 1 spins.")]               // 4:3 sets in a 9:16 frame, a dissolve
    [InlineData(false, 640, 360, "A fox runs through the snow as snow falls, pan left")]          // the procedural set with particles
    [InlineData(false, 640, 360, "Sparkles and fireflies and petals at night in the city, neon, handheld")]
    public void Drawing_frames_allocates_nothing_per_frame(bool withReferences, int width, int height, string prompt)
    {
        var references = withReferences ? TestMedia.TwoReferences().Append(TestMedia.Character("fox", 3)).ToList() : [];
        var job = TestMedia.Job(width, height, 3, references, prompt);
        var cast = job.References.Select(r => ReferenceDecoder.Decode(r, job.Width, job.Height)).ToList();
        using var composer = new FrameComposer(TestMedia.Plan(job, cast), cast);
        using var buffer = new FrameBuffer(job.Width, job.Height);
        // A first pass over every kind of frame (shots, dissolves) runs any one-off initialisation.
        for (var frame = 0; frame < job.FrameCount; frame++)
        {
            composer.Compose(buffer, frame);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var frame = 0; frame < job.FrameCount; frame++)
        {
            composer.Compose(buffer, frame);
        }

        var perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)job.FrameCount;
        cast.ForEach(member => member.Dispose());
        Assert.True(perFrame < 64, $"{perFrame:F0} bytes allocated per frame");
    }

    [Fact]
    public void Consecutive_frames_move_smoothly()
    {
        // Every frame differs from the one before (the camera never stops), but only a little: no jumps
        // outside the cross-fades.
        var job = TestMedia.Job(320, 180, 3, [TestMedia.TwoReferences()[0]]);
        var cast = job.References.Select(r => ReferenceDecoder.Decode(r, job.Width, job.Height)).ToList();
        using var composer = new FrameComposer(TestMedia.Plan(job, cast), cast);
        using var buffer = new FrameBuffer(job.Width, job.Height);
        byte[]? previous = null;
        for (var frame = 0; frame < job.FrameCount; frame++)
        {
            composer.Compose(buffer, frame);
            if (previous is not null)
            {
                var change = MeanAbsoluteDifference(previous, buffer.Pixels);
                Assert.True(change > 0, $"frame {frame} is identical to the one before");
                Assert.True(change < 12, $"frame {frame} jumps by {change:F1} levels on average");
            }

            previous = (byte[])buffer.Pixels.Clone();
        }

        cast.ForEach(member => member.Dispose());
    }

    private static double MeanAbsoluteDifference(byte[] a, byte[] b)
    {
        long total = 0;
        for (var i = 0; i < a.Length; i++)
        {
            total += Math.Abs(a[i] - b[i]);
        }

        return total / (double)a.Length;
    }
}
