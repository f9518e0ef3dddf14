using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.References;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Server.Tests;

/// <summary>
/// A reference used by several generations is fetched and checked once: by URL (revalidated when
/// its server gave validators, reused for a short time when it gave none) and by content, in a
/// cache bounded in bytes; concurrent fetches of one URL share one download.
/// </summary>
public sealed class ReferenceCacheTests
{
    private static readonly SKColor[] Palette =
        [SKColors.Red, SKColors.Orange, SKColors.Gold, SKColors.Green, SKColors.Teal, SKColors.Blue, SKColors.Indigo, SKColors.Purple, SKColors.Brown];

    private static byte[] Image(int i, int width = 800, int height = 600) => TestImages.Png(width, height, Palette[i % Palette.Length], SKColors.White);

    private static ReferenceFetcher Fetcher(long cacheBytes = 64L * 1024 * 1024, TimeProvider? time = null) =>
        new(new ReferenceFetchOptions { AllowedHosts = ["127.0.0.1"], CacheMaxBytes = cacheBytes }, local: null, time);

    /// <summary>A clock the test moves; timers still run on the system clock.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }

    [Fact]
    public async Task Nine_1080p_references_work_and_a_second_request_fetches_nothing()
    {
        await using var images = await ScriptedHost.StartAsync();
        await using var server = await PaddockHost.StartAsync();
        // Five with an ETag, as static file servers send; four without validators.
        var urls = Enumerable.Range(0, 9)
            .Select(i => images.Serve($"/set/{i}.png", Image(i, 1920, 1080), etag: i < 5 ? $"\"v1-{i}\"" : null))
            .ToArray();
        var body = JsonSerializer.Serialize(new { model = "happyhorse-1.0-r2v", prompt = "Image 1 meets Image 9", reference_images = urls, resolution = "720P", duration = 3 });

        var (first, answer) = await Api.PostJsonAsync(server.Client, "api/ai/videos/generate", body);
        Assert.True(first == 200, $"answered {first}: {answer?.ToJsonString()}");
        Assert.Equal(9, images.BodiesSent);

        var (second, again) = await Api.PostJsonAsync(server.Client, "api/ai/videos/generate", body);
        Assert.True(second == 200, $"answered {second}: {again?.ToJsonString()}");
        Assert.Equal(9, images.BodiesSent); // no image crossed the wire again
        // A sync request checks its images before it makes the generation, and the worker fetches them again: each use
        // asks only for the five with an ETag (answered 304), so 9 downloads, then 5 + 5 + 5 revalidations.
        Assert.Equal(9 + (3 * 5), images.TotalRequests);

        var stats = server.Services.GetRequiredService<ReferenceFetcher>().Statistics;
        Assert.Equal(9, stats.Downloads);
        Assert.Equal(9, stats.Checks);
        Assert.Equal(3 * 5, stats.Revalidated);
        Assert.Equal(3 * 4, stats.UrlHits);
    }

    [Fact]
    public async Task Without_validators_a_url_is_reused_for_the_ttl_and_then_asked_again()
    {
        await using var images = await ScriptedHost.StartAsync();
        var clock = new ManualClock();
        using var fetcher = Fetcher(time: clock);
        var url = images.Serve("/plain.png", Image(0));

        var first = await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        var second = await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        Assert.Equal(1, images.TotalRequests);
        Assert.Same(first.Bytes, second.Bytes);

        clock.Advance(TimeSpan.FromSeconds(61));
        var third = await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        Assert.Equal(2, images.TotalRequests);
        Assert.Same(first.Bytes, third.Bytes); // same bytes again: found by content, not checked again
        Assert.Equal(1, fetcher.Statistics.Checks);
        Assert.Equal(1, fetcher.Statistics.ContentHits);
    }

    [Fact]
    public async Task With_an_etag_every_use_revalidates_and_a_304_reuses_the_bytes()
    {
        await using var images = await ScriptedHost.StartAsync();
        using var fetcher = Fetcher();
        var url = images.Serve("/tagged.png", Image(1), etag: "\"one\"");

        var first = await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        var second = await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        Assert.Equal(2, images.TotalRequests);
        Assert.Equal(1, images.BodiesSent);
        Assert.Same(first.Bytes, second.Bytes);

        // The image changes at its URL: the old ETag no longer matches and the new bytes come.
        var changed = Image(2);
        images.Serve("/tagged.png", changed, etag: "\"two\"");
        var third = await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        Assert.Equal(changed, third.Bytes);
        Assert.Equal(2, images.BodiesSent);
        Assert.Equal(1, fetcher.Statistics.Revalidated);
    }

    [Fact]
    public async Task With_last_modified_only_an_if_modified_since_304_reuses_the_bytes()
    {
        await using var images = await ScriptedHost.StartAsync();
        using var fetcher = Fetcher();
        var bytes = Image(3);
        var modified = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var bodies = 0;
        var url = images.Map("/dated.png", async context =>
        {
            context.Response.Headers.LastModified = modified.ToString("R");
            if (DateTimeOffset.TryParse(context.Request.Headers.IfModifiedSince.ToString(), out var since) && since >= modified)
            {
                context.Response.StatusCode = 304;
                return;
            }
            Interlocked.Increment(ref bodies);
            await context.Response.Body.WriteAsync(bytes);
        });

        await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        Assert.Equal(2, images.TotalRequests);
        Assert.Equal(1, bodies);
        Assert.Equal(1, fetcher.Statistics.Revalidated);
    }

