using System.Diagnostics;
using Paddock.Client.Internal;

namespace Paddock.Client;

/// <summary>
/// A generation in flight: read its status, wait for it (following the event stream, falling back to polling), cancel
/// it, and download its video. Get one from <see cref="PaddockClient.EnqueueAsync(VideoGenerationRequest, CancellationToken)"/>,
/// or rehydrate one from an id with <see cref="PaddockClient.GetGenerationOperation"/>.
/// </summary>
public sealed class GenerationOperation
{
    private readonly PaddockClient _client;
    private readonly object _gate = new();
    private GenerationStatus _status;
    private Generation? _value;

    internal GenerationOperation(PaddockClient client, string id, GenerationStatus status)
    {
        _client = client;
        Id = id;
        _status = status;
    }

    /// <summary>The generation id.</summary>
    public string Id { get; }

    /// <summary>The last status seen (from the enqueue answer, a row or an event); unknown for a rehydrated operation until it is updated.</summary>
    public GenerationStatus Status
    {
        get { lock (_gate) return _status; }
    }

    /// <summary>The last row read, or null before the first read.</summary>
    public Generation? Value
    {
        get { lock (_gate) return _value; }
    }

    /// <summary>Whether the generation has ended (succeeded, failed or cancelled), as last seen.</summary>
    public bool HasCompleted => Status.IsTerminal;

