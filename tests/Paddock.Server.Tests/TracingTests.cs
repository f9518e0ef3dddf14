using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Paddock.Core.Telemetry;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>
/// One trace per generation, from the request that submitted it to its stored output, exported to an in-test collector
/// (OpenTelemetry's in-memory exporter); and every log line of the generation's work carries its id and trace id.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task A_generations_spans_form_one_trace_from_the_request_to_the_stored_output()
    {
        var spans = new SpanCollection();
        var logs = new LogCapture();
        await using var images = await ScriptedHost.StartAsync();
        // An ETag makes the worker's fetch ask the image host again (answered 304): an HTTP call inside the attempt.
        var reference = images.Serve("/fox.png", TestImages.Png(800, 600, SKColors.OrangeRed, SKColors.White), etag: "\"v1\"");
        await using var server = await PaddockHost.StartAsync(
            new Dictionary<string, string> { ["Logging:LogLevel:Paddock.Core.Orchestration"] = "Information" },
            configure: builder =>
            {
                // An exporter added in code chooses its sampler too: with no OTLP endpoint, Paddock records no span.
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans).SetSampler(new AlwaysOnSampler()));
                builder.Logging.AddProvider(logs);
            });

        var body = JsonSerializer.Serialize(new { model = "happyhorse-1.0-r2v", prompt = "Image 1 runs through a forest", reference_images = new[] { reference }, resolution = "720P", duration = 3 });
        var (status, answer) = await Api.PostJsonAsync(server.Client, "api/ai/videos/generate", body);
        Assert.True(status == 200, $"answered {status}: {answer?.ToJsonString()}");
        var generationId = answer!["generation_id"]!.GetValue<string>();

        // A span is exported when it ends, and both the attempt's span (just after the row is written succeeded) and the
        // request's (after its answer is flushed) may end a moment after the client has read the answer: wait for both.
        static bool IsRequest(Activity s) => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("url.path") == "/api/ai/videos/generate";
        static bool IsImageHost(Activity s) => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("url.path") == "/fox.png";
        var trace = await EventuallyAsync(() =>
        {
            var snapshot = spans.Snapshot();
            var found = snapshot.FirstOrDefault(s =>
                s.OperationName == PaddockDiagnostics.Spans.Attempt && (string?)s.GetTagItem(PaddockDiagnostics.Tags.GenerationId) == generationId);
            var inTrace = found is null ? [] : snapshot.Where(s => s.TraceId == found.TraceId).ToList();
            return inTrace.Any(IsRequest) && inTrace.Any(IsImageHost) ? inTrace : null;
        });
        var attempt = Assert.Single(trace, s => s.OperationName == PaddockDiagnostics.Spans.Attempt);
        var request = Assert.Single(trace, IsRequest);
        Assert.Equal("POST", request.GetTagItem("http.request.method"));
        // The context travels on outgoing calls too: the image host (a server of its own) saw its requests in this trace.
        Assert.Contains(trace, IsImageHost);

        // Every step is in the request's trace, each under the one that started it.
        var enqueue = Assert.Single(trace, s => s.OperationName == PaddockDiagnostics.Spans.Enqueue);
        var fetch = Assert.Single(trace, s => s.OperationName == PaddockDiagnostics.Spans.FetchReferences);
        var render = Assert.Single(trace, s => s.OperationName == PaddockDiagnostics.Spans.Render);
        var store = Assert.Single(trace, s => s.OperationName == PaddockDiagnostics.Spans.StoreOutput);
        Assert.Equal(request.SpanId, enqueue.ParentSpanId);
        // The worker has no request of its own: its attempt joins the trace only through the context stored with the row.
        Assert.Equal(enqueue.SpanId, attempt.ParentSpanId);
        Assert.All([fetch, render, store], s => Assert.Equal(attempt.SpanId, s.ParentSpanId));
        Assert.Equal("builtin", render.GetTagItem(PaddockDiagnostics.Tags.EngineType));
        Assert.Equal("succeeded", attempt.GetTagItem(PaddockDiagnostics.Tags.Outcome));
        Assert.Equal(ActivityStatusCode.Unset, attempt.Status);

        // The reference's revalidation by the worker is an HTTP client span under the fetch.
        var revalidation = Assert.Single(trace, s => s.Kind == ActivityKind.Client && s.ParentSpanId == fetch.SpanId);
        Assert.Equal(304, revalidation.GetTagItem("http.response.status_code"));
        // The spans nest in time: the output was stored after the render, within the attempt.
        Assert.True(store.StartTimeUtc >= render.StartTimeUtc + render.Duration);
        Assert.True(attempt.StartTimeUtc >= enqueue.StartTimeUtc);

        // The worker's log lines carry the generation's id and the trace's id (scopes: structured loggers write them as fields).
        var started = Assert.Single(logs.Lines, l => l.Message.Contains($"Generation {generationId} started", StringComparison.Ordinal));
        Assert.Equal(Guid.Parse(generationId), started.Fields["GenerationId"]);
        Assert.Equal(attempt.TraceId.ToHexString(), started.Fields["TraceId"]);
    }


    [Fact]
    public async Task With_nothing_to_export_no_span_is_recorded_yet_the_generations_log_lines_carry_its_trace()
    {
        var logs = new LogCapture();
        // Sees every span of Paddock's source as it stops, without asking for any to be recorded (the decision stays OpenTelemetry's).
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PaddockDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await PaddockHost.StartAsync(
            new Dictionary<string, string> { ["Logging:LogLevel:Paddock.Core.Orchestration"] = "Information" },
            configure: builder => builder.Logging.AddProvider(logs));

        var body = JsonSerializer.Serialize(new { model = "happyhorse-1.0-t2v", prompt = "a lighthouse at dusk", resolution = "720P", duration = 3 });
        var (status, answer) = await Api.PostJsonAsync(server.Client, "api/ai/videos/generate", body);
        Assert.True(status == 200, $"answered {status}: {answer?.ToJsonString()}");
        var generationId = answer!["generation_id"]!.GetValue<string>();

        // The worker's lines still name the trace the request started (its id came through the row's traceparent)...
        var started = Assert.Single(logs.Lines, l => l.Message.Contains($"Generation {generationId} started", StringComparison.Ordinal));
        var traceId = Assert.IsType<string>(started.Fields["TraceId"]);
        Assert.NotEqual(default(ActivityTraceId).ToHexString(), traceId);
        // ...and every span of that trace was created for its ids only (the worker's attempt, to carry the request's trace
        // to its lines): none recorded, none with data gathered.
        // (The attempt's span ends just after the row is written succeeded, which may be a moment after the answer.)
        var trace = await EventuallyAsync(() =>
        {
            var inTrace = stopped.Where(s => s.TraceId.ToHexString() == traceId).ToList();
            return inTrace.Any(s => s.OperationName == PaddockDiagnostics.Spans.Attempt) ? inTrace : null;
        });
        Assert.All(trace, s => Assert.False(s.Recorded || s.IsAllDataRequested, $"{s.OperationName} was recorded"));
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the spans were not exported within 30 s");
            await Task.Delay(50);
        }
    }
}
