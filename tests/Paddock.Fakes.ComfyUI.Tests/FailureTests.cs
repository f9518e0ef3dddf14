using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Tests.Support;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Fakes.ComfyUI.Tests;

/// <summary>The ways a prompt ends without a video, and how a client learns of it.</summary>
public sealed class FailureTests
{
    private static async Task<(FakeComfyUI Fake, ComfyHttp Http, JsonObject Graph)> StartWithGraphAsync(FakeComfyUIOptions options, int steps = 4)
    {
        options.Steps ??= steps;
        var fake = await FakeComfyUI.StartAsync(options);
        var http = new ComfyHttp(fake.BaseUri);
        var references = await TestKit.UploadReferencesAsync(http, 1);
        var graph = ShippedWorkflow.Load("wan2.1-vace-r2v").Fill(new PassRequest("Image 1 dances", 3, 128, 96, 9, references));
        return (fake, http, graph);
    }

    [Fact]
    public async Task A_node_that_raises_ends_the_prompt_with_execution_error_and_an_error_history()
    {
        var (fake, http, graph) = await StartWithGraphAsync(new FakeComfyUIOptions
        {
            TaskTime = TimeSpan.FromMilliseconds(400),
            FailExecution = new ExecutionFailure { NodeClass = "KSampler", AfterStep = 1 },
        });
        await using var fakeScope = fake;
        using var httpScope = http;
        var clientId = Guid.NewGuid().ToString("N");
        await using var socket = await ComfySocket.ConnectAsync(fake.BaseUri, clientId);
        var promptId = TestKit.NewPromptId();
        await http.QueueAsync(graph, clientId, promptId);

        var messages = await socket.UntilPromptEndsAsync(promptId);
        Assert.Equal(["execution_error", "status", "executing"], messages.Types().TakeLast(3));
        Assert.Single(messages, m => m.Type == "progress");
        Assert.DoesNotContain(messages, m => m.Type is "execution_success" or "executed");
        var error = messages.Single(m => m.Type == "execution_error").Data!;
        Assert.Equal("31", error["node_id"]!.GetValue<string>());
        Assert.Equal("KSampler", error["node_type"]!.GetValue<string>());
        Assert.Equal("torch.OutOfMemoryError", error["exception_type"]!.GetValue<string>());
        Assert.StartsWith("Allocation on device \nThis error means you ran out of memory on your GPU.", error["exception_message"]!.GetValue<string>());
        Assert.Contains("30", error["executed"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(3, error["current_inputs"]!["seed"]![0]!.GetValue<int>());

        var history = await http.WaitForHistoryAsync(promptId);
        Assert.Equal("error", history["status"]!["status_str"]!.GetValue<string>());
        Assert.False(history["status"]!["completed"]!.GetValue<bool>());
        Assert.Equal("execution_error", history.Messages()[^1]![0]!.GetValue<string>());
        Assert.Empty(history["outputs"]!.AsObject());
    }

    [Fact]
    public async Task Interrupt_naming_another_prompt_does_nothing_and_naming_the_running_one_stops_it()
    {
        var (fake, http, graph) = await StartWithGraphAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromSeconds(8) }, steps: 20);
        await using var fakeScope = fake;
        using var httpScope = http;
        var clientId = Guid.NewGuid().ToString("N");
        await using var socket = await ComfySocket.ConnectAsync(fake.BaseUri, clientId);
        var promptId = TestKit.NewPromptId();
        await http.QueueAsync(graph, clientId, promptId);
        await socket.UntilAsync(m => m.Type == "progress");

        var (other, _) = await http.PostJsonAsync("/interrupt", new JsonObject { ["prompt_id"] = TestKit.NewPromptId() });
        Assert.Equal(200, other);
        await socket.UntilAsync(m => m.Type == "progress");  // still sampling
        var (ours, _) = await http.PostJsonAsync("/interrupt", new JsonObject { ["prompt_id"] = promptId });
        Assert.Equal(200, ours);

        var rest = await socket.UntilPromptEndsAsync(promptId, TimeSpan.FromSeconds(10));
        Assert.Equal(["execution_interrupted", "status", "executing"], rest.Types().TakeLast(3));
        var interrupted = rest.Single(m => m.Type == "execution_interrupted").Data!;
        Assert.Equal("31", interrupted["node_id"]!.GetValue<string>());
        Assert.Equal("KSampler", interrupted["node_type"]!.GetValue<string>());
        var requests = fake.Log.Entries.OfType<InterruptRequested>().ToList();
        Assert.Equal([false, true], requests.Select(r => r.Interrupted));
        var history = await http.WaitForHistoryAsync(promptId);
        Assert.Equal("error", history["status"]!["status_str"]!.GetValue<string>());
        Assert.Equal("execution_interrupted", history.Messages()[^1]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_from_the_queue_removes_a_pending_prompt_but_never_the_running_one()
    {
        var (fake, http, graph) = await StartWithGraphAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromSeconds(30) }, steps: 30);
        await using var fakeScope = fake;
        using var httpScope = http;
        var clientId = Guid.NewGuid().ToString("N");
        await using var socket = await ComfySocket.ConnectAsync(fake.BaseUri, clientId);
        var running = TestKit.NewPromptId();
        var pending = TestKit.NewPromptId();
        await http.QueueAsync(graph, clientId, running);
        await socket.UntilAsync(m => m.Type == "execution_start");
        graph["31"]!["inputs"]!["seed"] = 4;
        await http.QueueAsync(graph, clientId, pending);

        var queue = await http.GetJsonAsync("/queue");
        Assert.Equal(running, queue["queue_running"]![0]![1]!.GetValue<string>());
        Assert.Equal(pending, queue["queue_pending"]![0]![1]!.GetValue<string>());
        Assert.Equal(5, queue["queue_pending"]![0]!.AsArray().Count);  // [number, prompt_id, prompt, extra_data, outputs_to_execute]

        var (deleted, _) = await http.PostJsonAsync("/queue", new JsonObject { ["delete"] = new JsonArray(pending, running) });
        Assert.Equal(200, deleted);
        queue = await http.GetJsonAsync("/queue");
        Assert.Empty(queue["queue_pending"]!.AsArray());
        Assert.Equal(running, queue["queue_running"]![0]![1]!.GetValue<string>());

        // Current servers also cancel by id, whatever the state; a finished or unknown id is a no-op.
        var (status, body) = await http.PostJsonAsync($"/api/jobs/{running}/cancel", new JsonObject());
        Assert.Equal(200, status);
        Assert.True(body!["cancelled"]!.GetValue<bool>());
        await socket.UntilPromptEndsAsync(running, TimeSpan.FromSeconds(10));
        (_, body) = await http.PostJsonAsync($"/api/jobs/{running}/cancel", new JsonObject());
        Assert.False(body!["cancelled"]!.GetValue<bool>());

        Assert.Empty((await http.GetJsonAsync($"/history/{pending}")).AsObject());
        Assert.DoesNotContain(fake.Log.Finished, f => f.PromptId == pending);
        Assert.Equal([pending], fake.Log.Entries.OfType<QueueDeleteRequested>().Single().Removed);
    }

