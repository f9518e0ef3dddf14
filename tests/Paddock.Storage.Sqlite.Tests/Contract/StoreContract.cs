using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Events;
using Paddock.Core.Generations;

namespace Paddock.Storage.Contract;

/// <summary>
/// What every storage backend's contract tests share: a fake clock, and a way to open the backend
/// on a database of the test's own. A backend's test class supplies <see cref="OpenStoreAsync"/>
/// and, if it needs to, <see cref="DropDatabaseAsync"/>.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    private readonly List<StoreUnderTest> _opened = [];

    /// <summary>Starts on a whole millisecond: stores keep milliseconds.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// Opens the backend on this test's own database: empty the first time, and the same data on
    /// every later call within the test (as a restarted process would see it).
    /// </summary>
    protected abstract Task<StoreUnderTest> OpenStoreAsync(TimeProvider time);

    /// <summary>Removes this test's database once every opened store is closed.</summary>
    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    protected async Task<StoreUnderTest> OpenAsync()
    {
        var store = await OpenStoreAsync(Time);
        _opened.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
            await store.DisposeAsync();
        await DropDatabaseAsync();
    }

    protected static NewGeneration NewGeneration(string ns = "alice", string model = "happyhorse-1.0-t2v", string mediaType = "video", string? parameters = null) =>
        new(Guid.NewGuid(), ns, model, mediaType, parameters ?? """{"prompt":"a horse on a beach","seed":42}""");

    protected static EventDraft Completed(string ns, Guid id, string status = "succeeded") =>
        new(ns, EventTypes.Completed, $$"""{"generation_id":"{{id}}","status":"{{status}}"}""");

    protected static EventDraft Requeued(string ns, Guid id) =>
        new(ns, EventTypes.Requeued, $$"""{"generation_id":"{{id}}","status":"queued"}""");

    protected static EventDraft Cancelled(string ns, Guid id) =>
        new(ns, EventTypes.Cancelled, $$"""{"generation_id":"{{id}}","status":"cancelled"}""");
}
