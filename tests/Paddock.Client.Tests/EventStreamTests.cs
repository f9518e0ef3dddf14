using Paddock.Client.Tests.Support;

namespace Paddock.Client.Tests;

/// <summary>The event stream through the SDK: following it, and a connection cut in the middle that loses nothing.</summary>
[Collection(ServerCollection.Name)]
public sealed class EventStreamTests(ServerFixture fixture)
{
    [Fact]
    public async Task StreamEventsAsync_reconnects_after_a_cut_and_misses_nothing()
    {
        var cutter = new EventStreamCutter();
        var client = fixture.Server.CreateClient(o => o.Transport = cutter);
        var observer = fixture.Server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var idKnown = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        cutter.CutOnceWhen(text => idKnown.Task.IsCompleted && text.Contains(idKnown.Task.Result, StringComparison.Ordinal));
        var everything = new List<PaddockEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in client.StreamEventsAsync(timeout.Token))
            {
                everything.Add(e);
                if (e.IsTerminal && idKnown.Task.IsCompleted && e.GenerationId == idKnown.Task.Result) return;
            }
        });
        await WaitUntilAsync(() => cutter.Connections.Count == 1, timeout.Token);

        var id = (await observer.EnqueueAsync(TestMedia.Small("a heron lands on a post")))[0].Id;
        idKnown.SetResult(id);
        await cutter.Cut.Task.WaitAsync(timeout.Token);
        // While the stream is down, the generation finishes: only a replay can deliver the rest.
        await observer.GetGenerationOperation(id).WaitForCompletionAsync(timeout.Token);
        cutter.ReleaseReconnects();
        await reading.WaitAsync(timeout.Token);
        var received = everything.Where(e => e.GenerationId == id).ToList();

        var connections = cutter.Connections;
        Assert.True(connections.Count >= 2, $"{connections.Count} connection(s)");
        var beforeCut = connections[0].Events();
        Assert.Equal(beforeCut[^1].Id.ToString(), connections[1].LastEventId);
        Assert.Contains(connections[1].Events(), e => e.Type == PaddockEventTypes.GenerationCompleted && e.Data.Contains(id));

        // Everything the server logged about the generation, from a fresh replay of the whole log.
        var all = new List<PaddockEvent>();
        await foreach (var e in observer.StreamEventsAsync(0, timeout.Token))
        {
            if (e.GenerationId != id) continue;
            all.Add(e);
            if (e.IsTerminal) break;
        }
        Assert.Equal(all.Select(e => (e.Id, e.EventType)), received.Select(e => (e.Id, e.EventType)));
        Assert.Equal(GenerationStatus.Succeeded, received[^1].Status);
        Assert.NotNull(received[^1].Url);
    }

    [Fact]
    public async Task WaitForCompletionAsync_survives_a_cut_event_connection_and_completes_from_the_replay()
    {
        var cutter = new EventStreamCutter();
        // No quiet-time polls: completion must come through the replayed events.
        var client = fixture.Server.CreateClient(o =>
        {
            o.Transport = cutter;
            o.EventQuietInterval = TimeSpan.FromMinutes(5);
        });
        var observer = fixture.Server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // A generation ahead keeps the worker busy, so the wait is connected before the target starts.
        var blocker = (await observer.EnqueueAsync(TestMedia.Small("a tractor crosses a field")))[0];
        var target = (await client.EnqueueAsync(TestMedia.Small("a swan glides under a bridge")))[0];
        cutter.CutOnceWhen(text => text.Contains(target.Id, StringComparison.Ordinal));

        var progress = new List<GenerationProgress>();
        var waiting = target.WaitForCompletionAsync(new Progress(progress), timeout.Token);
        await cutter.Cut.Task.WaitAsync(timeout.Token);
        await observer.GetGenerationOperation(target.Id).WaitForCompletionAsync(timeout.Token);
        var readsBeforeReconnect = RowReads(cutter, target.Id);
        cutter.ReleaseReconnects();
        var row = await waiting;

        Assert.Equal(GenerationStatus.Succeeded, row.Status);
        Assert.NotNull(row.ResultUrl);
        var connections = cutter.Connections;
        Assert.Equal(2, connections.Count);
        Assert.Null(connections[0].LastEventId);
        Assert.Equal(connections[0].Events()[^1].Id.ToString(), connections[1].LastEventId);
        var replayed = connections[1].Events().Where(e => e.Data.Contains(target.Id)).ToList();
        Assert.Contains(replayed, e => e.Type == PaddockEventTypes.GenerationCompleted);
        // Nothing was missed: every event of the target reached the client, on one connection or the other.
        var delivered = connections.SelectMany(c => c.Events()).Where(e => e.Data.Contains(target.Id)).Select(e => e.Id).ToHashSet();
        var logged = new List<long>();
        await foreach (var e in observer.StreamEventsAsync(0, timeout.Token))
        {
            if (e.GenerationId != target.Id) continue;
            logged.Add(e.Id!.Value);
            if (e.IsTerminal) break;
        }
        Assert.Subset(delivered, logged.ToHashSet());
        // The row was read when the stream first opened and once the completion event arrived, never to find out it had ended.
        Assert.Equal(readsBeforeReconnect + 1, RowReads(cutter, target.Id));
        Assert.Contains(progress, p => p.Phase is not null && p.Status == GenerationStatus.Processing);
        Assert.Equal(GenerationStatus.Succeeded, (await blocker.UpdateStatusAsync()).Status);
    }

    private static int RowReads(RecordingHandler handler, string id) =>
        handler.Seen.Count(s => s.Method == HttpMethod.Get && s.Uri.AbsolutePath.EndsWith("/api/ai/queue/" + id, StringComparison.Ordinal));

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition()) await Task.Delay(20, cancellationToken);
    }

    private sealed class Progress(List<GenerationProgress> into) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value)
        {
            lock (into) into.Add(value);
        }
    }
}
