using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Events;
using Paddock.Core.Orchestration;
using Paddock.Server.Hosting;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>
/// <c>GET /api/events</c>: the namespace's events as server-sent events, with <c>id:</c> lines and
/// replay after <c>Last-Event-ID</c> from the durable log. Written by hand rather than through
/// <c>TypedResults.ServerSentEvents</c>: the stream needs comment lines (<c>: keep-alive</c>), and
/// seed clients parse its exact bytes with awk.
/// </summary>
public static class EventEndpoints
{
    private const int ReplayBatch = 500;

    public static void MapEventEndpoints(this IEndpointRouteBuilder app) => app.MapGet("/api/events", StreamAsync);

    /// <summary>How long a stream of a stopping server waits for the workers' hand-back events before it closes anyway.</summary>
    private static readonly TimeSpan HandBackWait = TimeSpan.FromSeconds(5);

    private static async Task StreamAsync(HttpContext context, EventHub hub, IEventLog log, SignedUrls urls, WorkerShutdown workers,
        IOptions<PaddockOptions> options, IHostApplicationLifetime lifetime)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        // A stopping server ends its streams (clients reconnect with Last-Event-ID): an open stream would otherwise hold
        // the shutdown until the host's timeout. It ends them after the workers' hand-back, which it still delivers.
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = streaming.Token;
        var lastEventId = ParseLastEventId(context.Request);

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        long? sent = null;
        try
        {
            using var subscription = await hub.SubscribeAsync(ns, ct);
            await WriteAsync(context, ": connected\nretry: 3000\n\n", ct);

            // Replay what the client missed, up to where the live subscription begins. An id this log has not reached
            // (the client last listened to another server, or to this one before its data was reset) means "from now":
            // holding back every event until the log catches up with it would leave the stream silent.
            var replayed = lastEventId is { } id && id <= subscription.StartSequence ? id : subscription.StartSequence;
            sent = replayed;
            while (replayed < subscription.StartSequence)
            {
                var missed = await log.ReadAfterAsync(ns, replayed, ReplayBatch, ct);
                var upTo = missed.Where(e => e.Sequence <= subscription.StartSequence).ToList();
                foreach (var e in upTo)
                {
                    await WriteEventAsync(context, e, urls, ct);
                    sent = e.Sequence;
                }
                if (upTo.Count == 0) break;
                replayed = upTo[^1].Sequence;
            }
            sent = Math.Max(sent.Value, subscription.StartSequence);

            var keepAlive = options.Value.EventKeepAliveInterval;
            while (!ct.IsCancellationRequested)
            {
                bool more;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(keepAlive);
                    try
                    {
                        more = await subscription.Reader.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        await WriteAsync(context, ": keep-alive\n\n", ct);
                        continue;
                    }
                }
                if (!more) return; // the hub cut this stream off; the client reconnects with Last-Event-ID
                while (subscription.Reader.TryRead(out var e))
                {
                    if (e.Sequence <= sent) continue;
                    await WriteEventAsync(context, e, urls, ct);
                    sent = e.Sequence;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client disconnected, or the server is stopping.
        }

        if (sent is { } last && lifetime.ApplicationStopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            await DeliverHandBackAsync(context, log, urls, workers, ns, last);
    }

    /// <summary>
    /// On a graceful stop: waits (briefly) until this process's workers have handed their generations back, then sends
    /// what the log holds after <paramref name="sent"/> (the <c>media_generation_requeued</c> events among it) before the
    /// stream closes.
    /// </summary>
    private static async Task DeliverHandBackAsync(HttpContext context, IEventLog log, SignedUrls urls, WorkerShutdown workers, string ns, long sent)
    {
        var aborted = context.RequestAborted;
        try
        {
            await workers.HandedBack.WaitAsync(HandBackWait, aborted);
        }
        catch (TimeoutException)
        {
            // Send what there is: the client replays the rest with Last-Event-ID.
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            while (true)
            {
                var rest = await log.ReadAfterAsync(ns, sent, ReplayBatch, aborted);
                foreach (var e in rest)
                {
                    await WriteEventAsync(context, e, urls, aborted);
                    sent = e.Sequence;
                }
                if (rest.Count < ReplayBatch) return;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
    }

    private static long? ParseLastEventId(HttpRequest request)
    {
        var raw = request.Headers["Last-Event-ID"].ToString();
        if (raw.Length == 0) raw = request.Query["last_event_id"].ToString();
        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private static Task WriteEventAsync(HttpContext context, StoredEvent e, SignedUrls urls, CancellationToken ct)
    {
        var data = e.Data;
        if (GenerationEvents.CarriesUrl(e) && GenerationEvents.GenerationIdOf(e) is { } id)
            data = GenerationEvents.WithUrl(data, urls.Output(context.Request, e.Namespace, id).Url);
        return WriteAsync(context, $"id: {e.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: {e.Type}\ndata: {data}\n\n", ct);
    }

    private static async Task WriteAsync(HttpContext context, string text, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