    [Fact]
    public async Task Concurrent_fetches_of_one_url_share_one_download_and_a_caller_that_gives_up_does_not_stop_it()
    {
        await using var images = await ScriptedHost.StartAsync();
        using var fetcher = Fetcher();
        var bytes = Image(4);
        var url = images.Map("/slow.png", async context =>
        {
            await Task.Delay(500);
            await context.Response.Body.WriteAsync(bytes);
        });

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var gaveUp = fetcher.FetchAsync("default", 0, url, impatient.Token);
        var waiting = Enumerable.Range(0, 8).Select(i => fetcher.FetchAsync("default", i, url, CancellationToken.None)).ToArray();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        var results = await Task.WhenAll(waiting);
        Assert.Equal(1, images.RequestsTo("/slow.png"));
        Assert.All(results, r => Assert.Same(results[0].Bytes, r.Bytes));
        Assert.Equal(Enumerable.Range(1, 8), results.Select(r => r.Index)); // each keeps its own position
    }

    [Fact]
    public async Task The_same_bytes_at_two_urls_are_checked_once_and_held_once()
    {
        await using var images = await ScriptedHost.StartAsync();
        using var fetcher = Fetcher();
        var bytes = Image(5);
        var a = images.Serve("/a.png", bytes);
        var b = images.Serve("/copy/of/a.png", bytes);

        var both = await fetcher.FetchAllAsync("default", [a, b], CancellationToken.None);
        var again = await fetcher.FetchAsync("default", 0, images.Serve("/third.png", bytes), CancellationToken.None);

        Assert.Equal(3, images.BodiesSent);
        Assert.Equal(1, fetcher.Statistics.Checks);
        Assert.Equal(2, fetcher.Statistics.ContentHits);
        Assert.Same(both[0].Bytes, both[1].Bytes);
        Assert.Same(both[0].Bytes, again.Bytes);
    }

    [Fact]
    public async Task The_cache_is_bounded_in_bytes_and_evicts_the_least_recently_used()
    {
        await using var images = await ScriptedHost.StartAsync();
        var pictures = Enumerable.Range(0, 3).Select(i => Image(i, 1920, 1080)).ToArray();
        var sizes = pictures.Select(p => p.Length).ToArray();
        var limit = sizes[0] + sizes[1] + sizes[2] / 2 + 2048; // room for two images, not three
        using var fetcher = Fetcher(limit);
        var urls = Enumerable.Range(0, 3).Select(i => images.Serve($"/lru/{i}.png", pictures[i])).ToArray();

        foreach (var url in urls) await fetcher.FetchAsync("default", 0, url, CancellationToken.None);
        var stats = fetcher.Statistics;
        Assert.True(stats.Bytes <= limit, $"the cache holds {stats.Bytes} bytes; its limit is {limit}");
        Assert.True(stats.Evictions >= 1);

        await fetcher.FetchAsync("default", 0, urls[2], CancellationToken.None); // the newest is still held
        Assert.Equal(1, images.RequestsTo("/lru/2.png"));
        await fetcher.FetchAsync("default", 0, urls[0], CancellationToken.None); // the oldest was evicted
        Assert.Equal(2, images.RequestsTo("/lru/0.png"));
    }

    [Fact]
    public async Task Failures_are_not_cached_and_no_store_or_a_zero_size_cache_fetch_every_time()
    {
        await using var images = await ScriptedHost.StartAsync();
        using var fetcher = Fetcher();
        var later = images.BaseUrl + "/later.png";
        var missing = await Assert.ThrowsAsync<ReferenceImageException>(() => fetcher.FetchAsync("default", 2, later, CancellationToken.None));
        Assert.Equal("reference_images[2]: could not be downloaded: 127.0.0.1 answered HTTP 404", missing.Message);
        images.Serve("/later.png", Image(6));
        await fetcher.FetchAsync("default", 2, later, CancellationToken.None);

        var bytes = Image(7);
        var private_ = images.Map("/no-store.png", async context =>
        {
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.Body.WriteAsync(bytes);
        });
        await fetcher.FetchAsync("default", 0, private_, CancellationToken.None);
        await fetcher.FetchAsync("default", 0, private_, CancellationToken.None);
        Assert.Equal(2, images.RequestsTo("/no-store.png"));

        using var uncached = Fetcher(cacheBytes: 0);
        var plain = images.Serve("/uncached.png", Image(8));
        await uncached.FetchAsync("default", 0, plain, CancellationToken.None);
        await uncached.FetchAsync("default", 0, plain, CancellationToken.None);
        Assert.Equal(2, images.RequestsTo("/uncached.png"));
        Assert.Equal(0, uncached.Statistics.Entries);
    }
}
