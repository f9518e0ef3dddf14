using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Paddock.Bench;

namespace SseBench;

/// <summary>
/// The baseline: the least a Kestrel app does to broadcast an event to every open SSE response. <c>GET /events</c>
/// registers the response and holds it open; <c>POST /broadcast</c> encodes one frame shaped like Paddock's cancelled
/// event (same event name, same fields, same size) and writes and flushes it to every registered response at once.
/// No auth, no log, no replay, no keep-alive: the ceiling Paddock is measured against. Runs as this program's
/// <c>raw-server</c> role in a child process of its own.
/// </summary>
public static class RawBroadcaster
{
    public static async Task<int> RunAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var streams = new ConcurrentDictionary<HttpContext, byte>();
        long sequence = 0;

        app.MapGet("/events", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await context.Response.Body.WriteAsync(Connected);
            await context.Response.Body.FlushAsync();
            streams[context] = 0;
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client went away.
            }
            streams.TryRemove(context, out _);
        });

        app.MapPost("/broadcast", async () =>
        {
            var seq = Interlocked.Increment(ref sequence);
            var data = $"{{\"generation_id\":\"{Guid.NewGuid():D}\",\"status\":\"cancelled\",\"media_type\":\"video\",\"model\":\"happyhorse-1.0-r2v\"}}";
            var frame = Encoding.UTF8.GetBytes($"id: {seq.ToString(CultureInfo.InvariantCulture)}\nevent: {SseClients.EventName}\ndata: {data}\n\n");
            var writes = new List<Task>(streams.Count);
            foreach (var context in streams.Keys) writes.Add(WriteAsync(context, frame));
            await Task.WhenAll(writes);
            return Results.Ok();
        });

        await app.StartAsync();
        Console.WriteLine($"listening on {Kestrel.ListeningAddress(app)}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static readonly byte[] Connected = Encoding.UTF8.GetBytes(": connected\n\n");

    private static async Task WriteAsync(HttpContext context, byte[] frame)
    {
        try
        {
            await context.Response.Body.WriteAsync(frame, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away meanwhile.
        }
    }
}
