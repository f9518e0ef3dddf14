using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Events;
using Paddock.Core.Orchestration;
using Paddock.Core.Telemetry;
using Paddock.Server.Hosting;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// <c>GET /api/events</c>: the namespace's events as server-sent events, with <c>id:</c> lines and
/// replay after <c>Last-Event-ID</c> from the durable log. Written by hand rather than through
/// <c>TypedResults.ServerSentEvents</c>: the stream needs comment lines (<c>: keep-alive</c>), and
/// seed clients parse its exact bytes with awk.
/// </summary>
/// <remarks>
/// Three rules make the original page's <c>curl | awk | jq</c> example end promptly, without changing what a client
/// that sends <c>Last-Event-ID</c> receives:
/// <list type="bullet">
/// <item>A stream opened without <c>Last-Event-ID</c> begins with the namespace's terminal events (completed, cancelled)
/// of the last <see cref="PaddockOptions.EventReplayWindow"/>, then goes on live: a generation that ended between its
/// enqueue and the stream's connect is still told. With <c>Last-Event-ID</c>, exactly the events after it.</item>
/// <item>A comment follows each event shortly (<see cref="Nudges"/>): a reader that has its event and hung up (awk's
/// <c>exit</c>) is noticed by its writer at once, not at the next 15 s keep-alive.</item>
/// <item>A stopping server ends each stream with an <c>event: server_stopping</c> (no id, so <c>Last-Event-ID</c> still
/// names the last real event) and then drops the connection instead of closing it cleanly, so <c>curl</c> exits non-zero
/// and nothing looks like a stream that ended normally. Before that, it waits briefly for this process's workers to
/// hand their renders back, so a listening client sees their <c>media_generation_requeued</c> events live.</item>
/// </list>
/// </remarks>
public static class EventEndpoints
{
    private const int ReplayBatch = 500;

    /// <summary>When, after an event, a comment is written (then the keep-alive interval again).</summary>
    private static readonly TimeSpan[] Nudges = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    public const string ServerStoppingEvent = "server_stopping";

