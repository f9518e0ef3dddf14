using Paddock.Engines.Builtin.Encoding;

namespace Paddock.Engines.Builtin.Tests;

public sealed class EncoderPipeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paddock-pipe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// An 8 MB 1080p frame crosses a default 64 KiB pipe in over a hundred hand-offs between the renderer and ffmpeg (each
    /// a wake-up, and on a busy machine a wait for a time slice); the encoder's pipe holds a megabyte where Linux allows.
    /// </summary>
    [Fact]
    public void Frames_reach_ffmpeg_through_a_pipe_that_holds_a_megabyte()
    {
        if (!OperatingSystem.IsLinux()) return;
        var allowed = int.Parse(File.ReadAllText("/proc/sys/fs/pipe-max-size").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var job = TestMedia.Job(1920, 1080, 1, TestMedia.TwoReferences());
        var frames = TestMedia.Frames(job, Enumerable.Range(0, 6));
        var output = Path.Combine(_directory, "out.mp4");

        using (var encoder = FfmpegEncoder.Start(EncoderSettings.From(new BuiltinEngineOptions { Preset = "ultrafast" }, 1920, 1080, 24), output))
        {
            Assert.True(encoder.PipeCapacity >= Math.Min(1 << 20, allowed), $"pipe holds {encoder.PipeCapacity} bytes; the system allows {allowed}");
            foreach (var frame in frames) encoder.WriteFrame(frame);
            encoder.Complete();
        }

        var video = TestMedia.Probe(output);
        Assert.Equal(6, video.Frames);
        Assert.Equal(1920, video.Width);
    }

    /// <summary>
    /// The renderer lends each frame's pages to the pipe rather than copying them in, drawing into two buffers in turn; a
    /// buffer drawn over before ffmpeg had read it would put parts of a later frame into an earlier one. Different frames
    /// (a shot's motion) sent both ways must make the same video, byte for byte.
    /// </summary>
    [Fact]
    public void Frames_lent_to_the_pipe_make_the_same_video_as_frames_copied_into_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        var job = TestMedia.Job(1920, 1080, 1, TestMedia.TwoReferences());
        var frames = TestMedia.Frames(job, Enumerable.Range(0, 12));
        var settings = EncoderSettings.From(new BuiltinEngineOptions { Preset = "ultrafast" }, 1920, 1080, 24);
        var copied = Path.Combine(_directory, "copied.mp4");
        var lent = Path.Combine(_directory, "lent.mp4");

        using (var encoder = FfmpegEncoder.Start(settings, copied))
        {
            foreach (var frame in frames) encoder.WriteFrame(frame);
            encoder.Complete();
        }

        byte[][] buffers = [GC.AllocateArray<byte>(frames[0].Length, pinned: true), GC.AllocateArray<byte>(frames[0].Length, pinned: true)];
        using (var encoder = FfmpegEncoder.Start(settings, lent))
        {
            Assert.True(encoder.LendsFrames, "a 1080p frame is larger than the pipe, so frames are lent");
            for (var i = 0; i < frames.Count; i++)
            {
                // Drawn into the buffer that went two frames ago: its pages must have left the pipe by now.
                frames[i].CopyTo(buffers[i % 2], 0);
                encoder.LendFrame(buffers[i % 2]);
            }

            encoder.Complete();
        }

        Assert.Equal(12, TestMedia.Probe(lent).Frames);
        Assert.True(File.ReadAllBytes(copied).AsSpan().SequenceEqual(File.ReadAllBytes(lent)), "the lent frames made a different video from the copied ones");
    }
}