    [Fact]
    public async Task A_dropped_socket_leaves_history_to_tell_the_end_and_a_reconnect_hears_the_current_node()
    {
        var (fake, http, graph) = await StartWithGraphAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromSeconds(4), DropWebSocketAfterProgress = 2 }, steps: 8);
        await using var fakeScope = fake;
        using var httpScope = http;
        var clientId = Guid.NewGuid().ToString("N");
        var socket = await ComfySocket.ConnectAsync(fake.BaseUri, clientId);
        var promptId = TestKit.NewPromptId();
        await http.QueueAsync(graph, clientId, promptId);

        await socket.Closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, socket.Received.Count(m => m.Type == "progress"));
        await socket.DisposeAsync();
        // Reconnect only once the server has let go of the old socket (it forgets a sid when any socket of it closes).
        await TestKit.WaitUntilAsync(() => fake.Log.Entries.OfType<WebSocketClosed>().Any(c => c.ClientId == clientId && c.DroppedByServer), "the dropped socket to close");

        await using var again = await ComfySocket.ConnectAsync(fake.BaseUri, clientId);
        var first = await again.UntilAsync(m => m.Type == "executing");
        Assert.Equal("status", first[0].Type);
        Assert.Equal("31", first[^1].Data!["node"]!.GetValue<string>());
        Assert.Null(first[^1].Data!["prompt_id"]);  // the reconnect message carries the node only

        var history = await http.WaitForHistoryAsync(promptId);
        Assert.Equal("success", history["status"]!["status_str"]!.GetValue<string>());
        Assert.NotNull(history["outputs"]!["35"]);
        await again.UntilPromptEndsAsync(promptId);
    }
}