    /// <remarks>
    /// The handler takes only the <see cref="HttpContext"/>: its services (all singletons) are resolved once, so a
    /// stream never opens the request's service scope, which it would otherwise hold for as long as it stays open.
    /// </remarks>
    public static void MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        // Resolved at the first stream, not at start: storage is built when the host starts, as for every other route.
        StreamServices? resolved = null;
        // The token is the request's own (RequestAborted); taking it keeps the handler a described route rather than a bare
        // RequestDelegate, which the OpenAPI document would leave out.
        app.MapGet("/api/events", (HttpContext context, CancellationToken _) =>
            {
                var s = resolved ??= new StreamServices(app.ServiceProvider);
                return StreamAsync(context, s.Hub, s.Log, s.Frames, s.Workers, s.Options, s.Lifetime, s.Time, s.Metrics);
            }).WithTags("Events")
            .Doc("StreamEvents", "The namespace's events, as server-sent events",
                "media_generation_completed on success or failure (never on cancel), and the extension events that clients filtering by name ignore. "
                + "Without Last-Event-ID the stream begins with the recent ends, then goes on live; with it, exactly the events after it. "
                + "The data schema of each event type: components/schemas/EventStream (x-sse-events).")
            .RequiresApiKey()
            .Header("Last-Event-ID", "Resume after this event id (the id: line of the last event received).")
            .Returns(200, ApiSchemas.EventStream, "text/event-stream");
    }

    /// <summary>What every stream uses, resolved once from the root services.</summary>
    private sealed class StreamServices(IServiceProvider services)
    {
        public EventHub Hub { get; } = services.GetRequiredService<EventHub>();
        public IEventLog Log { get; } = services.GetRequiredService<IEventLog>();
        public EventFrames Frames { get; } = services.GetRequiredService<EventFrames>();
        public WorkerShutdown Workers { get; } = services.GetRequiredService<WorkerShutdown>();
        public IOptions<PaddockOptions> Options { get; } = services.GetRequiredService<IOptions<PaddockOptions>>();
        public IHostApplicationLifetime Lifetime { get; } = services.GetRequiredService<IHostApplicationLifetime>();
        public TimeProvider Time { get; } = services.GetRequiredService<TimeProvider>();
        public PaddockMetrics Metrics { get; } = services.GetRequiredService<PaddockMetrics>();
    }

    /// <summary>How long a stream of a stopping server waits for the workers' hand-back events before it closes anyway.</summary>
    private static readonly TimeSpan HandBackWait = TimeSpan.FromSeconds(5);

    /// <remarks>
    /// One async method per stream (its state is what a waiting stream holds beyond Kestrel's own), waiting on the
    /// client's <see cref="HttpContext.RequestAborted"/> alone: a stopping server ends the stream by ending its
    /// subscription (one registration on <see cref="IHostApplicationLifetime.ApplicationStopping"/>), not through a linked
    /// cancellation source per stream.
    /// </remarks>
    private static async Task StreamAsync(HttpContext context, EventHub hub, IEventLog log, EventFrames frames, WorkerShutdown workers,
        IOptions<PaddockOptions> options, IHostApplicationLifetime lifetime, TimeProvider time, PaddockMetrics metrics)
    {
        metrics.StreamOpened();
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        var ct = context.RequestAborted;
        var lastEventId = ParseLastEventId(context.Request);

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        long sent = 0;
        var subscribed = false;
        try
        {
            var window = lastEventId is null ? Clamp(options.Value.EventReplayWindow) : TimeSpan.Zero;
            // The stream's reader only writes what it reads, so it runs on the hub's delivery (see EventHub.SubscribeAsync).
            using var subscription = await hub.SubscribeAsync(ns, ct, window, readsOnDelivery: true);
            // A stopping server ends its streams (clients reconnect with Last-Event-ID): an open stream would otherwise hold
            // the shutdown until the host's timeout. Ending the subscription ends the stream after what it has queued; the
            // workers' hand-back is then delivered below. (Registered on a stopping server, it ends it at once.)
            using var stopping = lifetime.ApplicationStopping.UnsafeRegister(static s => ((IDisposable)s!).Dispose(), subscription);
            // An id this log has not reached (the client last listened to another server, or to this one before its data
            // was reset) means "from now": holding back every event until the log catches up with it would leave the
            // stream silent.
            if (lastEventId is { } last) sent = last <= subscription.StartSequence ? last : subscription.StartSequence;
            // The first page of what the client missed is read before anything is sent: a database that cannot be reached
            // then answers 503 with the error envelope (the client retries), not a 200 stream that breaks at once.
            var missed = lastEventId is not null && sent < subscription.StartSequence ? await log.ReadAfterAsync(ns, sent, ReplayBatch, ct) : null;
            await WriteAsync(context, ": connected\nretry: 3000\n\n", ct);

            if (lastEventId is null)
            {
                // No place to resume from: the recent ends, so a waiter that connected late still hears of its generation.
                foreach (var e in subscription.Recent) await WriteEventAsync(context, e, frames, ct);
            }
            else
            {
                // Replay what the client missed, up to where the live subscription begins.
                while (sent < subscription.StartSequence)
                {
                    missed ??= await log.ReadAfterAsync(ns, sent, ReplayBatch, ct);
                    var upTo = missed.Where(e => e.Sequence <= subscription.StartSequence).ToList();
                    foreach (var e in upTo) await WriteEventAsync(context, e, frames, ct);
                    if (upTo.Count == 0) break;
                    sent = upTo[^1].Sequence;
                    missed = null;
                }
            }
            sent = Math.Max(sent, subscription.StartSequence);
            subscribed = true;

            var keepAlive = options.Value.EventKeepAliveInterval;
            var nudge = 0; // as after an event: the replay, if any, was just written
            var lastEventAt = time.GetTimestamp();
            // The hub's clock wakes the stream for its comments (no timer per stream): the next nudge after an event, else
            // the keep-alive interval.
            subscription.WakeAfter(Nudges[0]);
            while (await subscription.WaitToReadAsync(ct))
            {
                var wrote = false;
                var woke = false;
                while (subscription.TryRead(out var e))
                {
                    if (ReferenceEquals(e, EventHub.Wake))
                    {
                        woke = true;
                        continue;
                    }
                    if (e.Sequence <= sent) continue;
                    await WriteEventAsync(context, e, frames, ct);
                    sent = e.Sequence;
                    wrote = true;
                }
                if (wrote)
                {
                    nudge = 0;
                    lastEventAt = time.GetTimestamp();
                }
                else if (woke)
                {
                    await WriteAsync(context, KeepAlive, ct);
                    if (nudge < Nudges.Length) nudge++;
                }
                else continue;
                var wait = nudge < Nudges.Length ? Nudges[nudge] - time.GetElapsedTime(lastEventAt) : keepAlive;
                subscription.WakeAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            }
            // The reader ended: the hub cut this stream off (it is stopping, or this reader fell behind).
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client disconnected.
        }
        finally
        {
            metrics.StreamClosed();
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            if (subscribed) sent = await DeliverHandBackAsync(context, log, frames, workers, ns, sent);
            await EndForShutdownAsync(context, sent);
        }
    }

    /// <summary>
    /// On a graceful stop: waits (briefly) until this process's workers have handed their generations back, then sends
    /// what the log holds after <paramref name="sent"/> (the <c>media_generation_requeued</c> events among it) before the
    /// stream closes. Returns the last sequence sent.
    /// </summary>
    private static async Task<long> DeliverHandBackAsync(HttpContext context, IEventLog log, EventFrames frames, WorkerShutdown workers, string ns, long sent)
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
            return sent;
        }
        try
        {
            while (true)
            {
                var rest = await log.ReadAfterAsync(ns, sent, ReplayBatch, aborted);
                foreach (var e in rest)
                {
                    await WriteEventAsync(context, e, frames, aborted);
                    sent = e.Sequence;
                }
                if (rest.Count < ReplayBatch) return sent;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away meanwhile.
            return sent;
        }
    }

    /// <summary>
    /// The last words of a stream on a stopping server: an event no client mistakes for a generation's, then the
    /// connection dropped without the final chunk, so the transfer reads as broken (curl exits non-zero, 56 or 18), not
    /// as complete.
    /// </summary>
    private static async Task EndForShutdownAsync(HttpContext context, long lastSent)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var resume = lastSent > 0 ? $" (Last-Event-ID: {lastSent.ToString(CultureInfo.InvariantCulture)})" : "";
            var data = $"{{\"status\":\"{ServerStoppingEvent}\",\"message\":\"the server is stopping; reconnect to go on{resume}\"}}";
            await WriteAsync(context, $"event: {ServerStoppingEvent}\ndata: {data}\n\n", deadline.Token);
            // Let the bytes leave before the connection is torn down.
            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away meanwhile.
        }
        context.Abort();
    }

    /// <summary>The replay window in force: none when zero or negative, at most what the hub remembers.</summary>
    private static TimeSpan Clamp(TimeSpan window) =>
        window <= TimeSpan.Zero ? TimeSpan.Zero : window > EventHub.RecentWindow ? EventHub.RecentWindow : window;

    private static long? ParseLastEventId(HttpRequest request)
    {
        var raw = request.Headers["Last-Event-ID"].ToString();
        if (raw.Length == 0) raw = request.Query["last_event_id"].ToString();
        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private static readonly byte[] KeepAlive = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    /// <summary>The event's frame, built once for every stream that sends it.</summary>
    private static Task WriteEventAsync(HttpContext context, StoredEvent e, EventFrames frames, CancellationToken ct) =>
        WriteAsync(context, frames.Of(e, context.Request), ct);

    private static Task WriteAsync(HttpContext context, string text, CancellationToken ct) => WriteAsync(context, Encoding.UTF8.GetBytes(text), ct);

    private static async Task WriteAsync(HttpContext context, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync(bytes, ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
