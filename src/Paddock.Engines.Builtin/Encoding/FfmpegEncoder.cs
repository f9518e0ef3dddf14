using System.ComponentModel;
using System.Diagnostics;

namespace Paddock.Engines.Builtin.Encoding;

/// <summary>
/// An ffmpeg process that takes raw frames on stdin and writes the MP4. Frames are written
/// synchronously from the caller's buffer (no copies); stderr is drained in the background and its
/// last lines kept for error messages.
/// </summary>
internal sealed class FfmpegEncoder : IDisposable
{
    private const int StderrLinesKept = 20;

    private readonly Process _process;
    private readonly Queue<string> _stderrTail = new();
    private readonly Lock _gate = new();
    private Stream _stdin = Stream.Null;
    private int _lendTo = -1;
    private bool _inputClosed;
    private bool _disposed;
    private bool _killedHere;

    private FfmpegEncoder(Process process) => _process = process;

    /// <summary>Starts ffmpeg writing to <paramref name="outputPath"/>.</summary>
    /// <exception cref="InvalidOperationException">ffmpeg could not be started.</exception>
    public static FfmpegEncoder Start(EncoderSettings settings, string outputPath)
    {
        var startInfo = new ProcessStartInfo(settings.FfmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            // Only raw bytes go to stdin, but a writer with a preamble would prepend a BOM to the first frame.
            StandardInputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (var argument in settings.Arguments(outputPath))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        var encoder = new FfmpegEncoder(process);
        process.ErrorDataReceived += (_, line) => encoder.KeepStderr(line.Data);
        process.OutputDataReceived += static (_, _) => { };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            throw new InvalidOperationException($"ffmpeg could not be started from '{settings.FfmpegPath}': {exception.Message}", exception);
        }

        encoder._stdin = process.StandardInput.BaseStream;
        encoder.PipeCapacity = PipeSize.TryEnlarge(encoder._stdin, settings.FrameBytes);
        // A lent frame is safe to draw over once the frame after it has gone into the pipe in full; that holds when a
        // frame is larger than everything the pipe can hold (twice, for margin): then none of the earlier one is left in it.
        encoder._lendTo = encoder.PipeCapacity is { } capacity && settings.FrameBytes >= 2L * capacity ? PipeLending.Descriptor(encoder._stdin) : -1;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return encoder;
    }

    /// <summary>Bytes the pipe to ffmpeg's stdin holds, where the system says (Linux).</summary>
    public int? PipeCapacity { get; private set; }

    /// <summary>The last lines ffmpeg wrote to stderr.</summary>
    public string StderrTail
    {
        get
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _stderrTail);
            }
        }
    }

    /// <summary>Writes one frame. Throws <see cref="IOException"/> if ffmpeg has stopped reading (exited or was killed).</summary>
    public void WriteFrame(ReadOnlySpan<byte> frame) => _stdin.Write(frame);

    /// <summary>True where <see cref="LendFrame"/> hands frames over without copying them (Linux pipes).</summary>
    public bool LendsFrames => _lendTo >= 0;

    /// <summary>
    /// Sends one frame, pinned in memory, by lending its pages to the pipe where <see cref="LendsFrames"/> (else it is
    /// copied, as <see cref="WriteFrame"/> does). A lent frame must not change until the next frame has been sent from
    /// another buffer: draw into two buffers in turn. Throws <see cref="IOException"/> if ffmpeg has stopped reading.
    /// </summary>
    public void LendFrame(byte[] pinnedFrame)
    {
        var sent = LendsFrames ? PipeLending.Lend(_lendTo, pinnedFrame) : 0;
        if (sent < pinnedFrame.Length)
        {
            // Splicing refused (an old kernel, a seccomp filter): copy, now and from here on.
            _lendTo = -1;
            _stdin.Write(pinnedFrame.AsSpan(sent));
        }
    }

    /// <summary>Closes stdin, waits for ffmpeg to finish, and checks its exit code.</summary>
    /// <exception cref="InvalidOperationException">ffmpeg failed; the message carries its last stderr lines.</exception>
    public void Complete()
    {
        CloseInput();
        _process.WaitForExit();
        if (_process.ExitCode != 0)
        {
            throw Failure($"ffmpeg exited with code {_process.ExitCode}");
        }
    }

    /// <summary>
    /// After a failed write: waits briefly for ffmpeg to exit and describes why it stopped.
    /// </summary>
    public InvalidOperationException FailureAfterBrokenPipe(IOException exception)
    {
        var exited = _process.WaitForExit(TimeSpan.FromSeconds(5));
        if (exited)
        {
            // Let the stderr reader reach end of stream so the tail is complete.
            _process.WaitForExit();
        }

        var why = exited ? $"ffmpeg exited with code {_process.ExitCode} while frames were still being written" : "ffmpeg stopped reading frames";
        return Failure(why, exception);
    }

    /// <summary>Kills ffmpeg and its children at once. Safe to call from a cancellation callback, more than once.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                if (!_process.HasExited)
                {
                    _killedHere = true;
                    _process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
            catch (Win32Exception)
            {
                // Already gone.
            }
        }
    }

    /// <summary>Kills ffmpeg if it is still running and waits for it to go, so the output file is released.</summary>
    public void Dispose()
    {
        Kill();
        try
        {
            _process.WaitForExit(TimeSpan.FromSeconds(2));
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        lock (_gate)
        {
            _disposed = true;
        }

        CloseInput();
        _process.Dispose();
    }

    private void CloseInput()
    {
        if (_inputClosed)
        {
            return;
        }

        _inputClosed = true;
        try
        {
            _stdin.Dispose();
        }
        catch (IOException)
        {
            // ffmpeg is gone: flushing to a closed pipe fails, and nothing is buffered that matters.
        }
    }

    private InvalidOperationException Failure(string what, Exception? inner = null)
    {
        var tail = StderrTail;
        if (KilledFromOutside)
            return new EncoderKilledException($"{what}: ffmpeg was killed (SIGKILL) by another process or by the kernel's out-of-memory killer", inner);
        var message = tail.Length == 0 ? $"{what}." : $"{what}: {tail}";
        return new InvalidOperationException(message, inner);
    }

    /// <summary>
    /// Ended by SIGKILL that this encoder did not send: the kernel's out-of-memory killer, or an operator. .NET reports a
    /// signalled process's exit code as 128 plus the signal; ffmpeg never exits with 137 by itself.
    /// </summary>
    private bool KilledFromOutside
    {
        get
        {
            lock (_gate) return !_killedHere && _process.HasExited && _process.ExitCode == 128 + 9;
        }
    }

    private void KeepStderr(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_gate)
        {
            if (_stderrTail.Count == StderrLinesKept)
            {
                _stderrTail.Dequeue();
            }

            _stderrTail.Enqueue(line);
        }
    }
}

/// <summary>ffmpeg was killed from outside while encoding: nothing in the request caused it, so another try may well succeed.</summary>
internal sealed class EncoderKilledException(string message, Exception? inner) : InvalidOperationException(message, inner);
