using Paddock.Core.Events;
using Paddock.Core.Queue;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// A worker whose heartbeat cannot write (its progress event or its lease renewal fails, as on a full disk) ends
/// the attempt at once in a defined state: the row is failed with a message, its temporary files are gone, and
/// the worker goes on to the next generation. It must not render on unwatched, then wait out its lease.
/// </summary>
public sealed class WorkerFaultTests
{
    private static readonly object LongRender = new { model = "happyhorse-1.0-r2v", prompt = "a long render", resolution = "1080P", duration = 15 };
    private static readonly object ShortRender = new { model = "happyhorse-1.0-r2v", prompt = "a short one", resolution = "720P", duration = 3 };

    [Fact]
    public async Task A_progress_event_that_cannot_be_written_fails_the_attempt_at_once_and_deletes_its_files()
    {
        FaultyEventLog? log = null;
        await using var server = await PaddockHost.StartAsync(configure: b =>
            FaultyStores.Decorate<IEventLog>(b.Services, inner => log ??= new FaultyEventLog(inner)));
        _ = server.Services.GetService(typeof(IEventLog));
        log!.FailWhen = e => e.Type == EventTypes.Progress;

        await ExpectFailedAtOnceAsync(server, "progress");
        Assert.True(log.Failed >= 1, "the fault was never hit");

        // The worker is not wedged: with the store healthy again, the next generation succeeds.
        log.FailWhen = _ => false;
        var next = (await Api.EnqueueAsync(server.Client, ShortRender))[0];
        Assert.Equal("succeeded", (await Api.WaitTerminalAsync(server.Client, next, TimeSpan.FromMinutes(2)))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_lease_renewal_that_cannot_be_written_fails_the_attempt_at_once_and_deletes_its_files()
    {
        FaultyGenerationStore? store = null;
        await using var server = await PaddockHost.StartAsync(configure: b =>
            FaultyStores.Decorate<IGenerationStore>(b.Services, inner =>
            {
                var (wrapped, faults) = FaultyGenerationStore.Wrap(inner);
                store ??= faults;
                return wrapped;
            }));
        _ = server.Services.GetService(typeof(IGenerationStore));
        store!.FailHeartbeatOf = _ => true;

        await ExpectFailedAtOnceAsync(server, "progress");
        Assert.True(store.Failed >= 1, "the fault was never hit");

        store.FailHeartbeatOf = _ => false;
        var next = (await Api.EnqueueAsync(server.Client, ShortRender))[0];
        Assert.Equal("succeeded", (await Api.WaitTerminalAsync(server.Client, next, TimeSpan.FromMinutes(2)))["status"]!.GetValue<string>());
    }

    private static async Task ExpectFailedAtOnceAsync(PaddockHost server, string messageNames)
    {
        var id = (await Api.EnqueueAsync(server.Client, LongRender))[0];
        // The lease is 30 s: a row left to wait it out would still be processing long after this.
        var row = await Api.WaitTerminalAsync(server.Client, id, TimeSpan.FromSeconds(20));
        Assert.Equal("failed", row["status"]!.GetValue<string>());
        Assert.Equal(1, row["attempt"]!.GetValue<int>());
        var message = row["error_message"]!.GetValue<string>();
        Assert.Contains(messageNames, message, StringComparison.Ordinal);
        Assert.DoesNotContain("/", message, StringComparison.Ordinal); // no server paths

        // Nothing of the attempt stays on disk: no work folder (the encoder's output and its .partial file are inside
        // it), no temporary video, wherever it was written.
        var token = Guid.Parse(id).ToString("N");
        var leftovers = Directory.EnumerateFileSystemEntries(Path.GetTempPath(), $"*{token}*")
            .Concat(Directory.EnumerateFileSystemEntries(server.DataDirectory, $"*{token}*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(server.DataDirectory, "*.partial", SearchOption.AllDirectories))
            .ToList();
        Assert.True(leftovers.Count == 0, "left behind: " + string.Join(", ", leftovers));
    }
}