    /// <summary>Reads the row again (<c>GET /api/ai/queue/{generation_id}</c>), updating <see cref="Status"/> and <see cref="Value"/>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row.</returns>
    public async Task<Generation> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        var row = await _client.GetGenerationAsync(Id, cancellationToken).ConfigureAwait(false);
        Remember(row);
        return row;
    }

    /// <summary>Waits until the generation ends; see <see cref="WaitForCompletionAsync(IProgress{GenerationProgress}?, CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Stops waiting (the generation goes on; use <see cref="CancelAsync"/> to stop it).</param>
    /// <returns>The succeeded row, with its result URL.</returns>
    public Task<Generation> WaitForCompletionAsync(CancellationToken cancellationToken = default) => WaitForCompletionAsync(progress: null, cancellationToken);

    /// <summary>
    /// Waits until the generation ends. Follows <c>/api/events</c> for this generation's events; when the stream breaks it
    /// reconnects with <c>Last-Event-ID</c> so no event is missed. It polls the row when the stream is unavailable, and
    /// once whenever the stream has said nothing about this generation for <see cref="PaddockClientOptions.EventQuietInterval"/>.
    /// Passing network failures are ridden out until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="progress">Receives status, phase, percent, ETA and queue position as they change; may be null.</param>
    /// <param name="cancellationToken">Stops waiting (the generation goes on; use <see cref="CancelAsync"/> to stop it).</param>
    /// <returns>The succeeded row, with its result URL.</returns>
    /// <exception cref="PaddockException">
    /// The generation failed (<see cref="PaddockException.ErrorType"/> <c>generation_failed</c>, <see cref="PaddockException.Detail"/>
    /// the row's error message) or was cancelled (<c>cancelled</c>), both with <see cref="PaddockException.Status"/> 0; or the
    /// server refused to show it (404, 401).
    /// </exception>
    public async Task<Generation> WaitForCompletionAsync(IProgress<GenerationProgress>? progress, CancellationToken cancellationToken = default)
    {
        if (Value is { Status.IsTerminal: true } known) return Outcome(known);
        var waiter = new Waiter(this, progress, cancellationToken);
        var row = _client.Options.UseEventStream ? await waiter.FollowEventsAsync().ConfigureAwait(false) : await waiter.PollAsync(TimeSpan.MaxValue).ConfigureAwait(false);
        return Outcome(row!);
    }

    /// <summary>Cancels the generation (<c>DELETE /api/ai/queue/{generation_id}</c>) and reads its row again.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row after the cancel (cancelled, or the outcome it had already reached).</returns>
    public async Task<Generation> CancelAsync(CancellationToken cancellationToken = default)
    {
        await _client.CancelGenerationAsync(Id, cancellationToken).ConfigureAwait(false);
        return await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads the finished video into a stream.</summary>
    /// <param name="destination">Where to write the MP4.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the video is written.</returns>
    /// <exception cref="InvalidOperationException">The generation has not succeeded.</exception>
    public async Task DownloadVideoAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var url = await ResultUrlAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.DownloadAsync(url, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (PaddockException e) when (e.Status is 403 or 404 or 410)
        {
            // The signed URL expired: a fresh read of the row signs a new one.
            url = await ResultUrlAsync(refresh: true, cancellationToken).ConfigureAwait(false);
            await _client.DownloadAsync(url, destination, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Downloads the finished video to a file, resuming an interrupted download with HTTP <c>Range</c>
    /// (see <see cref="PaddockClient.DownloadToFileAsync"/>).
    /// </summary>
    /// <param name="filePath">Where to save the MP4; replaced when the download completes.</param>
    /// <param name="cancellationToken">Cancels the call; what has arrived stays for a later resume.</param>
    /// <returns>The file's size in bytes.</returns>
    /// <exception cref="InvalidOperationException">The generation has not succeeded.</exception>
    public async Task<long> DownloadVideoAsync(string filePath, CancellationToken cancellationToken = default)
    {
        var url = await ResultUrlAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        try
        {
            return await _client.DownloadToFileAsync(url, filePath, cancellationToken).ConfigureAwait(false);
        }
        catch (PaddockException e) when (e.Status is 403 or 404 or 410)
        {
            url = await ResultUrlAsync(refresh: true, cancellationToken).ConfigureAwait(false);
            return await _client.DownloadToFileAsync(url, filePath, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Status}";

    private async Task<Uri> ResultUrlAsync(bool refresh, CancellationToken cancellationToken)
    {
        var row = Value;
        var fresh = row is { ResultUrl: not null } && (row.ResultUrlExpiresAt is not { } expires || expires > DateTimeOffset.UtcNow.AddMinutes(1));
        if (refresh || !fresh) row = await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
        if (row!.ExpiredAt is { } expired)
            throw new InvalidOperationException($"generation {Id}'s video expired at {expired:u} and was deleted under the server's retention setting; pin a generation (PinGenerationAsync) to keep its video");
        if (row.Status != GenerationStatus.Succeeded || row.ResultUrl is null)
            throw new InvalidOperationException($"generation {Id} is {row.Status}{(row.ErrorMessage is { } why ? $" ({why})" : "")}, so it has no video to download");
        return row.ResultUrl;
    }

    private void Remember(Generation row)
    {
        lock (_gate)
        {
            _value = row;
            if (row.Status.IsKnown) _status = row.Status;
        }
    }

    private void Remember(GenerationStatus status)
    {
        lock (_gate)
        {
            if (status.IsKnown && !_status.IsTerminal) _status = status;
        }
    }

    private Generation Outcome(Generation row)
    {
        if (row.Status == GenerationStatus.Succeeded) return row;
        if (row.Status == GenerationStatus.Failed)
            throw new PaddockException(0, "generation_failed", "The video could not be generated.", row.ErrorMessage ?? $"generation {Id} failed") { GenerationId = Id };
        throw new PaddockException(0, "cancelled", "The generation was cancelled.", $"generation {Id} was cancelled before it finished") { GenerationId = Id };
    }

    /// <summary>The state of one wait: the last event id, the last progress reported, and when this generation was last heard of.</summary>
    private sealed class Waiter(GenerationOperation operation, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        private readonly PaddockClient _client = operation._client;
        private readonly PaddockClientOptions _options = operation._client.Options;
        private GenerationProgress? _reported;
        private long _heardAt = Stopwatch.GetTimestamp();

        public async Task<Generation> FollowEventsAsync()
        {
            string? lastEventId = null;
            var failures = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Open the stream; while the connection is slow to come, keep an eye on the row.
                using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var open = _client.OpenEventStreamAsync(lastEventId, retry: false, connecting.Token);
                while (!await CompletesWithinAsync(open, QuietLeft()).ConfigureAwait(false))
                {
                    if (await PollOnceAsync().ConfigureAwait(false) is { Status.IsTerminal: true } done)
                    {
                        await connecting.CancelAsync().ConfigureAwait(false);
                        DisposeWhenDone(open);
                        return done;
                    }
                }

                HttpResponseMessage response;
                try
                {
                    response = await open.ConfigureAwait(false);
                }
                catch (PaddockException e) when (PaddockPipeline.IsTransient(e))
                {
                    failures++;
                    var pause = _client.Pipeline.DelayBefore(failures);
                    if (await PollAsync(pause < TimeSpan.FromSeconds(30) ? pause : TimeSpan.FromSeconds(30)).ConfigureAwait(false) is { } done) return done;
                    continue;
                }
                catch (PaddockException e) when (e.Status is 400 or 404 or 405 or 406 or 410 or 415 or 501)
                {
                    // No event stream on this server: polling is all there is.
                    return (await PollAsync(TimeSpan.MaxValue).ConfigureAwait(false))!;
                }

                using (response)
                {
                    if (!PaddockClient.IsEventStream(response)) return (await PollAsync(TimeSpan.MaxValue).ConfigureAwait(false))!;
                    failures = 0;
                    ServerSentEventReader reader;
                    try
                    {
                        reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                    {
                        continue;
                    }
                    using (reader)
                    {
                        // Without a Last-Event-ID the stream starts now: the generation may have moved (or ended) before it.
                        // With one, the server replays everything since, so there is nothing to catch up on.
                        if (lastEventId is null && await PollOnceAsync().ConfigureAwait(false) is { Status.IsTerminal: true } early) return early;

                        var (result, last) = await ReadStreamAsync(reader, lastEventId).ConfigureAwait(false);
                        if (result is not null) return result;
                        lastEventId = last;
                        await Task.Delay(_client.ReconnectDelay(reader), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        /// <summary>Reads events until this generation ends (its row), or the stream ends, breaks or goes dead (null, and the last event id).</summary>
        private async Task<(Generation? Row, string? LastEventId)> ReadStreamAsync(ServerSentEventReader reader, string? lastEventId)
        {
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var read = reader.ReadAsync(reading.Token);
            try
            {
                while (true)
                {
                    if (!await CompletesWithinAsync(read, QuietLeft()).ConfigureAwait(false))
                    {
                        // Quiet about this generation: look at the row, and give up on a stream that sends nothing at all.
                        if (await PollOnceAsync().ConfigureAwait(false) is { Status.IsTerminal: true } done) return (done, lastEventId);
                        if (reader.SinceLastActivity > _options.EventIdleTimeout) return (null, lastEventId);
                        continue;
                    }

                    PaddockEvent? e;
                    try
                    {
                        e = await read.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        return (null, lastEventId);
                    }
                    if (e is null) return (null, lastEventId);
                    if (e.RawId is not null) lastEventId = e.RawId;
                    read = reader.ReadAsync(reading.Token);

                    if (!string.Equals(e.GenerationId, operation.Id, StringComparison.OrdinalIgnoreCase)) continue;
                    Heard();
                    if (e.ToProgress() is { } p)
                    {
                        operation.Remember(p.Status);
                        Report(p);
                    }
                    if (e.IsTerminal && await PollOnceAsync().ConfigureAwait(false) is { Status.IsTerminal: true } ended) return (ended, lastEventId);
                }
            }
            finally
            {
                if (!read.IsCompleted) await reading.CancelAsync().ConfigureAwait(false);
                PaddockClient.Observe(read); // a read left behind fails when the connection is disposed
            }
        }

        /// <summary>Polls the row every <see cref="PaddockClientOptions.PollInterval"/> for at most <paramref name="span"/>: the terminal row, or null when the span ran out.</summary>
        public async Task<Generation?> PollAsync(TimeSpan span)
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                if (await PollOnceAsync().ConfigureAwait(false) is { Status.IsTerminal: true } done) return done;
                var left = span == TimeSpan.MaxValue ? _options.PollInterval : span - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero) return null;
                await Task.Delay(left < _options.PollInterval ? left : _options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Reads the row once and reports it; null when the server could not be reached this time.</summary>
        private async Task<Generation?> PollOnceAsync()
        {
            try
            {
                var row = await operation.UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
                Report(row.Progress);
                return row;
            }
            catch (PaddockException e) when (PaddockPipeline.IsTransient(e))
            {
                return null;
            }
            finally
            {
                Heard(); // a check, answered or not, restarts the quiet interval
            }
        }

        private void Heard() => Interlocked.Exchange(ref _heardAt, Stopwatch.GetTimestamp());

        private TimeSpan QuietLeft()
        {
            var left = _options.EventQuietInterval - Stopwatch.GetElapsedTime(Interlocked.Read(ref _heardAt));
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        /// <summary>
        /// Reports what changed. Rows and events describe the same moments with different detail (an event may leave out
        /// the percent a row has, a row adds an ETA of 0 to the completion), so within one status and phase a missing
        /// figure keeps the last one, a percent never goes back, and the outcome is reported once.
        /// </summary>
        private void Report(GenerationProgress p)
        {
            if (progress is null) return;
            if (_reported is { } last)
            {
                if (last.Status.IsTerminal) return;
                if (last.Status == p.Status && last.Phase == p.Phase)
                {
                    if (p.Percent < last.Percent) return; // an older row read after a newer event
                    p = p with
                    {
                        Percent = p.Percent ?? last.Percent,
                        EtaSeconds = p.EtaSeconds ?? last.EtaSeconds,
                        QueuePosition = p.QueuePosition ?? last.QueuePosition,
                    };
                }
                if (p == last) return;
            }
            _reported = p;
            progress.Report(p);
        }

        private async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout)
        {
            if (task.IsCompleted) return true;
            if (timeout <= TimeSpan.Zero) return false;
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var finished = await Task.WhenAny(task, Task.Delay(timeout, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false); // stops the timer when the task won
            if (finished == task) return true;
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }

        private static void DisposeWhenDone(Task<HttpResponseMessage> open) =>
            _ = open.ContinueWith(static t =>
            {
                if (t.IsCompletedSuccessfully) t.Result.Dispose();
                else _ = t.Exception;
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
