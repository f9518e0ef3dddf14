using System.Text.Json.Nodes;
using Paddock.Engines.ComfyUI.Tests.Support;
using Paddock.Fakes.ComfyUI;
using Paddock.Fakes.ComfyUI.Logging;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>A backend of several ComfyUI servers: work spreads over them, one generation each, and survives losing one.</summary>
public sealed class PoolTests
{
    [Fact]
    public async Task Generations_spread_over_the_servers_one_at_a_time_on_each()
    {
        await using var rig = await ComfyRig.StartAsync(servers: 2);
        var references = rig.References(1);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
            ids.Add(await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = $"Image 1 take {i}", reference_images = references, duration = 3, seed = i }));
        foreach (var id in ids) Assert.Equal("succeeded", (await rig.WaitTerminalAsync(id))["status"]!.GetValue<string>());

        foreach (var fake in rig.Fakes)
        {
            var prompts = fake.Log.QueuedPrompts;
            Assert.True(prompts.Count >= 1, $"{fake.BaseUri} got no work");
            // One at a time: a server gets its next prompt only after its previous one finished.
            foreach (var (prompt, next) in prompts.Zip(prompts.Skip(1)))
                Assert.True(fake.Log.Finished.Single(f => f.PromptId == prompt.PromptId).Sequence < next.Sequence, $"{fake.BaseUri} was given two prompts at once");
        }
        Assert.Equal(4, rig.Fakes.Sum(f => f.Log.QueuedPrompts.Count));
    }

    [Fact]
    public async Task A_server_that_stops_mid_prompt_has_its_generation_made_on_another_and_is_taken_back_when_it_answers()
    {
        await using var rig = await ComfyRig.StartAsync(servers: 2, configure: o => o.TaskTime = TimeSpan.FromSeconds(3),
            settings: new Dictionary<string, string> { ["Paddock:Backends:comfyui:MemberGracePeriod"] = "00:00:02" });
        var references = rig.References(1);
        var id = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 jumps", reference_images = references, duration = 3 });
        await rig.WaitForAsync(id, r => r["progress"]?["phase"]?.GetValue<string>() == "generating", "generating");
        var (lost, other) = rig.Fakes[0].Log.QueuedPrompts.Count == 1 ? (rig.Fakes[0], rig.Fakes[1]) : (rig.Fakes[1], rig.Fakes[0]);
        await lost.StopAsync();

        var row = await rig.WaitTerminalAsync(id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
        Assert.Equal(1, row["attempt"]!.GetValue<int>());
        Assert.Single(other.Log.QueuedPrompts);
        Assert.Equal(other.Log.QueuedPrompts[0].PromptId, row["remote"]!["id"]!.GetValue<string>());
        Assert.Single(await rig.EventsOfAsync(id), e => e.Type == "media_generation_completed");

        // Out of the pool while it does not answer; back in (and given work) once it does.
        var health = await BackendAsync(rig);
        Assert.Contains($"{lost.BaseUri} does not answer", health["problem"]!.GetValue<string>(), StringComparison.Ordinal);
        await lost.RestartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await BackendAsync(rig))["problem"] is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the restarted server was never taken back");
            await Task.Delay(200);
        }
        var again = new[]
        {
            await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 again", reference_images = references, duration = 3, seed = 1 }),
            await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 again", reference_images = references, duration = 3, seed = 2 }),
        };
        foreach (var next in again) Assert.Equal("succeeded", (await rig.WaitTerminalAsync(next))["status"]!.GetValue<string>());
        Assert.Single(lost.Log.QueuedPrompts.Skip(1));  // the restarted server took one of the two
    }

    [Fact]
    public async Task A_server_restarted_mid_prompt_within_the_grace_period_gets_the_same_prompt_again()
    {
        await using var rig = await ComfyRig.StartAsync(configure: o => o.TaskTime = TimeSpan.FromSeconds(3),
            settings: new Dictionary<string, string> { ["Paddock:Backends:comfyui:MemberGracePeriod"] = "00:01:00" });
        var id = await rig.EnqueueAsync(new { model = ComfyRig.Phantom, prompt = "Image 1 naps", reference_images = rig.References(1), duration = 3 });
        await rig.WaitForAsync(id, r => r["progress"]?["phase"]?.GetValue<string>() == "generating", "generating");
        // ComfyUI keeps its queue and history in memory: a restart forgets the prompt it was running.
        await rig.Fake.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await rig.Fake.RestartAsync();

        var row = await rig.WaitTerminalAsync(id);
        Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
        var prompts = rig.Fake.Log.QueuedPrompts;
        Assert.Equal(2, prompts.Count);
        Assert.Equal(prompts[0].PromptId, prompts[1].PromptId);  // the same prompt, on the same server, once it answered again
        Assert.Equal(prompts[0].PromptId, row["remote"]!["id"]!.GetValue<string>());
        Assert.Single(rig.Fake.Log.Finished, f => f.Outcome == PromptOutcome.Success);
    }

    private static async Task<JsonNode> BackendAsync(ComfyRig rig) =>
        (await rig.GetJsonAsync("api/health"))["backends"]!.AsArray().Single(b => b!["name"]!.GetValue<string>() == "comfyui")!;
}
