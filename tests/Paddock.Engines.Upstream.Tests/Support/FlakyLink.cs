using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Paddock.Engines.Upstream.Tests.Support;

/// <summary>One request that crossed the link, as the upstream would have seen it.</summary>
public sealed record LinkedRequest(string Method, string Path, string? LastEventId, string? IdempotencyKey)
{
    /// <summary>For an event stream: the ids of the events passed on before the connection ended.</summary>
    public ConcurrentQueue<long> EventIds { get; } = new();

    public int Status { get; set; }
}

/// <summary>
/// The network between A and B, with the faults a real one has: B stays a real Paddock, and this relays every request to
/// it byte for byte (event streams event by event), except that it can throttle submissions the way the API documents
/// (429 <c>rate_limited</c> with <c>Retry-After</c>, in the error envelope), cut every event stream after a few events,
/// or drop every connection for a while (an outage). It logs what crossed.
/// </summary>
public sealed class FlakyLink : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
        { "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer" };

    private readonly WebApplication _app;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly string _target;
    private readonly ConcurrentDictionary<HttpContext, byte> _open = new();
    private int _throttle;

    private FlakyLink(WebApplication app, string target)
    {
        _app = app;
        _target = target;
    }

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<LinkedRequest> Requests { get; } = new();

    /// <summary>Submissions (<c>POST /api/ai/queue</c>) still to be answered 429 instead of being passed on.</summary>
    public int ThrottleSubmissions
    {
        get => Volatile.Read(ref _throttle);
        set => Volatile.Write(ref _throttle, value);
    }

    /// <summary>Each event stream is cut after this many events (null: never).</summary>
    public int? CutEventStreamsAfter { get; set; }

    /// <summary>Whether the link is down: every connection dropped without an answer.</summary>
    public bool Down { get; private set; }

    /// <summary>An outage begins: open connections (event streams) drop, new ones get no answer.</summary>
    public void GoDown()
    {
        Down = true;
        foreach (var context in _open.Keys) context.Abort();
    }

    public void ComeBack() => Down = false;

    public static async Task<FlakyLink> StartAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var link = new FlakyLink(app, target.TrimEnd('/'));
        app.Run(link.RelayAsync);
        await app.StartAsync();
        link.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return link;
    }

    private async Task RelayAsync(HttpContext context)
    {
        var incoming = context.Request;
        var seen = new LinkedRequest(incoming.Method, incoming.Path, incoming.Headers["Last-Event-ID"].FirstOrDefault(), incoming.Headers["Idempotency-Key"].FirstOrDefault());
        Requests.Enqueue(seen);
        if (Down)
        {
            context.Abort();
            return;
        }
        _open[context] = 0;
        try
        {
            await ForwardAsync(context, seen);
        }
        finally
        {
            _open.TryRemove(context, out _);
        }
    }

    private async Task ForwardAsync(HttpContext context, LinkedRequest seen)
    {
        var incoming = context.Request;
        if (incoming.Method == "POST" && incoming.Path == "/api/ai/queue" && Interlocked.Decrement(ref _throttle) >= 0)
        {
            // The API's 429: the error envelope with type rate_limited, and Retry-After (API.md, error table).
            seen.Status = 429;
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsJsonAsync(new
            {
                error = new { type = "rate_limited", title = "Too many requests.", detail = "over the key's quota; try again in 1 s", message = "over the key's quota; try again in 1 s" },
                status = "error", status_message = "rate_limited",
            });
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), _target + incoming.Path + incoming.QueryString);
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0) request.Content = new StreamContent(incoming.Body);
        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values)) request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            context.Abort();
            return;
        }
        using (response)
        {
            seen.Status = (int)response.StatusCode;
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (!HopByHop.Contains(name)) context.Response.Headers[name] = values.ToArray();
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
                if (response.Content.Headers.ContentType?.MediaType == "text/event-stream") await RelayEventsAsync(context, body, seen);
                else await body.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
            {
                context.Abort();
            }
        }
    }

    /// <summary>Passes the stream on event by event (flushed, as a real proxy of SSE must), cutting it when told.</summary>
    private async Task RelayEventsAsync(HttpContext context, Stream body, LinkedRequest seen)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        long? id = null;
        var events = 0;
        var block = new StringBuilder();
        while (await reader.ReadLineAsync(context.RequestAborted) is { } line)
        {
            block.Append(line).Append('\n');
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
            if (line.Length > 0) continue;
            await context.Response.WriteAsync(block.ToString(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            block.Clear();
            if (id is { } passed)
            {
                seen.EventIds.Enqueue(passed);
                id = null;
                if (++events >= CutEventStreamsAfter)
                {
                    context.Abort();
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        GoDown();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
