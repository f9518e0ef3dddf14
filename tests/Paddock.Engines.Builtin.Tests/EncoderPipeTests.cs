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
}
