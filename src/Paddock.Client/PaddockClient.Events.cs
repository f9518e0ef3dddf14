using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Paddock.Client.Internal;

namespace Paddock.Client;

public sealed partial class PaddockClient
{
    /// <summary>Follows the namespace's event stream (<c>GET /api/events</c>) from now on (after a Paddock server's recent completions); see <see cref="StreamEventsAsync(long?, CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The events, as they happen, until cancelled.</returns>
    public IAsyncEnumerable<PaddockEvent> StreamEventsAsync(CancellationToken cancellationToken = default) =>
        StreamEventsAsync(lastEventId: null, cancellationToken);

    /// <summary>
    /// Follows the namespace's event stream (<c>GET /api/events</c>). When the connection ends or breaks, it is reopened
    /// with <c>Last-Event-ID</c> set to the last event received, so (on servers that replay, like Paddock) no event is
    /// missed or repeated; a stream that stays silent past <see cref="PaddockClientOptions.EventIdleTimeout"/> is reopened too.
    /// The enumeration ends only when cancelled, or throws <see cref="PaddockException"/> when the server cannot be
    /// reached after the retries of <see cref="PaddockClientOptions.Retry"/> or refuses the stream.
    /// </summary>
    /// <param name="lastEventId">
    /// Start after this event (replaying what came since); null to start with what happens from now on (a Paddock server
    /// first sends the completions and cancels of the last minute, so a generation that ended just before is not missed).
    /// </param>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The events.</returns>
    public async IAsyncEnumerable<PaddockEvent> StreamEventsAsync(long? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = lastEventId?.ToString(CultureInfo.InvariantCulture);
        while (true)
        {
            using var response = await OpenEventStreamAsync(last, retry: true, cancellationToken).ConfigureAwait(false);
            EnsureEventStream(response);
            using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            while (await NextEventAsync(reader, cancellationToken).ConfigureAwait(false) is { } e)
            {
                if (e.RawId is not null) last = e.RawId;
                yield return e;
            }
            await Task.Delay(ReconnectDelay(reader), cancellationToken).ConfigureAwait(false);
        }
    }

    internal Task<HttpResponseMessage> OpenEventStreamAsync(string? lastEventId, bool retry, CancellationToken cancellationToken)
    {
        var uri = _pipeline.Resolve("api/events");
        return _pipeline.SendAsync(() =>
        {
            var request = Get(uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
            return request;
        }, new CallSettings(Options.NetworkTimeout, retry, Stream: true), cancellationToken);
    }

    internal static bool IsEventStream(HttpResponseMessage response) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static void EnsureEventStream(HttpResponseMessage response)
    {
        if (IsEventStream(response)) return;
        throw new PaddockException((int)response.StatusCode, "invalid_response", "The server's /api/events is not an event stream.",
            $"GET /api/events answered {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not text/event-stream");
    }

    internal TimeSpan ReconnectDelay(ServerSentEventReader reader)
    {
        var delay = Options.EventReconnectDelay ?? reader.Retry ?? TimeSpan.FromSeconds(1);
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > Options.Retry.MaxDelay ? Options.Retry.MaxDelay : delay;
    }

    /// <summary>The next event, or null when the stream ended, broke, or stayed silent past the idle timeout.</summary>
    private async Task<PaddockEvent?> NextEventAsync(ServerSentEventReader reader, CancellationToken cancellationToken)
    {
        var read = reader.ReadAsync(cancellationToken);
        while (true)
        {
            var idleLeft = Options.EventIdleTimeout - reader.SinceLastActivity;
            if (idleLeft <= TimeSpan.Zero)
            {
                Observe(read);
                return null;
            }
            var finished = await Task.WhenAny(read, Task.Delay(idleLeft, cancellationToken)).ConfigureAwait(false);
            if (finished != read)
            {
                cancellationToken.ThrowIfCancellationRequested();
                continue;
            }
            try
            {
                return await read.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException)
            {
                return null; // the connection broke: the caller reconnects with Last-Event-ID
            }
        }
    }

    /// <summary>Keeps an abandoned read's failure (the connection is about to be disposed under it) from going unobserved.</summary>
    internal static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
