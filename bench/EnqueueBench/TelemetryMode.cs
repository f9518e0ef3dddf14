using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Http;
using Paddock.Bench;

namespace EnqueueBench;

/// <summary>
/// <c>--telemetry</c>: the same enqueue load on Paddock with OpenTelemetry off (<c>Paddock:Telemetry:Enabled=false</c>),
/// on as shipped (spans and metrics collected, nothing exported), and on with everything exported: OTLP/HTTP traces,
/// metrics and logs to a collector on loopback, and the Prometheus route scraped every second. Runs alternate; the
/// target is at least 90% of the throughput with telemetry off.
/// </summary>
internal static class TelemetryMode
{
    public static async Task<int> RunAsync(Settings settings, LoadGenerator load, BenchRequest body)
    {
        await using var collector = await OtlpSink.StartAsync();
        var off = new List<RunResult>();
        var quiet = new List<RunResult>();
        var exported = new List<RunResult>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            await using (var target = await PaddockTarget.StartAsync(settings.DataRoot, "otel-off", ["--Paddock:Telemetry:Enabled=false"]))
                off.Add(Print(run, await load.RunAsync(target, body)));
            Settle();
            await using (var target = await PaddockTarget.StartAsync(settings.DataRoot, "otel-default"))
                quiet.Add(Print(run, await load.RunAsync(target, body)));
            Settle();
            await using (var target = await PaddockTarget.StartAsync(settings.DataRoot, "otel-export",
                             ["--Paddock:Telemetry:Prometheus=true", $"--Paddock:Telemetry:OtlpEndpoint={collector.BaseUrl}"]))
            {
                using var scraper = new HttpClient { BaseAddress = target.BaseAddress };
                using var scraping = new CancellationTokenSource();
                var scrapes = ScrapeEverySecondAsync(scraper, scraping.Token);
                exported.Add(Print(run, await load.RunAsync(target, body)));
                await scraping.CancelAsync();
                await scrapes;
            }
            Settle();
        }

        var o = Summary.Of(off);
        var q = Summary.Of(quiet);
        var e = Summary.Of(exported);
        var clean = off.Concat(quiet).Concat(exported).All(r => r.Clean);
        Console.WriteLine();
        Console.WriteLine(Report.MarkdownMarker);
        Console.WriteLine();
        Console.WriteLine($"### Enqueue throughput with tracing and metrics on vs off ({DateTime.Now:yyyy-MM-dd})");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Report.Machine()} (at the end of the run).  ");
        Console.WriteLine($"Settings: {settings.Describe()}; runs alternate off, default and exported; medians over runs. " +
                          "`POST /api/ai/queue` with the seed body, `Workers:Concurrency=0`, fresh SQLite data directory per run, load generator in the same process " +
                          "(its own HttpClient calls untraced: `System.Net.Http.EnableActivityPropagation=false`; its client metrics are still collected when telemetry is on). " +
                          $"Exported: OTLP/HTTP to a collector on loopback in this process (it received {collector.Requests} exports), Prometheus route scraped every second.");
        Console.WriteLine();
        Console.WriteLine("| Paddock | requests/s | p50 ms | p99 ms | CPU ms/request | errors | per run (req/s) | throughput / off |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|---:|");
        Console.WriteLine(Row("telemetry off (`Paddock:Telemetry:Enabled=false`)", o, off, 1));
        Console.WriteLine(Row("telemetry on, nothing exported (the default)", q, quiet, q.RequestsPerSecond / o.RequestsPerSecond));
        Console.WriteLine(Row("telemetry on, OTLP export + Prometheus scrape", e, exported, e.RequestsPerSecond / o.RequestsPerSecond));
        Console.WriteLine();
        Console.WriteLine($"exported / off: **{e.RequestsPerSecond / o.RequestsPerSecond:0.00}** of the throughput (target at least 0.90); " +
                          $"CPU per request {e.CpuMsPerRequest / o.CpuMsPerRequest:0.00}x  ");
        if (!clean) Console.WriteLine("**Some runs had errors or failed the rows check: these numbers are not valid.**");
        return clean ? 0 : 1;
    }

    private static async Task ScrapeEverySecondAsync(HttpClient client, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using (var response = await client.GetAsync("metrics", ct)) response.EnsureSuccessStatusCode();
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static RunResult Print(int run, RunResult r)
    {
        Console.WriteLine($"run {run} {r.Target,-13} {r.RequestsPerSecond,9:N0} req/s  p50 {r.P50Ms,7:0.00} ms  p99 {r.P99Ms,7:0.00} ms  " +
                          $"CPU {r.CpuMsPerRequest,6:0.000} ms/req  errors {r.Errors}");
        if (r.Errors > 0) Console.WriteLine($"    RUN HAD ERRORS; first: {r.FirstError}");
        if (r.Check is not null) Console.WriteLine($"    {r.Check}");
        return r;
    }

    private static string Row(string name, Summary s, List<RunResult> runs, double ratio) =>
        $"| {name} | {s.RequestsPerSecond:N0} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.CpuMsPerRequest:0.000} | {s.Errors} | " +
        string.Join(", ", runs.Select(r => r.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture))) + $" | {ratio:0.00} |";

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>OTLP/HTTP's receiving side: a POST to /v1/{signal}, answered 200 with an empty export response (zero bytes of protobuf).</summary>
    private sealed class OtlpSink : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private long _requests;

        private OtlpSink(WebApplication app) => _app = app;

        public string BaseUrl { get; private set; } = "";

        public long Requests => Interlocked.Read(ref _requests);

        public static async Task<OtlpSink> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var sink = new OtlpSink(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                Interlocked.Increment(ref sink._requests);
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            sink.BaseUrl = Kestrel.ListeningAddress(app).ToString();
            return sink;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
