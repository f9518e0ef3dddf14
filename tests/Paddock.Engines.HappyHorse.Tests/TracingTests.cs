using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Paddock.Core.Telemetry;
using Paddock.Engines.HappyHorse.Tests.Support;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>A remote engine's calls to its provider are spans of the generation's trace, under the engine's render.</summary>
public sealed class TracingTests
{
    private const string CreatePath = "/api/v1/services/aigc/video-generation/video-synthesis";

    [Fact]
    public async Task The_providers_calls_are_in_the_generations_trace_under_the_render()
    {
        var spans = new SpanCollection();
        await using var rig = await Rig.StartAsync();
        await using var paddock = await PaddockHost.StartAsync(rig.Settings(),
            configure: builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans).SetSampler(new AlwaysOnSampler())));
        var fox = rig.Reference("fox", SKColors.OrangeRed);

        var id = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 walks through a garden",
            reference_images = new[] { fox },
            resolution = "720P",
            duration = 3,
        });
        Assert.Equal("succeeded", Wire.Status(await Api.WaitTerminalAsync(paddock.Client, id, TimeSpan.FromSeconds(120))));

        Activity? attempt = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((attempt = spans.Snapshot().FirstOrDefault(s => s.OperationName == PaddockDiagnostics.Spans.Attempt
                   && (string?)s.GetTagItem(PaddockDiagnostics.Tags.GenerationId) == id)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the attempt's span was not exported");
            await Task.Delay(50);
        }
        var trace = spans.Snapshot().Where(s => s.TraceId == attempt.TraceId).ToList();
        var enqueueRequest = Assert.Single(trace, s => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("url.path") == "/api/ai/queue");
        var render = Assert.Single(trace, s => s.OperationName == PaddockDiagnostics.Spans.Render);
        Assert.Equal("happyhorse", render.GetTagItem(PaddockDiagnostics.Tags.EngineType));

        // The create call (and the polls after it) are HTTP client spans whose ancestry reaches the render.
        var byId = trace.ToDictionary(s => s.SpanId);
        bool Under(Activity span, Activity ancestor)
        {
            for (var s = span; byId.TryGetValue(s.ParentSpanId, out var parent); s = parent)
                if (parent.SpanId == ancestor.SpanId) return true;
            return false;
        }
        var create = Assert.Single(trace, s => s.Kind == ActivityKind.Client && "POST".Equals(s.GetTagItem("http.request.method"))
            && ((string?)s.GetTagItem("url.full"))?.Contains(CreatePath, StringComparison.Ordinal) == true);
        Assert.True(Under(create, render), "the provider's create call is under the engine's render span");
        Assert.True(Under(render, enqueueRequest), "the render is in the trace of the request that enqueued the generation");
        Assert.Contains(trace, s => s.Kind == ActivityKind.Client && "GET".Equals(s.GetTagItem("http.request.method")) && Under(s, render));
    }
}
