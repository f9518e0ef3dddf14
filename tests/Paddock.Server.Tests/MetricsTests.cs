using System.Globalization;
using System.Text.RegularExpressions;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>
/// Every metric Paddock lists is on the Prometheus scrape route and moves when its cause happens: the queue depth and
/// wait per model, render time per engine, failures per kind, open event streams, reference cache hits and misses.
/// </summary>
public sealed partial class MetricsTests
{
    private const string Model = "happyhorse-1.0-r2v";

    [Fact]
    public async Task The_scrape_route_is_off_by_default()
    {
        await using var server = await PaddockHost.StartAsync();
        using var response = await server.CreateClient(null).GetAsync("metrics");
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Every_listed_metric_is_scraped_and_moves_when_its_cause_happens()
    {
        await using var images = await ScriptedHost.StartAsync();
        var reference = images.Serve("/owl.png", TestImages.Png(800, 600, SKColors.SaddleBrown, SKColors.White));
        var missing = images.Map("/gone.png", context => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        await using var server = await PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Telemetry:Prometheus"] = "true",
            ["Paddock:Telemetry:QueueDepthInterval"] = "00:00:00.100",
        });
        var scraper = server.CreateClient(null); // the route needs no key

        // An open event stream counts while it is open.
        using (var events = new HttpRequestMessage(HttpMethod.Get, "api/events"))
        {
            using var stream = await server.Client.SendAsync(events, HttpCompletionOption.ResponseHeadersRead);
            await EventuallyAsync(scraper, text => Value(text, "paddock_sse_active_streams") == 1, "the open stream is counted");
        }
        await EventuallyAsync(scraper, text => Value(text, "paddock_sse_active_streams") == 0, "the closed stream is no longer counted");

        // Three generations for one worker: while the first renders, the others wait in the queue.
        var body = new { model = Model, prompt = "Image 1 flies over a lake", reference_images = new[] { reference }, resolution = "720P", duration = 3 };
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.AddRange(await Api.EnqueueAsync(server.Client, body));
        await EventuallyAsync(scraper, text => Value(text, "paddock_queue_depth", $"paddock_model=\"{Model}\"") >= 1, "queued generations are counted");
        foreach (var id in ids) Assert.Equal("succeeded", (await Api.WaitTerminalAsync(server.Client, id))["status"]!.GetValue<string>());
        await EventuallyAsync(scraper, text => Value(text, "paddock_queue_depth", $"paddock_model=\"{Model}\"") == 0, "the emptied queue reads 0");

        await EventuallyAsync(scraper, text => Value(text, "paddock_queue_wait_seconds_count", $"paddock_model=\"{Model}\"") == 3, "three waits are recorded");
        var text = await ScrapeAsync(scraper);
        Assert.Equal(3, Value(text, "paddock_queue_wait_seconds_count", $"paddock_model=\"{Model}\""));
        Assert.Equal(3, Value(text, "paddock_render_duration_seconds_count", "paddock_engine=\"builtin\"", "paddock_outcome=\"succeeded\""));
        Assert.True(Value(text, "paddock_render_duration_seconds_sum", "paddock_engine=\"builtin\"") > 0);
        // One download of the reference, then the cache: the two later generations found it by URL.
        Assert.Equal(1, Value(text, "paddock_reference_cache_misses_total"));
        Assert.Equal(2, Value(text, "paddock_reference_cache_hits_total", "paddock_cache_hit=\"url\""));
        Assert.Equal(0, Value(text, "paddock_generation_failures_total"));

        // A reference that is gone fails its generation as invalid input.
        var failed = (await Api.EnqueueAsync(server.Client, body with { reference_images = new[] { missing } }))[0];
        Assert.Equal("failed", (await Api.WaitTerminalAsync(server.Client, failed))["status"]!.GetValue<string>());
        // (A scrape may be answered from the exporter's short cache: wait for a fresh one.)
        await EventuallyAsync(scraper, text => Value(text, "paddock_generation_failures_total",
            "paddock_failure_kind=\"invalid_input\"", "paddock_outcome=\"failed\"", $"paddock_model=\"{Model}\"") == 1, "the failure is counted by its kind");
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("metrics");
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task EventuallyAsync(HttpClient client, Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string text;
        while (!condition(text = await ScrapeAsync(client)))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not seen within 60 s: {what}\n{text}");
            await Task.Delay(100);
        }
    }

    /// <summary>The sum of a metric's samples whose labels include every one of <paramref name="labels"/>; 0 when none is scraped.</summary>
    private static double Value(string scrape, string metric, params string[] labels) =>
        Sample().Matches(scrape)
            .Where(m => m.Groups["name"].Value == metric && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    // A sample line of the text exposition format: name{labels} value [timestamp].
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})?\s+(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
