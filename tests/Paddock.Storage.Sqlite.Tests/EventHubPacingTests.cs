using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Events;

namespace Paddock.Storage.Sqlite.Tests;

/// <summary>
/// The hub's fan-out goes a slice of subscribers at a time and wakes the next slice only when the readers of this one
/// are back (or <c>SliceWait</c> passed): what keeps a burst to ten thousand streams from holding a transport buffer per
/// stream at once. Readers here run on delivery, as the event streams' do, over a real SQLite event log.
/// </summary>
public sealed class EventHubPacingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));
    private EventHubRig _rig = null!;

    public async Task InitializeAsync() => _rig = await EventHubRig.StartAsync(_time, _time);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task The_next_slice_waits_while_a_reader_of_this_one_is_still_writing()
    {
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first reader is back at once, the second holds its slice until `slow` ends, the first of the next slice
        // shows when that slice is woken.
        var readers = await SubscribeAsync(EventHub.SliceSize + 1, holdsUp: 1, slow.Task);

        await AppendAsync();
        await EventHubRig.Eventually(() => readers[0].Received == 1 && readers[1].Received == 1, "the first slice's readers get the event");
        await Task.Delay(300);
        Assert.Equal(0, readers[EventHub.SliceSize].Received); // held: a reader of the first slice is still out, and the hub's clock stands still

        slow.SetResult();
        await EventHubRig.Eventually(() => readers.All(r => r.Received == 1), "every subscriber gets the event once the slow reader is back");
    }

    [Fact]
    public async Task A_reader_that_does_not_come_back_holds_the_next_slice_no_longer_than_the_slice_wait()
    {
        var never = new TaskCompletionSource();
        var readers = await SubscribeAsync(EventHub.SliceSize + 1, holdsUp: 1, never.Task);

        await AppendAsync();
        await EventHubRig.Eventually(() => readers[1].Received == 1, "the slow reader gets the event");
        await Task.Delay(300);
        Assert.Equal(0, readers[EventHub.SliceSize].Received);

        _time.Advance(TimeSpan.FromSeconds(1));
        await EventHubRig.Eventually(() => readers[EventHub.SliceSize].Received == 1, "the next slice is woken once the slice wait has passed");
    }

    private async Task<Reader[]> SubscribeAsync(int count, int holdsUp, Task until)
    {
        var readers = new Reader[count];
        for (var i = 0; i < count; i++)
        {
            var subscription = await _rig.Hub.SubscribeAsync("alice", _rig.Stopping, readsOnDelivery: true);
            readers[i] = new Reader(subscription, i == holdsUp ? until : Task.CompletedTask);
            // Runs up to its first wait before this returns: every reader is waiting when the event comes.
            _ = readers[i].RunAsync(_rig.Stopping);
        }
        return readers;
    }

    private async Task AppendAsync()
    {
        await _rig.Store.Events.AppendAsync(new EventDraft("alice", EventTypes.Started, "{}"));
        _rig.Hub.Notify();
    }

    /// <summary>A subscriber's reader: counts the events it reads, and after its first one waits for <c>hold</c>.</summary>
    private sealed class Reader(EventHub.Subscription subscription, Task hold)
    {
        private int _received;

        public int Received => Volatile.Read(ref _received);

        public async Task RunAsync(CancellationToken ct)
        {
            using var _ = subscription;
            try
            {
                while (await subscription.WaitToReadAsync(ct))
                {
                    while (subscription.TryRead(out var e))
                    {
                        if (ReferenceEquals(e, EventHub.Wake)) continue;
                        Interlocked.Increment(ref _received);
                        await hold;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
