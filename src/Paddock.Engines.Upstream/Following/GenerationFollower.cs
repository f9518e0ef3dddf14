using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Paddock.Client;
using Paddock.Core.Engines;
using Paddock.Engines.Upstream.Remote;

namespace Paddock.Engines.Upstream.Following;

/// <summary>
/// Waits for one upstream generation to end. The upstream's event stream (<c>/api/events</c>, filtered by generation id)
/// carries its progress and its end as they happen; it is reopened with <c>Last-Event-ID</c> when it breaks, so nothing
/// is missed. The row (<c>GET /api/ai/queue/{id}</c>) is read at the start, whenever the stream has said nothing about
/// the generation for <see cref="UpstreamOptions.PollInterval"/> (a stream that is down, an upstream without progress
/// events), and to confirm an end. An upstream that cannot be reached for <see cref="UpstreamOptions.UnreachableTimeout"/>
/// ends the wait as unavailable: the retry resumes the same upstream generation.
/// </summary>
internal sealed class GenerationFollower(UpstreamApi api, UpstreamOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Event stream statuses that mean the upstream has none: poll only.</summary>
    private static readonly int[] NoEventStream = [400, 404, 405, 406, 410, 415, 501];

    /// <returns>The generation's terminal row (succeeded, failed or cancelled).</returns>
    public async Task<Generation> FollowAsync(Guid generationId, string upstreamId, DateTimeOffset deadline, UpstreamProgress progress, CancellationToken cancellationToken)
    {
        var events = Channel.CreateUnbounded<PaddockEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(() => ReadEventsAsync(generationId, upstreamId, events.Writer, stop.Token), CancellationToken.None);
        try
        {
            var lastContact = time.GetUtcNow();
            var lastHeard = DateTimeOffset.MinValue; // of this generation, by event or row: poll at once
            var confirm = true;
            while (true)
            {
                var now = time.GetUtcNow();
                if (confirm || now - lastHeard >= options.PollInterval)
                {
                    confirm = false;
                    var row = await PollAsync(generationId, upstreamId, cancellationToken).ConfigureAwait(false);
                    now = time.GetUtcNow();
                    lastHeard = now;
                    if (row is not null)
                    {
                        lastContact = now;
                        progress.Report(row.Progress);
                        if (row.Status.IsTerminal) return row;
                    }
                    else if (now - lastContact >= options.UnreachableTimeout)
                    {
                        throw new EngineFailureException(FailureKind.ProviderUnavailable,
                            $"{api.Host} could not be reached for {options.UnreachableTimeout} while generation {upstreamId} ran there; the next attempt resumes it");
                    }
                }
                if (now >= deadline)
                {
                    throw new EngineFailureException(FailureKind.Timeout,
                        $"{api.Host} did not finish generation {upstreamId} within {options.GenerationTimeout} ({api.Setting("GenerationTimeout")})");
                }

                var wait = lastHeard + options.PollInterval - now;
                if (deadline - now < wait) wait = deadline - now;
                if (wait > TimeSpan.Zero && !await WaitForEventAsync(events.Reader, wait, cancellationToken).ConfigureAwait(false)) continue;
                while (events.Reader.TryRead(out var e))
                {
                    lastHeard = lastContact = time.GetUtcNow();
                    if (e.ToProgress() is { } p) progress.Report(p);
                    // The end as an event: confirmed from the row, which has the result URL, the error and its kind.
                    if (e.IsTerminal) confirm = true;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
        }
    }

    /// <summary>The row, or null when the upstream could not be reached this time (a refused key or a lost generation throws).</summary>
    private async Task<Generation?> PollAsync(Guid generationId, string upstreamId, CancellationToken cancellationToken)
    {
        try
        {
            return await api.FindAsync(upstreamId, cancellationToken, retry: false).ConfigureAwait(false)
                ?? throw new EngineFailureException(FailureKind.ProviderUnavailable,
                    $"{api.Host} no longer knows generation {upstreamId}; the next attempt submits it again");
        }
        catch (EngineFailureException e) when (e.Kind is FailureKind.ProviderUnavailable or FailureKind.RateLimited && e.InnerException is PaddockException)
        {
            Log.PollFailed(logger, generationId, upstreamId, e.Message);
            return null;
        }
    }

    private async Task<bool> WaitForEventAsync(ChannelReader<PaddockEvent> reader, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (reader.Completion.IsCompleted)
        {
            // No event stream (any more): only the poll interval paces the wait.
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            return false;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Follows the event stream until stopped, passing on this generation's events. A broken stream is reopened after
    /// the last event received; a server without an event stream leaves the waiting to polls.
    /// </summary>
    private async Task ReadEventsAsync(Guid generationId, string upstreamId, ChannelWriter<PaddockEvent> writer, CancellationToken stop)
    {
        long? lastEventId = null;
        var failures = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await foreach (var e in api.EventsAsync(lastEventId, stop).ConfigureAwait(false))
                    {
                        failures = 0;
                        if (e.Id is { } id) lastEventId = id;
                        if (string.Equals(e.GenerationId, upstreamId, StringComparison.OrdinalIgnoreCase)) writer.TryWrite(e);
                    }
                }
                catch (PaddockException e) when (NoEventStream.Contains(e.Status) || e.ErrorType == "invalid_response")
                {
                    Log.NoEventStream(logger, generationId, api.Host, api.Redact(e.Message));
                    return;
                }
                catch (Exception e) when (e is PaddockException or IOException or HttpRequestException && !stop.IsCancellationRequested)
                {
                    failures++;
                    Log.EventStreamBroke(logger, generationId, api.Host, api.Redact(e.Message));
                }
                var pause = TimeSpan.FromSeconds(Math.Min(10, Math.Pow(2, Math.Min(failures, 4)) / 2));
                await Task.Delay(pause, time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            writer.TryComplete();
        }
    }
}
