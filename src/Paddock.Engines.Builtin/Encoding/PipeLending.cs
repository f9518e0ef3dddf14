using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Paddock.Engines.Builtin.Encoding;

/// <summary>
/// Hands a frame's memory pages to the pipe with <c>vmsplice(2)</c> instead of copying them in with <c>write(2)</c>: the
/// kernel's copy of every frame (8 MB at 1080p) was the renderer's largest single cost in the kernel. ffmpeg reads the
/// same bytes either way. A lent page stays in the pipe until ffmpeg has read it, so the frame must not change until
/// then; <see cref="FfmpegEncoder.LendFrame"/> says when that is.
/// </summary>
internal static unsafe partial class PipeLending
{
    private const int WouldBlock = 11; // EAGAIN
    private const int Interrupted = 4; // EINTR
    private const int BrokenPipe = 32; // EPIPE
    private const short PollOut = 0x004;

    /// <summary>The pipe's file descriptor, or -1 where frames cannot be lent (not Linux, not a pipe).</summary>
    public static int Descriptor(Stream stream) =>
        OperatingSystem.IsLinux() && stream is PipeStream { SafePipeHandle: { IsInvalid: false } handle } ? (int)handle.DangerousGetHandle() : -1;

    /// <summary>
    /// Lends all of <paramref name="frame"/> (pinned) to the pipe; returns how many bytes went, fewer only where the
    /// system refuses to splice (the caller writes the rest). Throws <see cref="IOException"/> when the reader is gone.
    /// </summary>
    public static int Lend(int descriptor, byte[] frame)
    {
        var sent = 0;
        fixed (byte* start = frame)
        {
            while (sent < frame.Length)
            {
                var segment = new IoVector { Base = start + sent, Length = (nuint)(frame.Length - sent) };
                var moved = VmSplice(descriptor, &segment, 1, 0);
                if (moved > 0)
                {
                    sent += (int)moved;
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (moved < 0 && error == Interrupted)
                {
                    continue;
                }

                if (moved < 0 && error == WouldBlock)
                {
                    // A non-blocking pipe that is full: wait until ffmpeg has read some of it.
                    var wait = new PollDescriptor { Descriptor = descriptor, Events = PollOut };
                    _ = Poll(&wait, 1, -1);
                    continue;
                }

                if (moved < 0 && error == BrokenPipe)
                {
                    throw new IOException("ffmpeg closed its input (broken pipe).");
                }

                // Not supported here (or nothing moved): the caller copies what is left.
                return sent;
            }
        }

        return sent;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "vmsplice", SetLastError = true)]
    private static partial nint VmSplice(int descriptor, IoVector* vectors, nuint count, uint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);
}
