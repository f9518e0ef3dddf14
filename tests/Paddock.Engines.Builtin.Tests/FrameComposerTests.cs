using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin.Tests;

public sealed class FrameComposerTests
{
    [Theory]
    [InlineData(true, 640, 360)]  // 4:3 references fill a 16:9 frame
    [InlineData(true, 360, 640)]  // and sit inside a 9:16 one, over the backdrop
    [InlineData(false, 640, 360)] // the procedural set
    public void Drawing_frames_allocates_nothing_per_frame(bool withReferences, int width, int height)
    {
        var job = TestMedia.Job(width, height, 3, withReferences ? TestMedia.TwoReferences() : []);
        var cast = job.References.Select(r => ReferenceDecoder.Decode(r, job.Width, job.Height)).ToList();
        using var composer = new FrameComposer(Director.Plan(job), cast);
        using var buffer = new FrameBuffer(job.Width, job.Height);
        composer.Compose(buffer, 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var frame = 1; frame < job.FrameCount; frame++)
        {
            composer.Compose(buffer, frame);
        }

        var perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(job.FrameCount - 1);
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
        using var composer = new FrameComposer(Director.Plan(job), cast);
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
