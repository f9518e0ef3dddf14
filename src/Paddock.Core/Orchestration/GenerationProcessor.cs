using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Blobs;
using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Maintenance;
using Paddock.Core.Models;
using Paddock.Core.Queue;
using Paddock.Core.References;
using Paddock.Core.Storage;
using Paddock.Core.Telemetry;
using Paddock.Core.Video;

namespace Paddock.Core.Orchestration;

/// <summary>
/// Runs one claimed generation end to end: fetch and check references, render with the model's
/// engine, store the output, and commit the result fenced by the lease — while a heartbeat keeps
/// the lease, records progress, and stops the render when the row is cancelled or the lease lost.
/// </summary>
public sealed partial class GenerationProcessor(
    IGenerationStore store,
    IEventLog events,
    IBlobStore blobs,
    EngineRegistry engines,
    ModelCatalog catalog,
    RenderJobs jobs,
    IReferenceLinks links,
    IOutputConformer conformer,
    CancellationHub cancellations,
    EventHub eventHub,
    WorkArea work,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    PaddockMetrics metrics,
    ILogger<GenerationProcessor> logger)
{
    private readonly WorkerOptions _options = options.Value;

    /// <summary>The failure of an attempt that found no room to write (its video, its progress, its result).</summary>
    public const string StorageFullMessage = "rendering failed: the server's storage is full; submit it again later";

    public static string OutputKey(Generation g, int attempt) => OutputKeys.For(g.Namespace, g.Id, attempt);

    public async Task ProcessAsync(ClaimedGeneration claimed, CancellationToken stopping)
    {
        var (lease, generation) = (claimed.Lease, claimed.Generation);
        // The wait of a fresh row: enqueue to its first claim (a retry's pause, or a hand-back, is not queue time).
        if (generation.Attempt == 1 && generation.Retries == 0)
            metrics.RecordQueueWait(generation.Model, time.GetUtcNow() - generation.EnqueuedAt);
        var source = cancellations.Register(generation.Id, stopping);
        var progress = new ProgressTracker();
        // Started before the attempt's span, so the beats (one write every half second) stay out of the trace.
        var heartbeat = HeartbeatAsync(lease, generation, progress, source);
        // The attempt continues the trace of the request that submitted the row, in whatever process that ran.
        using var span = PaddockDiagnostics.StartAttempt(generation.TraceParent, generation.Id, generation.Namespace, generation.Model, generation.Attempt);
        // Every log line of the attempt, from any component (engines, reference fetching, storage), carries the
        // generation's id; the trace and span ids come from the logging's activity tracking.
        using var scope = logger.BeginScope(new GenerationLogScope(generation.Id));
        // In this process's work folder under the data directory: if the process dies, whoever sweeps next reclaims it.
        var workDirectory = work.PathFor($"{generation.Id:N}-{lease.Attempt}");
        // The attempt users see is the row's (hand-backs not counted); the lease's counts every claim, so it names files.
        LogStarted(generation.Id, generation.Attempt);
        try
        {
            await AppendAsync(GenerationEvents.Started(generation, generation.Attempt)).ConfigureAwait(false);
            var outputKey = await RenderAndStoreAsync(generation, lease, workDirectory, progress, source).ConfigureAwait(false);
            await StopHeartbeatAsync(heartbeat, progress).ConfigureAwait(false);
            if (await store.CompleteAsync(lease, outputKey, GenerationEvents.Succeeded(generation), CancellationToken.None).ConfigureAwait(false))
            {
                eventHub.Notify();
                span?.SetTag(PaddockDiagnostics.Tags.Outcome, "succeeded");
                LogSucceeded(generation.Id);
            }
            else
            {
                // Cancelled or lease lost while storing: the row is not ours, so neither is the output.
                await blobs.DeleteAsync(outputKey, CancellationToken.None).ConfigureAwait(false);
                LogDiscarded(generation.Id);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // This process is stopping: hand the row back now rather than let its lease run out, so another worker (or
            // this server after a restart) takes it at once, and the interrupted attempt is not held against it. Remote
            // work goes on: the next attempt resumes it from the row's checkpoint.
            await StopHeartbeatAsync(heartbeat, progress).ConfigureAwait(false);
            var released = await TryWriteAsync(generation.Id,
                () => store.ReleaseAsync(lease, GenerationEvents.Requeued(generation, "the server rendering it shut down; it is queued again"), CancellationToken.None)).ConfigureAwait(false);
            if (released) eventHub.Notify();
            LogStopped(generation.Id, released ? "the process is stopping; handed back to the queue" : "the process is stopping");
        }
        catch (OperationCanceledException) when (source.IsCancellationRequested)
        {
            if (await StopHeartbeatAsync(heartbeat, progress).ConfigureAwait(false) is { } broken)
            {
                // The heartbeat could not write: this attempt's progress and lease can no longer be kept, so it ends now.
                await EndWithFailureAsync(lease, generation, new EngineFailureException(FailureKind.EngineError, StorageFull.IsCause(broken) ? StorageFullMessage
                    : "rendering stopped: the server could not record the generation's progress (its storage may be failing); submit it again later", inner: broken)).ConfigureAwait(false);
            }
            else
            {
                // Cancelled by a client (the cancel already wrote the row and its event; remote work is cancelled by the
                // remote-cancel sweep) or the lease lost: nothing to write.
                LogStopped(generation.Id, "cancelled or lease lost");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await StopHeartbeatAsync(heartbeat, progress).ConfigureAwait(false);
            var failure = Classify(e);
            span.Fail(failure.Kind.ToWire(), failure.Message);
            await EndWithFailureAsync(lease, generation, failure).ConfigureAwait(false);
        }
        finally
        {
            // Nothing above lets an exception through before this point is reached, and nothing here throws: the
            // attempt's files go whatever happened.
            cancellations.Unregister(generation.Id, source);
            await StopHeartbeatAsync(heartbeat, progress).ConfigureAwait(false);
            source.Dispose();
            TryDeleteDirectory(workDirectory);
        }
    }

    private async Task<string> RenderAndStoreAsync(Generation generation, Lease lease, string workDirectory, ProgressTracker progress, CancellationTokenSource source)
    {
        var ct = source.Token;
        var model = catalog.Find(generation.Model) ?? throw new EngineFailureException(FailureKind.EngineError, $"model {generation.Model} is no longer offered by this server");
        var engine = engines.Find(model.Engine) ?? throw new EngineFailureException(FailureKind.EngineError, $"backend '{model.Engine}' of model {model.Id} is not configured on this worker");

        progress.Set("fetching_references", 0);
        RenderJob job;
        using (var fetching = PaddockDiagnostics.Source.StartActivity(PaddockDiagnostics.Spans.FetchReferences))
        {
            job = await jobs.PrepareAsync(generation, ct).ConfigureAwait(false);
            fetching?.SetTag(PaddockDiagnostics.Tags.References, job.References.Count);
        }

        Directory.CreateDirectory(workDirectory);
        var output = Path.Combine(workDirectory, "output.mp4");
        // A checkpoint of another backend (the model was moved to another one meanwhile) is not resumed here.
        var resume = generation.RemoteJob is { } recorded && recorded.Backend == engine.Name ? recorded : null;
        var context = new RenderContext(output, workDirectory, progress, lease.Attempt, resume,
            (remote, token) => CheckpointAsync(lease, generation, remote, source), links,
            (remote, token) => remote.Id is { } id ? store.IsRemoteJobRecordedAsync(remote.Backend, id, generation.Id, token) : Task.FromResult(false));
        progress.Set("rendering", 0);
        await RenderAsync(engine, job, context, ct).ConfigureAwait(false);
        if (!engine.WritesExactOutput)
        {
            progress.Set("conforming", 1);
            using var conforming = PaddockDiagnostics.Source.StartActivity(PaddockDiagnostics.Spans.Conform);
            await conformer.ConformAsync(output, job, workDirectory, ct).ConfigureAwait(false);
        }

        progress.Set("storing", 1);
        var key = OutputKey(generation, lease.Attempt);
        using (var storing = PaddockDiagnostics.Source.StartActivity(PaddockDiagnostics.Spans.StoreOutput))
        {
            storing?.SetTag("paddock.output.key", key);
            await blobs.PutFileAsync(key, output, ct).ConfigureAwait(false);
        }
        return key;
    }

    /// <summary>The engine's render in a span of its own (a remote engine's HTTP calls are its children), timed per engine.</summary>
    private async Task RenderAsync(IVideoEngine engine, RenderJob job, RenderContext context, CancellationToken ct)
    {
        using var span = PaddockDiagnostics.Source.StartActivity(PaddockDiagnostics.Spans.Render);
        span?.SetTag(PaddockDiagnostics.Tags.Engine, engine.Name);
        span?.SetTag(PaddockDiagnostics.Tags.EngineType, engine.Type);
        var started = time.GetTimestamp();
        var outcome = "failed";
        try
        {
            await engine.RenderAsync(job, context, ct).ConfigureAwait(false);
            outcome = "succeeded";
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        catch (Exception e)
        {
            span.Fail((e as EngineFailureException)?.Kind.ToWire() ?? e.GetType().Name, e.Message);
            throw;
        }
        finally
        {
            span?.SetTag(PaddockDiagnostics.Tags.Outcome, outcome);
            metrics.RecordRender(engine.Name, engine.Type, outcome, time.GetElapsedTime(started));
        }
    }

    /// <summary>Records the remote job under the lease; when the lease no longer holds, stops this attempt as a heartbeat would.</summary>
    private async Task CheckpointAsync(Lease lease, Generation generation, RemoteJob remote, CancellationTokenSource source)
    {
        var state = await store.CheckpointAsync(lease, remote, CancellationToken.None).ConfigureAwait(false);
        if (state == LeaseState.Held)
        {
            LogCheckpoint(generation.Id, remote.Backend, remote.Id ?? "(submitting)");
            return;
        }
        LogLeaseEnded(generation.Id, state);
        await source.CancelAsync().ConfigureAwait(false);
        source.Token.ThrowIfCancellationRequested();
    }

    /// <summary>The kind of a failure, from where it is known: an engine's typed failure, a reference's problem, or anything else.</summary>
    private EngineFailureException Classify(Exception e) => e switch
    {
        EngineFailureException typed => typed,
        ReferenceImageException reference => new EngineFailureException(FailureKind.InvalidInput, reference.Message, inner: e),
        GenerationFailedException worded => new EngineFailureException(FailureKind.EngineError, worded.Message, inner: e),
        // A full disk is told by the failure's kind, or, for an encoder that only reports text, by the disk itself.
        _ when StorageFull.IsCause(e) || work.IsOutOfSpace() => new EngineFailureException(FailureKind.EngineError, StorageFullMessage, inner: e),
        // An I/O failure's own message names server paths: say what happened instead.
        IOException or UnauthorizedAccessException => new EngineFailureException(FailureKind.EngineError,
            "rendering failed: the server could not write the video (its disk may be full or read-only); submit it again later", inner: e),
        _ => new EngineFailureException(FailureKind.EngineError, $"rendering failed: {e.Message}", inner: e),
    };

    /// <summary>A retryable failure queues the row again after a backoff (while retries remain); any other ends it failed.</summary>
    private async Task EndWithFailureAsync(Lease lease, Generation generation, EngineFailureException failure)
    {
        if (failure.Kind.IsRetryable() && generation.Retries < _options.MaxRetries)
        {
            var retry = generation.Retries + 1;
            var notBefore = time.GetUtcNow() + Backoff(generation.Retries, failure.RetryAfter);
            var status = $"{Describe(failure.Kind)}: {failure.Message}; retry {retry} of {_options.MaxRetries} at {notBefore.UtcDateTime:HH:mm:ss} UTC";
            // Counted before the row shows it, so whoever sees the row finds it counted.
            metrics.CountFailure(failure.Kind.ToWire(), generation.Model, "retried");
            if (await TryWriteAsync(generation.Id,
                    () => store.RetryLaterAsync(lease, notBefore, status, GenerationEvents.Requeued(generation, status, notBefore), CancellationToken.None)).ConfigureAwait(false))
                eventHub.Notify();
            LogRetrying(generation.Id, failure.Kind.ToWire(), retry, notBefore);
            return;
        }

        var message = failure.Kind.IsRetryable() && _options.MaxRetries > 0
            ? $"{failure.Message} (gave up after {_options.MaxRetries} {(_options.MaxRetries == 1 ? "retry" : "retries")})"
            : failure.Message;
        var result = new GenerationFailure(failure.Kind, message, failure.Code);
        metrics.CountFailure(failure.Kind.ToWire(), generation.Model, "failed");
        if (await TryWriteAsync(generation.Id, () => store.FailAsync(lease, result, GenerationEvents.Failed(generation, result), CancellationToken.None)).ConfigureAwait(false))
            eventHub.Notify();
        LogFailed(generation.Id, failure.Kind.ToWire(), message);
    }

    /// <summary>
    /// A terminal write that must not throw: false when the store refused it (logged), as when the lease is no longer
    /// held or the storage is full; the lease then runs out and recovery decides.
    /// </summary>
    private async Task<bool> TryWriteAsync(Guid generationId, Func<Task<bool>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogEndNotRecorded(generationId, e);
            return false;
        }
    }

    /// <summary>Exponential backoff with jitter (so throttled workers do not all come back at once); a provider's Retry-After wins when longer.</summary>
    private TimeSpan Backoff(int retriesSoFar, TimeSpan? retryAfter)
    {
        var exponential = _options.RetryBaseDelay * Math.Pow(2, Math.Min(retriesSoFar, 16));
        var capped = exponential < _options.RetryMaxDelay ? exponential : _options.RetryMaxDelay;
        var jittered = capped * (0.5 + Random.Shared.NextDouble() * 0.5);
        return retryAfter is { } asked && asked > jittered ? asked : jittered;
    }

    private static string Describe(FailureKind kind) => kind switch
    {
        FailureKind.RateLimited => "waiting: the provider is throttling requests",
        FailureKind.ProviderUnavailable => "waiting: the backend is unavailable",
        _ => "waiting",
    };

    /// <summary>
    /// Renews the lease and records progress until the render ends; cancels the render when the row was cancelled or
    /// the lease lost. Never throws: a write that fails (the store is full or failing) cancels the render too, and the
    /// task's result is that failure, so the attempt ends at once instead of rendering on with nobody keeping its lease.
    /// </summary>
    private async Task<Exception?> HeartbeatAsync(Lease lease, Generation generation, ProgressTracker progress, CancellationTokenSource render)
    {
        GenerationProgress? lastEvent = null;
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(progress.Done).ConfigureAwait(false))
            {
                var current = progress.Snapshot();
                var state = await store.HeartbeatAsync(lease, _options.LeaseDuration, current, progress.Done).ConfigureAwait(false);
                if (state != LeaseState.Held)
                {
                    LogLeaseEnded(generation.Id, state);
                    await render.CancelAsync().ConfigureAwait(false);
                    return null;
                }
                if (current is not null && (lastEvent is null || lastEvent.Phase != current.Phase || current.Percent - lastEvent.Percent >= 10))
                {
                    lastEvent = current;
                    await events.AppendAsync(GenerationEvents.Progress(generation, current), progress.Done).ConfigureAwait(false);
                    eventHub.Notify();
                }
            }
            return null;
        }
        catch (OperationCanceledException) when (progress.Done.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            LogHeartbeatFailed(generation.Id, e);
            await render.CancelAsync().ConfigureAwait(false);
            return e;
        }
    }

    /// <summary>Ends the heartbeat and returns the write failure that ended it early, if one did. Safe to call more than once.</summary>
    private static async Task<Exception?> StopHeartbeatAsync(Task<Exception?> heartbeat, ProgressTracker progress)
    {
        progress.Finish();
        return await heartbeat.ConfigureAwait(false);
    }

    private async Task AppendAsync(EventDraft draft)
    {
        await events.AppendAsync(draft, CancellationToken.None).ConfigureAwait(false);
        eventHub.Notify();
    }

    private static void TryDeleteDirectory(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The latest progress, written by the engine's callbacks and read by the heartbeat. The engine reports to it directly,
    /// in the order it reports: a <see cref="Progress{T}"/> would post each report to the thread pool, and a phase reported
    /// just before the next one (ComfyUI's "downloading", then "conforming") could land after it, so the events went back.
    /// </summary>
    private sealed class ProgressTracker : IProgress<RenderProgress>
    {
        void IProgress<RenderProgress>.Report(RenderProgress value) => Set(value.Phase, value.Fraction);

        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly CancellationTokenSource _done = new();
        private GenerationProgress? _current;
        private string? _phase;
        private TimeSpan _phaseStart;

        public CancellationToken Done => _done.Token;

        public void Set(string phase, double fraction)
        {
            lock (_done)
            {
                if (phase != _phase) { _phase = phase; _phaseStart = _clock.Elapsed; }
                fraction = Math.Clamp(fraction, 0, 1);
                int? eta = null;
                // The built-in renderer reports "rendering", remote engines "generating": both are the long, steady part.
                if (phase is "rendering" or "generating" && fraction > 0.02)
                {
                    var elapsed = (_clock.Elapsed - _phaseStart).TotalSeconds;
                    eta = (int)Math.Ceiling(elapsed * (1 - fraction) / fraction);
                }
                _current = new GenerationProgress(phase, (int)Math.Floor(fraction * 100), eta);
            }
        }

        public GenerationProgress? Snapshot()
        {
            lock (_done) return _current;
        }

        public void Finish()
        {
            lock (_done)
            {
                if (!_done.IsCancellationRequested) _done.Cancel();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId} started (attempt {Attempt})")]
    private partial void LogStarted(Guid generationId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId} succeeded")]
    private partial void LogSucceeded(Guid generationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId} finished after its lease ended; output discarded")]
    private partial void LogDiscarded(Guid generationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId} stopped: {Reason}")]
    private partial void LogStopped(Guid generationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId} failed ({Kind}): {Message}")]
    private partial void LogFailed(Guid generationId, string kind, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: {Kind}; retry {Retry} queued for {NotBefore}")]
    private partial void LogRetrying(Guid generationId, string kind, int retry, DateTimeOffset notBefore);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId} waits on {Backend} job {RemoteId}")]
    private partial void LogCheckpoint(Guid generationId, string backend, string remoteId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Heartbeat of generation {GenerationId} could not write; ending the attempt")]
    private partial void LogHeartbeatFailed(Guid generationId, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Generation {GenerationId}: the end of the attempt could not be recorded; its lease runs out and recovery takes it")]
    private partial void LogEndNotRecorded(Guid generationId, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: lease {State}; stopping its render")]
    private partial void LogLeaseEnded(Guid generationId, LeaseState state);
}

/// <summary>
/// The logging scope of a generation's work: structured loggers (the JSON console, OpenTelemetry's logs) write it as a
/// <c>GenerationId</c> field on every line inside it.
/// </summary>
public sealed class GenerationLogScope(Guid generationId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public Guid GenerationId { get; } = generationId;

    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("GenerationId", GenerationId) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"GenerationId:{GenerationId}";
}

/// <summary>A failure whose message is already worded for the user.</summary>
public sealed class GenerationFailedException(string message) : Exception(message);
