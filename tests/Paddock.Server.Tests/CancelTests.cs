using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Events;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>Cancelling a running render: cancelled at once, the render stops within a second, nothing is kept, no completion event.</summary>
public sealed class CancelTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Cancel_during_a_render_stops_it_within_one_second()
    {
        var client = fixture.Server.Client;
        var id = (await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-r2v", prompt = "a long slow pan over the mountains", resolution = "1080P", duration = 15 }))[0];

        // Wait until it is really rendering.
        while (true)
        {
            var row = await Api.GetRowAsync(client, id);
            if (row["status"]!.GetValue<string>() == "processing" && row["progress"]!["phase"]!.GetValue<string>() == "rendering" && row["progress"]!["percent"]!.GetValue<int>() >= 5) break;
            Assert.NotEqual("succeeded", row["status"]!.GetValue<string>());
            await Task.Delay(50);
        }

        var clock = Stopwatch.StartNew();
        var cancel = await client.DeleteAsync($"api/ai/queue/{id}");
        Assert.True(cancel.IsSuccessStatusCode);
        Assert.Contains("\"status\":\"success\"", await cancel.Content.ReadAsStringAsync());
        var after = await Api.GetRowAsync(client, id);
        Assert.Equal("cancelled", after["status"]!.GetValue<string>());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));

        // The worker is free again within a second: a new generation starts processing.
        var next = (await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-r2v", prompt = "a short clip", resolution = "720P", duration = 3 }))[0];
        var started = Stopwatch.StartNew();
        while ((await Api.GetRowAsync(client, next))["status"]!.GetValue<string>() == "queued")
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(1.5), "the cancelled render still holds the worker");
            await Task.Delay(25);
        }
        await Api.WaitTerminalAsync(client, next);

        // No output kept, no completion event, and cancelling again changes nothing.
        var outputs = Path.Combine(fixture.Server.DataDirectory, "blobs", "outputs", "default");
        Assert.Empty(Directory.Exists(outputs) ? Directory.GetFiles(outputs, $"{Guid.Parse(id):N}*") : []);
        var log = fixture.Server.Services.GetRequiredService<IEventLog>();
        var events = await log.ReadAfterAsync("default", 0, 10_000);
        Assert.DoesNotContain(events, e => e.Type == EventTypes.Completed && e.Data.Contains(id));
        Assert.Single(events, e => e.Type == EventTypes.Cancelled && e.Data.Contains(id));
        var again = await client.DeleteAsync($"api/ai/queue/{id}");
        Assert.True(again.IsSuccessStatusCode);
        Assert.Equal("cancelled", (await Api.GetRowAsync(client, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_of_a_queued_generation_means_it_never_renders()
    {
        var client = fixture.Server.Client;
        var ids = await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-r2v", prompt = "queued clip", resolution = "720P", duration = 3, num_generations = 3 });
        var last = ids[^1];
        await client.DeleteAsync($"api/ai/queue/{last}");
        foreach (var id in ids) await Api.WaitTerminalAsync(client, id);
        var row = await Api.GetRowAsync(client, last);
        Assert.Equal("cancelled", row["status"]!.GetValue<string>());
        Assert.Equal(0, row["attempt"]!.GetValue<int>());
        Assert.Null(row["result_url"]);
    }
}
