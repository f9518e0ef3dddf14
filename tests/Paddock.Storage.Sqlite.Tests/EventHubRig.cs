using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Core.Events;

namespace Paddock.Storage.Sqlite.Tests;

/// <summary>An <see cref="EventHub"/> started over a real SQLite event log, for the hub's own tests.</summary>
internal sealed class EventHubRig(SqliteTestDatabase database, SqliteStore store, EventHub hub, CancellationTokenSource stop) : IAsyncDisposable
{
    public SqliteStore Store => store;
    public EventHub Hub => hub;

    /// <summary>Cancelled when the rig is disposed.</summary>
    public CancellationToken Stopping => stop.Token;

    /// <param name="storeTime">The store's clock.</param>
    /// <param name="hubTime">The hub's clock (its ticks and waits).</param>
    public static async Task<EventHubRig> StartAsync(TimeProvider storeTime, TimeProvider hubTime)
    {
        var database = new SqliteTestDatabase();
        var store = database.OpenSqlite(storeTime);
        var hub = new EventHub(store.Events, hubTime, new NoFanOutPacing(), NullLogger<EventHub>.Instance);
        var stopping = new CancellationTokenSource();
        await hub.StartAsync(stopping.Token);
        return new EventHubRig(database, store, hub, stopping);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await hub.StopAsync(CancellationToken.None);
        await store.DisposeAsync();
        database.Dispose();
        stop.Dispose();
    }

    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(10);
        }
    }
}
