using System.Collections.Concurrent;
using System.Diagnostics;
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

    [Fact]
    public async Task A_worker_in_another_process_continues_the_trace_of_the_request_that_enqueued_the_generation()
    {
        await using var collector = await Collector.StartAsync();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "paddock-test-" + Guid.NewGuid().ToString("N"));
        var otlp = $"--Paddock:Telemetry:OtlpEndpoint={collector.BaseUrl}";
        await using var api = await ServerProcess.StartAsync(dataDirectory, "--no-workers", otlp);
        var workerUrl = $"http://127.0.0.1:{FreePort()}";
        using var worker = StartWorker(dataDirectory, workerUrl, otlp);
        try
        {
            // The client's own trace: the API continues it, and the worker, which sees only the row, must too.
            var traceId = ActivityTraceId.CreateRandom();
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/ai/queue")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { model = "happyhorse-1.0-r2v", prompt = "a robot waves", resolution = "720P", duration = 3 }),
                    Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await api.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var id = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["generations"]![0]!["generation_id"]!.GetValue<string>();
            Assert.Equal("succeeded", (await Api.WaitTerminalAsync(api.Client, id))["status"]!.GetValue<string>());

            // OTLP carries a trace id as its 16 bytes: the worker's export (its resource says paddock.role Worker) holds
            // the attempt's span with the client's trace id.
            var bytes = Convert.FromHexString(traceId.ToHexString());
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!collector.HoldsAll("/v1/traces", bytes, "Worker", "paddock.generation.attempt", id))
            {
                Assert.True(DateTime.UtcNow < deadline, "no export of the worker holds its attempt's span in the client's trace");
                await Task.Delay(200);
            }
            Assert.True(collector.HoldsAll("/v1/traces", bytes, "paddock.generation.enqueue", id), "the API's enqueue span is in the same trace");
        }
        finally
        {
            if (!worker.HasExited) worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }
    }

    private static System.Diagnostics.Process StartWorker(string dataDirectory, string url, params string[] settings)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "paddock.dll"), "worker", "--urls", url, "--data-dir", dataDirectory,
                     "--Paddock:Engines:Builtin:Preset=ultrafast", "--Logging:LogLevel:Default=Warning" }.Concat(settings))
            info.ArgumentList.Add(a);
        var process = System.Diagnostics.Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

        /// <summary>True when one body sent to <paramref name="path"/> holds <paramref name="bytes"/> and every one of <paramref name="texts"/>.</summary>
        public bool HoldsAll(string path, byte[] bytes, params string[] texts) =>
            _received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(bytes) >= 0
                && texts.All(t => Encoding.UTF8.GetString(r.Body).Contains(t, StringComparison.Ordinal)));

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
