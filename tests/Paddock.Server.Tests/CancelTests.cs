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

    [Fact]
    public async Task Cancelling_a_generation_that_already_ended_says_so_and_changes_nothing()
    {
        var client = fixture.Server.Client;
        var id = (await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-r2v", prompt = "a short clip", resolution = "720P", duration = 3 }))[0];
        Assert.Equal("succeeded", (await Api.WaitTerminalAsync(client, id))["status"]!.GetValue<string>());

        using var answer = await client.DeleteAsync($"api/ai/queue/{id}");
        var body = System.Text.Json.Nodes.JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        // Still 200 and "success" for clients of the original API; the extension fields tell what happened.
        Assert.Equal(200, (int)answer.StatusCode);
        Assert.Equal("success", body["status"]!.GetValue<string>());
        Assert.Equal(id, body["generation_id"]!.GetValue<string>());
        Assert.Equal("already_ended", body["status_message"]!.GetValue<string>());
        Assert.Equal("succeeded", body["generation_status"]!.GetValue<string>());
        Assert.Contains("had already ended (succeeded); nothing was cancelled", body["message"]!.GetValue<string>());
        Assert.Equal("succeeded", (await Api.GetRowAsync(client, id))["status"]!.GetValue<string>());

        // A cancel that does cancel says that instead.
        foreach (var running in await Api.EnqueueAsync(client, new { model = "happyhorse-1.0-r2v", prompt = "a long clip", resolution = "1080P", duration = 15, num_generations = 2 }))
        {
            using var cancelled = await client.DeleteAsync($"api/ai/queue/{running}");
            var said = System.Text.Json.Nodes.JsonNode.Parse(await cancelled.Content.ReadAsStringAsync())!;
            Assert.Equal("cancelled", said["status_message"]!.GetValue<string>());
            Assert.Equal("cancelled", said["generation_status"]!.GetValue<string>());
        }
    }
}
