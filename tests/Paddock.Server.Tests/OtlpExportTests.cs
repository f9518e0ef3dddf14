using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Server.Hosting;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// OTLP export by setting: traces and logs reach a collector on loopback over OTLP/HTTP. The collector here only
/// records what it is sent; protobuf keeps strings as their UTF-8 bytes, so a generation's id is found in a body
/// without decoding it.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Paddock_Telemetry_OtlpEndpoint_sends_the_generations_trace_and_logs_to_the_collector()
    {
        await using var collector = await Collector.StartAsync();
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Telemetry:OtlpEndpoint"] = collector.BaseUrl,
            ["Logging:LogLevel:Paddock.Core.Orchestration"] = "Information",
        });
        var body = JsonSerializer.Serialize(new { model = "happyhorse-1.0-r2v", prompt = "a fox runs through snow", resolution = "720P", duration = 3 });
        var (status, answer) = await Api.PostJsonAsync(server.Client, "api/ai/videos/generate", body);
        Assert.True(status == 200, $"answered {status}: {answer?.ToJsonString()}");
        var generationId = answer!["generation_id"]!.GetValue<string>();

        // The exporters send in batches (every 5 s by default).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        // The attempt's span (the worker's side) may come in a later batch than the enqueue's.
        while (!(collector.Holds("/v1/traces", generationId) && collector.Holds("/v1/traces", "paddock.generation.attempt") && collector.Holds("/v1/logs", generationId)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the collector got {string.Join(", ", collector.Paths)} but not the generation's spans (enqueue and attempt) and logs");
            await Task.Delay(200);
        }
        Assert.All(collector.ContentTypes, type => Assert.Equal("application/x-protobuf", type));
    }

    /// <summary>
    /// OTLP/HTTP's receiving side as the specification describes it: POST of a protobuf body to /v1/traces, /v1/metrics
    /// or /v1/logs, answered 200 with an empty export response (an empty protobuf message is zero bytes).
    /// </summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, string ContentType, byte[] Body)> _received = new();

        private Collector(WebApplication app) => _app = app;

        public string BaseUrl { get; private set; } = "";

        public IEnumerable<string> Paths => _received.Select(r => r.Path).Distinct();

        public IEnumerable<string> ContentTypes => _received.Select(r => r.ContentType);

        public bool Holds(string path, string text) =>
            _received.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new Collector(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                collector._received.Enqueue((context.Request.Path, context.Request.ContentType ?? "", buffer.ToArray()));
                context.Response.StatusCode = (int)HttpStatusCode.OK;
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            collector.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
