using System.Diagnostics;
using System.Runtime.InteropServices;
using Paddock.Core.Engines;
using Paddock.Engines.Builtin;
using Paddock.Engines.Builtin.Encoding;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace RenderPathBench;

/// <summary>
/// The floor: the request's frames, drawn by the engine's own composer beforehand and held in memory, encoded by ffmpeg
/// alone through the same pipe with the same arguments as the engine's (its default settings). The output must be the
/// same bytes as `paddock render` of the request: that proves the frames are the same.
/// </summary>
internal sealed class EncodeOnly : IDisposable
{
    private readonly byte[][] _frames;

    private EncodeOnly(byte[][] frames) => _frames = frames;

    public int FrameCount => _frames.Length;

    public static EncodeOnly Compose(IReadOnlyList<string> referenceFiles, long seed, string prompt, int width, int height, int frameCount)
    {
        var references = referenceFiles.Select((file, i) =>
        {
            var bytes = File.ReadAllBytes(file);
            using var codec = SKCodec.Create(new MemoryStream(bytes));
            return new ReferenceImage(i + 1, file, bytes, "image/png", codec.Info.Width, codec.Info.Height);
        }).ToList();
        var job = new RenderJob(Guid.NewGuid(), "happyhorse-1.0-r2v", prompt, references, width, height, 24, frameCount, seed);
        var cast = job.References.Select(r => ReferenceDecoder.Decode(r, job.Width, job.Height)).ToList();
        try
        {
            using var composer = new FrameComposer(Director.Plan(job, cast.Select((member, slot) => member.Profile(slot)).ToList()), cast);
            using var buffer = new FrameBuffer(job.Width, job.Height);
            var frames = new byte[job.FrameCount][];
            for (var i = 0; i < job.FrameCount; i++)
            {
                composer.Compose(buffer, i);
                frames[i] = GC.AllocateUninitializedArray<byte>(buffer.Pixels.Length);
                buffer.Pixels.CopyTo(frames[i], 0);
            }

            return new EncodeOnly(frames);
        }
        finally
        {
            cast.ForEach(member => member.Dispose());
        }
    }

    /// <summary>One encode: its wall time and the CPU seconds of ffmpeg and of this process (writing the pipe).</summary>
    public (double Wall, double Cpu) Encode(string output)
    {
        var children = ChildCpu.Read();
        var own = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using (var encoder = FfmpegEncoder.Start(EncoderSettings.From(new BuiltinEngineOptions(), 1920, 1080, 24), output))
        {
            foreach (var frame in _frames) encoder.WriteFrame(frame);
            encoder.Complete();
        }

        var wall = clock.Elapsed.TotalSeconds;
        var cpu = ChildCpu.Read() - children + (Process.GetCurrentProcess().TotalProcessorTime - own).TotalSeconds;
        return (wall, cpu);
    }

    public void Dispose() => Array.Clear(_frames);
}

/// <summary>CPU seconds of this process's waited-for children (and theirs): getrusage(RUSAGE_CHILDREN).</summary>
internal static class ChildCpu
{
    public static double Read()
    {
        // struct rusage starts with two struct timevals (seconds, microseconds): user, then system time.
        var usage = new long[18];
        if (getrusage(-1, usage) != 0) return double.NaN;
        return usage[0] + (usage[1] / 1e6) + usage[2] + (usage[3] / 1e6);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, [Out] long[] usage);
}
