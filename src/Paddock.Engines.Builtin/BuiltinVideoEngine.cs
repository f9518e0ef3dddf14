using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Core.Engines;
using Paddock.Core.Hosting;
using Paddock.Engines.Builtin.Encoding;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin;

/// <summary>
/// The built-in engine: a deterministic motion-graphics renderer (SkiaSharp frames piped to ffmpeg),
/// not a neural network. The director plans shots from the prompt and the references, the
/// composer draws each frame, and ffmpeg encodes the frames as they come.
/// </summary>
public sealed class BuiltinVideoEngine : IVideoEngine
{
    /// <summary>Progress is reported every this many frames (half a second of video at 24 fps).</summary>
    private const int ProgressEveryFrames = 12;

    /// <summary>
    /// Decoded references kept between renders, at most this many bytes of pixels: four or five references at their
    /// largest for a 1080P frame (a 16:9 photo is kept at up to 2400×1350, 13 MB), many more of the usual smaller ones.
    /// </summary>
    private const long DecodedReferenceBytes = 64L << 20;

    private readonly BuiltinEngineOptions _options;
    private readonly ILogger _logger;

    /// <summary>References decoded by earlier renders of this engine, shared (read-only) by the renders that use them.</summary>
    internal DecodedReferences Decoded { get; } = new(DecodedReferenceBytes);

    public BuiltinVideoEngine(BuiltinEngineOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // A snapshot: changing the options object later must not change what a running engine produces.
        _options = new BuiltinEngineOptions
        {
            FfmpegPath = options.FfmpegPath,
            Preset = options.Preset,
            Threads = options.Threads,
            Crf = options.Crf,
        };
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name => "builtin";

    public string Description =>
        "Built-in deterministic motion-graphics renderer (not a neural network): reads the prompt for shots, actions, camera moves, light and weather, cuts the references out as actors or uses them as sets, and animates them over procedural scenery, on the CPU.";

    public string Version => "builtin-3";

    public string Type => "builtin";

    /// <summary>Every frame is drawn and encoded here to the exact size, rate and count: nothing to conform.</summary>
    public bool WritesExactOutput => true;

    public Task RenderAsync(RenderJob job, RenderContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RenderAsync(job, context.OutputPath, context.Progress, cancellationToken);
    }

    /// <summary>Available when its ffmpeg can be found (a path, or a name on PATH).</summary>
    public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Executables.Find(_options.FfmpegPath) is not null
            ? BackendHealth.Available
            : BackendHealth.Unavailable($"ffmpeg ('{_options.FfmpegPath}') was not found; install it (apt-get install ffmpeg) or set Paddock:Engines:Builtin:FfmpegPath"));

