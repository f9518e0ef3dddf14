using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Events;
using Paddock.Core.Generations;

namespace Paddock.Storage.Contract;

/// <summary>
/// A storage backend as the contract suites use it: one database of the test's own, opened as often as a test
/// likes (empty the first time, the same data on every later open, as a restarted process would see it), and
/// removed when disposed. A backend's test project supplies one, and one line per suite.
/// </summary>
public interface IStoreBackend : IAsyncDisposable
{
    Task<StoreUnderTest> OpenAsync(TimeProvider time);
}

/// <summary>What every storage backend's contract tests share: a fake clock, and the backend's own database.</summary>
public abstract class StoreContract<TBackend> : IAsyncLifetime
    where TBackend : IStoreBackend, new()
{
    private readonly TBackend _backend = new();
    private readonly List<StoreUnderTest> _opened = [];

    /// <summary>Starts on a whole millisecond: stores keep milliseconds.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));

    protected async Task<StoreUnderTest> OpenAsync()
    {
        var store = await _backend.OpenAsync(Time);
        _opened.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
            await store.DisposeAsync();
        await _backend.DisposeAsync();
    }

    protected static NewGeneration NewGeneration(string ns = "alice", string model = "happyhorse-1.0-t2v", string mediaType = "video", string? parameters = null) =>
        new(Guid.NewGuid(), ns, model, mediaType, parameters ?? """{"prompt":"a horse on a beach","seed":42}""");

    protected static GenerationFailure Failure(string message) => new(Paddock.Core.Engines.FailureKind.EngineError, message);

    protected static EventDraft Completed(string ns, Guid id, string status = "succeeded") =>
        new(ns, EventTypes.Completed, $$"""{"generation_id":"{{id}}","status":"{{status}}"}""");

    protected static EventDraft Requeued(string ns, Guid id) =>
        new(ns, EventTypes.Requeued, $$"""{"generation_id":"{{id}}","status":"queued"}""");

    protected static EventDraft Cancelled(string ns, Guid id) =>
        new(ns, EventTypes.Cancelled, $$"""{"generation_id":"{{id}}","status":"cancelled"}""");
}
