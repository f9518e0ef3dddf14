using Paddock.Engines.Upstream.Tests.Support;

namespace Paddock.Engines.Upstream.Tests;

/// <summary>A and B chained across a link that throttles, cuts event streams and goes down: A still finishes, B renders once.</summary>
public sealed class NetworkFaultTests
{
    [Fact]
    public async Task Throttled_submissions_are_retried_after_Retry_After_under_one_idempotency_key_and_succeed()
    {
        await using var chain = await Chain.StartAsync();
        await using var link = await FlakyLink.StartAsync(chain.B.BaseUrl);
        link.ThrottleSubmissions = 2;
        await using var a = await chain.StartDownstreamAsync(new LogCapture(), new Dictionary<string, string> { ["Paddock:Workers:RetryBaseDelay"] = "00:00:00.200" }, link.BaseUrl);

        var id = await Wire.EnqueueAsync(a.Client, new { model = Chain.Model, prompt = "Image 1 waits its turn, then bows.", resolution = "720P", duration = 3 });
        var waiting = await Wire.WaitForAsync(a.Client, id, r => r["status_message"]?.GetValue<string>() is { } m && m.Contains("throttling", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "said it waits on the throttle");
        Assert.Equal("queued", Wire.Status(waiting));
        Assert.Contains("over the key's quota", waiting["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        var row = await Wire.WaitTerminalAsync(a.Client, id);

        Assert.True(Wire.Status(row) == "succeeded", row.ToJsonString());
        var submissions = link.Requests.Where(r => r is { Method: "POST", Path: "/api/ai/queue" }).ToList();
        Assert.Equal([429, 429, 200], submissions.Select(s => s.Status));
        Assert.NotNull(submissions[0].IdempotencyKey);
        Assert.All(submissions, s => Assert.Equal(submissions[0].IdempotencyKey, s.IdempotencyKey));
        Assert.Single(await Wire.AllRowsAsync(chain.B.Client));
    }

    [Fact]
    public async Task Cut_event_streams_and_a_short_outage_are_ridden_out_resuming_the_stream_after_the_last_event()
    {
        await using var chain = await Chain.StartAsync();
        await using var link = await FlakyLink.StartAsync(chain.B.BaseUrl);
        link.CutEventStreamsAfter = 2;
        await using var a = await chain.StartDownstreamAsync(new LogCapture(), baseUrl: link.BaseUrl);

        var id = await Wire.EnqueueAsync(a.Client, new
        {
            model = Chain.Model, prompt = "Image 1 flies over the mountains, tracking shot.", reference_images = new[] { Chain.DataUrl(Chain.FoxPng()) },
            resolution = "720P", duration = 6,
        });
        var recorded = await Wire.WaitForAsync(a.Client, id, r => r["remote"]?["id"] is not null, TimeSpan.FromMinutes(1), "recorded its upstream generation");
        var upstreamId = recorded["remote"]!["id"]!.GetValue<string>();
        await Wire.WaitForAsync(chain.B.Client, upstreamId, r => Wire.Status(r) == "processing", TimeSpan.FromMinutes(1), "started on B");
        link.GoDown();
        await Task.Delay(TimeSpan.FromSeconds(3));
        link.ComeBack();

        var row = await Wire.WaitTerminalAsync(a.Client, id);
        Assert.True(Wire.Status(row) == "succeeded", row.ToJsonString());
        Assert.Equal(1, row["attempt"]!.GetValue<int>()); // one attempt rode it all out
        Assert.Equal(upstreamId, Assert.Single(await Wire.AllRowsAsync(chain.B.Client))["generation_id"]!.GetValue<string>());

        // Every stream after the first asked to start after an event the link had passed on: nothing missed, nothing twice.
        var streams = link.Requests.Where(r => r.Path == "/api/events").ToList();
        Assert.True(streams.Count >= 3, $"only {streams.Count} event streams were opened");
        Assert.Null(streams[0].LastEventId);
        var passed = new HashSet<long>();
        foreach (var stream in streams)
        {
            if (passed.Count > 0)
            {
                Assert.NotNull(stream.LastEventId);
                Assert.Contains(long.Parse(stream.LastEventId!), passed);
            }
            foreach (var e in stream.EventIds) passed.Add(e);
        }
    }

    [Fact]
    public async Task An_outage_longer_than_the_wait_allows_is_retried_and_the_retry_follows_the_same_upstream_generation()
    {
        await using var chain = await Chain.StartAsync();
        await using var link = await FlakyLink.StartAsync(chain.B.BaseUrl);
        await using var a = await chain.StartDownstreamAsync(new LogCapture(), new Dictionary<string, string>
        {
            ["Paddock:Backends:b:UnreachableTimeout"] = "00:00:02",
            ["Paddock:Workers:RetryBaseDelay"] = "00:00:00.200",
        }, link.BaseUrl);

        var id = await Wire.EnqueueAsync(a.Client, new { model = Chain.Model, prompt = "Image 1 sleeps under the stars.", resolution = "720P", duration = 6 });
        var recorded = await Wire.WaitForAsync(a.Client, id, r => r["remote"]?["id"] is not null, TimeSpan.FromMinutes(1), "recorded its upstream generation");
        var upstreamId = recorded["remote"]!["id"]!.GetValue<string>();
        link.GoDown();
        var waiting = await Wire.WaitForAsync(a.Client, id, r => Wire.Status(r) == "queued", TimeSpan.FromSeconds(30), "went back to the queue");
        Assert.Contains("could not be reached", waiting["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        link.ComeBack();

        var row = await Wire.WaitTerminalAsync(a.Client, id);
        Assert.True(Wire.Status(row) == "succeeded", row.ToJsonString());
        Assert.Equal(upstreamId, row["remote"]!["id"]!.GetValue<string>());
        Assert.Equal(upstreamId, Assert.Single(await Wire.AllRowsAsync(chain.B.Client))["generation_id"]!.GetValue<string>());
        Assert.Single(link.Requests, r => r is { Method: "POST", Path: "/api/ai/queue" });
    }
}