    public async Task RenderAsync(RenderJob job, string outputPath, IProgress<RenderProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        ArgumentNullException.ThrowIfNull(progress);
        Validate(job);
        cancellationToken.ThrowIfCancellationRequested();

        // Rendering is CPU-bound and blocks on the pipe to ffmpeg: it gets its own thread rather than a pool thread.
        await Task.Factory.StartNew(
                () => Render(job, Path.GetFullPath(outputPath), progress, cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)
            .ConfigureAwait(false);
    }

    private void Render(RenderJob job, string outputPath, IProgress<RenderProgress> progress, CancellationToken cancellationToken)
    {
        Log.RenderStarting(_logger, job.GenerationId, job.Width, job.Height, job.FrameCount, job.References.Count);
        var started = Stopwatch.GetTimestamp();
        var directory = Path.GetDirectoryName(outputPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // ffmpeg writes next to the destination and the file is moved into place only when complete:
        // a reader never sees half a video, and a failure leaves nothing behind.
        var partialPath = $"{outputPath}.{Guid.NewGuid():N}.partial";
        var cast = new DecodedReferences.Lease?[job.References.Count];
        var frame = 0;
        try
        {
            // ffmpeg starts first: its start-up overlaps the preparation below.
            using var encoder = FfmpegEncoder.Start(EncoderSettings.From(_options, job.Width, job.Height, job.FramesPerSecond), partialPath);
            // A cancel kills ffmpeg at once, which also unblocks a write waiting on a full pipe.
            using var registration = cancellationToken.Register(static state => ((FfmpegEncoder)state!).Kill(), encoder);

            // Nothing is encoding yet, so the cores are free: references decode (and are cut out) in parallel.
            Parallel(job.References.Count, i => cast[i] = Decoded.Rent(job.References[i], job.Width, job.Height), cancellationToken);
            var members = cast.Select(lease => lease!.Member).ToList();
            var board = Director.Plan(job, members.Select((member, slot) => member.Profile(slot)).ToList());
            using var composer = new FrameComposer(board, members, cancellationToken);
            using var buffer = new FrameBuffer(job.Width, job.Height);
            // Frames lent to the pipe (not copied into it) stay there until ffmpeg reads them: two buffers drawn in
            // turn, so a frame is drawn only into memory the pipe has given back.
            using var other = encoder.LendsFrames ? new FrameBuffer(job.Width, job.Height) : null;

            // One thread draws and writes in turn. A writer thread one frame behind (double-buffered)
            // measured no faster on 2 cores: x264 keeps both busy, so it only adds a thread.
            try
            {
                for (frame = 0; frame < job.FrameCount; frame++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var target = other is not null && frame % 2 == 1 ? other : buffer;
                    composer.Compose(target, frame);
                    encoder.LendFrame(target.Pixels);
                    if ((frame + 1) % ProgressEveryFrames == 0 || frame + 1 == job.FrameCount)
                    {
                        progress.Report(new RenderProgress("rendering", (frame + 1) / (double)job.FrameCount));
                    }
                }
            }
            catch (IOException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw encoder.FailureAfterBrokenPipe(exception);
            }

            try
            {
                encoder.Complete();
            }
            catch (InvalidOperationException) when (cancellationToken.IsCancellationRequested)
            {
                // Killed by the cancel while finishing: that is a cancel, not an encoder failure.
            }

            cancellationToken.ThrowIfCancellationRequested();
            registration.Dispose();
            File.Move(partialPath, outputPath, overwrite: true);
            progress.Report(new RenderProgress("encoding", 1.0));

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Log.RenderFinished(_logger, job.GenerationId, seconds * 1000, job.FrameCount / Math.Max(seconds, 1e-9));
        }
        catch (Exception exception) when (cancellationToken.IsCancellationRequested && exception is IOException or OperationCanceledException)
        {
            Log.RenderCancelled(_logger, job.GenerationId, frame);
            throw new OperationCanceledException("The render was cancelled.", exception, cancellationToken);
        }
        catch (EncoderKilledException killed)
        {
            Log.RenderFailed(_logger, job.GenerationId, killed);
            // Retried like an unavailable backend: the encoder, not the request, failed.
            throw new EngineFailureException(FailureKind.ProviderUnavailable, $"rendering failed: {killed.Message}", inner: killed);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.RenderFailed(_logger, job.GenerationId, exception);
            throw;
        }
        finally
        {
            foreach (var lease in cast)
            {
                lease?.Dispose();
            }

            TryDelete(partialPath);
        }
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1 on all cores; the first failure is rethrown as itself.</summary>
    private static void Parallel(int count, Action<int> body, CancellationToken cancellationToken)
    {
        try
        {
            System.Threading.Tasks.Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, body);
        }
        catch (AggregateException failure)
        {
            // The failure of the earliest reference, so the error names the same image every time.
            var first = failure.InnerExceptions.OfType<InvalidDataException>().OrderBy(e => e.Message, StringComparer.Ordinal).FirstOrDefault();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first ?? failure.InnerExceptions[0]).Throw();
        }
    }

    private static void Validate(RenderJob job)
    {
        // The orchestrator sends only validated jobs; these guard the pipe and ffmpeg from nonsense.
        if (job.Width is < 16 or > 8192 || job.Height is < 16 or > 8192 || job.Width % 2 != 0 || job.Height % 2 != 0)
        {
            throw new ArgumentException($"Output size {job.Width}x{job.Height} is not an even size between 16 and 8192.", nameof(job));
        }

        if (job.FramesPerSecond is < 1 or > 240)
        {
            throw new ArgumentException($"Frame rate {job.FramesPerSecond} is out of range.", nameof(job));
        }

        if (job.FrameCount is < 1 or > 100_000)
        {
            throw new ArgumentException($"Frame count {job.FrameCount} is out of range.", nameof(job));
        }

        ArgumentNullException.ThrowIfNull(job.References, nameof(job.References));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .partial file is harmless and named as such.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
