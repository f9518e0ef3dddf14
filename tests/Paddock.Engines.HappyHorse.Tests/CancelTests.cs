using Paddock.Engines.HappyHorse.Tests.Support;
using Paddock.Server.Tests.Support;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>A cancel in Paddock reaches the provider's task; the provider only cancels a task that has not started.</summary>
public sealed class CancelTests
{
    private const string CreatePath = "/api/v1/services/aigc/video-generation/video-synthesis";

    [Fact]
    public async Task Cancelling_while_the_task_waits_at_the_provider_cancels_it_there()
    {
        await using var rig = await Rig.StartAsync(o => (o.PendingTime, o.TaskTime) = (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31)));
        var paddock = await rig.StartPaddockAsync();
        var id = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A paper city at night.", resolution = "720P", duration = 3 });
        // "queued" is also the phase of a row no worker has taken yet: wait for the provider's queue (the row names the task).
        var row = await Wire.WaitForAsync(paddock.Client, id, r => r["remote"]?["id"] is not null && r["progress"]?["phase"]?.GetValue<string>() == "queued");
        var taskId = row["remote"]!["id"]!.GetValue<string>();

        using var cancel = await paddock.Client.DeleteAsync($"api/ai/queue/{id}");
        Assert.True(cancel.IsSuccessStatusCode);
        row = await Wire.WaitForAsync(paddock.Client, id, r => r["remote"]?["cancel"]?.GetValue<string>() is "cancelled" or "refused");
        Assert.Equal(("cancelled", "cancelled"), (Wire.Status(row), row["remote"]!["cancel"]!.GetValue<string>()));
        Assert.Contains("cancelled task", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(rig.Fake.Requests.Where("POST", $"/api/v1/tasks/{taskId}/cancel"));
        Assert.Equal("CANCELED", rig.Fake.FindTask(taskId)!.Status);
    }

    [Fact]
    public async Task A_cancel_that_lands_while_the_create_call_is_on_its_way_still_cancels_the_task_it_made()
    {
        // The provider takes 2 s to answer the create: the cancel arrives before the task id is known.
        await using var rig = await Rig.StartAsync(o => (o.PendingTime, o.TaskTime) = (TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(21)));
        var paddock = await rig.StartPaddockAsync();
        await Wire.WaitForBackendAsync(paddock.Client, Rig.Backend, "available");
        rig.Fake.Options.ResponseDelay = TimeSpan.FromSeconds(2);
        var id = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A paper city at night.", resolution = "720P", duration = 3 });
        while (rig.Fake.Requests.Where("POST", CreatePath).Count == 0) await Task.Delay(20);

        using var cancel = await paddock.Client.DeleteAsync($"api/ai/queue/{id}");
        Assert.True(cancel.IsSuccessStatusCode);
        var row = await Wire.WaitForAsync(paddock.Client, id, r => r["remote"]?["cancel"]?.GetValue<string>() is "cancelled" or "refused", TimeSpan.FromSeconds(30));
        var task = Assert.Single(rig.Fake.Tasks);
        Assert.Equal((task.TaskId, "cancelled"), (row["remote"]!["id"]!.GetValue<string>(), row["remote"]!["cancel"]!.GetValue<string>()));
        Assert.Equal("CANCELED", rig.Fake.FindTask(task.TaskId)!.Status);
    }

    [Fact]
    public async Task Cancelling_after_the_task_started_says_on_the_row_that_the_provider_refused()
    {
        await using var rig = await Rig.StartAsync(o => (o.PendingTime, o.TaskTime) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)));
        var paddock = await rig.StartPaddockAsync();
        var id = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A paper city at night.", resolution = "720P", duration = 3 });
        var row = await Wire.WaitForAsync(paddock.Client, id, r => r["remote"]?["id"] is not null && r["progress"]?["phase"]?.GetValue<string>() == "generating");
        var taskId = row["remote"]!["id"]!.GetValue<string>();

        using var cancel = await paddock.Client.DeleteAsync($"api/ai/queue/{id}");
        Assert.True(cancel.IsSuccessStatusCode);
        row = await Wire.WaitForAsync(paddock.Client, id, r => r["remote"]?["cancel"]?.GetValue<string>() is "cancelled" or "refused");
        Assert.Equal(("cancelled", "refused"), (Wire.Status(row), row["remote"]!["cancel"]!.GetValue<string>()));
        var message = row["status_message"]!.GetValue<string>();
        Assert.Contains("cancels only tasks that have not started", message, StringComparison.Ordinal);
        Assert.Contains("may finish and be billed", message, StringComparison.Ordinal);
        Assert.Single(rig.Fake.Requests.Where("POST", $"/api/v1/tasks/{taskId}/cancel"));
        Assert.Equal("RUNNING", rig.Fake.FindTask(taskId)!.Status);
    }
}
