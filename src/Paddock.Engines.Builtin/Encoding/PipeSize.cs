using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Paddock.Engines.Builtin.Encoding;

/// <summary>
/// A larger buffer for the pipe that carries frames to ffmpeg. Through Linux's default 64 KiB pipe an 8 MB 1080p frame
/// takes over a hundred hand-offs between the writing thread and ffmpeg's reader, each a wake-up and, on a busy machine,
/// a wait for a time slice; with 1 MiB (the most an unprivileged process may ask for by default) it takes eight.
/// Only the pipe's capacity changes, never the bytes: a pipe that cannot grow stays as it is.
/// </summary>
internal static partial class PipeSize
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    private const int GetPipeSize = 1032; // F_GETPIPE_SZ
    private const int Wanted = 1 << 20;

    /// <summary>Grows the pipe under <paramref name="stream"/> to up to 1 MiB (no more than a frame); returns its capacity, or null where unknown.</summary>
    public static int? TryEnlarge(Stream stream, int frameBytes)
    {
        if (!OperatingSystem.IsLinux() || stream is not PipeStream { SafePipeHandle: { IsInvalid: false } handle }) return null;
        var size = Math.Min(Wanted, Math.Max(frameBytes, 4096));
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            // Refused above the system's limit (fs.pipe-max-size) for unprivileged processes: the pipe keeps its size.
            _ = Fcntl(fd, SetPipeSize, size);
            var now = Fcntl(fd, GetPipeSize, 0);
            return now > 0 ? now : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
