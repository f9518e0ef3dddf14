using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Events;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>/api/events: the seed's exact format, id lines, and replay of exactly the missed events after Last-Event-ID.</summary>
public sealed class EventStreamTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static object SmallJob(string prompt) => new { model = "happyhorse-1.0-r2v", prompt, resolution = "720P", duration = 3 };

    private static bool CompletionOf(SseEvent e, string id) =>
        e.Type == EventTypes.Completed && e.Data.Contains($"\"generation_id\":\"{id}\"", StringComparison.Ordinal);

    [Fact]
    public async Task Completion_event_has_the_seed_format_and_an_increasing_id()
    {
        await using var stream = await SseReader.OpenAsync(fixture.Server.Client);
        var id = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("a red balloon floats")))[0];
        var events = await stream.ReadUntilAsync(e => CompletionOf(e, id), TimeSpan.FromMinutes(2));

        var completed = events[^1];
        Assert.Equal($"{{\"generation_id\":\"{id}\",\"status\":\"succeeded\",\"media_type\":\"video\",\"model\":\"happyhorse-1.0-r2v\",\"url\":\"", completed.Data[..(completed.Data.IndexOf("\"url\":\"", StringComparison.Ordinal) + 7)]);
        Assert.DoesNotContain(": ", completed.Data);
        Assert.DoesNotContain(", ", completed.Data);
        var ids = events.Select(e => e.Id!.Value).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Exactly "event: NAME" then "data: JSON" lines, one space after each colon.
        var eventLine = stream.Lines.IndexOf("event: media_generation_completed");
        Assert.StartsWith("data: {", stream.Lines[eventLine + 1]);
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_replays_exactly_the_missed_events()
    {
        long lastSeen;
        await using (var first = await SseReader.OpenAsync(fixture.Server.Client))
        {
            var a = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("first clip")))[0];
            lastSeen = (await first.ReadUntilAsync(e => CompletionOf(e, a), TimeSpan.FromMinutes(2)))[^1].Id!.Value;
        }

        // While disconnected: one generation completes, one is cancelled.
        var b = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("second clip")))[0];
        await Api.WaitTerminalAsync(fixture.Server.Client, b);
        var c = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("third clip")))[0];
        await fixture.Server.Client.DeleteAsync($"api/ai/queue/{c}");
        await Api.WaitTerminalAsync(fixture.Server.Client, c);
        await Task.Delay(1000); // a worker that claimed c just before the cancel may still log its start

        var log = fixture.Server.Services.GetRequiredService<IEventLog>();
        var missed = (await log.ReadAfterAsync("default", lastSeen, 1000)).ToList();
        Assert.Contains(missed, e => e.Type == EventTypes.Completed && e.Data.Contains(b));
        Assert.Contains(missed, e => e.Type == EventTypes.Cancelled && e.Data.Contains(c));

        await using var second = await SseReader.OpenAsync(fixture.Server.Client, lastSeen);
        var replayed = new List<SseEvent>();
        while (replayed.Count < missed.Count && await second.NextAsync(TimeSpan.FromSeconds(5)) is { } e) replayed.Add(e);
        Assert.Equal(missed.Select(m => (m.Sequence, m.Type)), replayed.Select(r => (r.Id!.Value, r.Type)));
        Assert.Null(await second.NextAsync(TimeSpan.FromSeconds(1))); // nothing twice, nothing extra

        // And the stream goes on live after the replay.
        var d = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("fourth clip")))[0];
        var live = await second.ReadUntilAsync(e => CompletionOf(e, d), TimeSpan.FromMinutes(2));
        Assert.All(live, e => Assert.True(e.Id > missed[^1].Sequence));
    }

    [Fact]
    public async Task A_Last_Event_ID_from_beyond_this_log_streams_from_now_instead_of_staying_silent()
    {
        // As after the data folder was reset, or when the client last listened to another server.
        await using var stream = await SseReader.OpenAsync(fixture.Server.Client, lastEventId: 1_000_000_000);
        var id = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("a kite over the dunes")))[0];

        var events = await stream.ReadUntilAsync(e => CompletionOf(e, id), TimeSpan.FromMinutes(2));

        Assert.All(events, e => Assert.True(e.Id < 1_000_000_000));
    }

    [Fact]
    public async Task A_namespace_never_receives_another_namespace_events()
    {
        using var other = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("stream-other"));
        await using var otherStream = await SseReader.OpenAsync(other);
        var id = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("private clip")))[0];
        await Api.WaitTerminalAsync(fixture.Server.Client, id);
        var leaked = await otherStream.NextAsync(TimeSpan.FromSeconds(2));
        Assert.Null(leaked);
    }

    [Fact]
    public async Task Streams_over_three_of_the_hubs_slices_each_get_every_event_once_and_in_order()
    {
        // Three of the hub's slices: the later slices wait for the earlier ones' writes to leave.
        var streams = await Task.WhenAll(Enumerable.Range(0, 2 * EventHub.SliceSize + 188).Select(_ => SseReader.OpenAsync(fixture.Server.Client)));
        try
        {
            var ids = new List<string>();
            for (var k = 0; k < 3; k++)
            {
                var id = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob($"a crowd watches clip {k}")))[0];
                using var cancel = await fixture.Server.Client.DeleteAsync($"api/ai/queue/{id}");
                await Api.WaitTerminalAsync(fixture.Server.Client, id);
                ids.Add(id);
            }
            bool EndOf(SseEvent e, string id) =>
                e.Type is EventTypes.Cancelled or EventTypes.Completed && e.Data.Contains($"\"generation_id\":\"{id}\"", StringComparison.Ordinal);

            var seen = await Task.WhenAll(streams.Select(async s => (await s.ReadUntilAsync(e => EndOf(e, ids[^1]), TimeSpan.FromMinutes(2)))
                .Where(e => ids.Any(id => EndOf(e, id))).ToList()));

            Assert.All(seen, events =>
            {
                Assert.Equal(ids, events.Select(e => ids.Single(id => EndOf(e, id))));
                Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
            });
            // Kestrel's transport took its buffers from Paddock's pool (the one that keeps a bounded number free).
            Assert.True(fixture.Server.Services.GetRequiredService<Paddock.Server.Hosting.TransportBuffers>().PoolsCreated > 0);
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_hundred_streams_each_get_the_completion_once_with_a_working_url_and_idle_ones_their_comments()
    {
        var streams = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => SseReader.OpenAsync(fixture.Server.Client)));
        using var other = fixture.Server.CreateClient(await fixture.Server.CreateKeyAsync("stream-crowd-other"));
        await using var idle = await SseReader.OpenAsync(other);
        try
        {
            var id = (await Api.EnqueueAsync(fixture.Server.Client, SmallJob("a paper boat drifts")))[0];
            var completions = await Task.WhenAll(streams.Select(async s => (await s.ReadUntilAsync(e => CompletionOf(e, id), TimeSpan.FromMinutes(2)))
                .Where(e => CompletionOf(e, id)).ToList()));

            Assert.All(completions, c => Assert.Single(c));
            var first = completions[0][0];
            Assert.All(completions, c => Assert.Equal((first.Id, first.Data), (c[0].Id, c[0].Data)));
            var url = System.Text.Json.JsonDocument.Parse(first.Data).RootElement.GetProperty("url").GetString()!;
            using var video = await new HttpClient().GetAsync(url); // signed: no key needed
            Assert.Equal(System.Net.HttpStatusCode.OK, video.StatusCode);
            Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);

            // The other namespace's stream heard nothing of it, yet its comments came (after 0.2 s, 1 s and 3 s).
            Assert.Null(await idle.NextAsync(TimeSpan.FromSeconds(4)));
            Assert.True(idle.Lines.Count(l => l == ": keep-alive") >= 3, string.Join(" | ", idle.Lines));
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync();
        }
    }
}
