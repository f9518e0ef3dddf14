using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Events;

namespace Paddock.Storage.Sqlite.Tests;

/// <summary>
/// The hub's one clock (what wakes a stream that waits, say for its next keep-alive comment) ticks only while a
/// subscriber waits: an idle server is not woken twenty times a second for nothing, and a wait still ends on time.
/// </summary>
public sealed class EventHubClockTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _fake = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CountingTime _time;
    private EventHubRig _rig = null!;

    public EventHubClockTests() => _time = new CountingTime(_fake);

    public async Task InitializeAsync() => _rig = await EventHubRig.StartAsync(_fake, _time);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task The_clock_ticks_only_while_a_subscriber_waits_and_its_wait_ends_on_time()
    {
        using var subscription = await _rig.Hub.SubscribeAsync("alice", _rig.Stopping);
        Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _time.Ticks); // a subscriber that does not wait starts no clock

        subscription.WakeAfter(TimeSpan.FromSeconds(1));
        Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(subscription.TryRead(out _)); // not yet
        Assert.True(_time.Ticks > 0);
        Advance(TimeSpan.FromMilliseconds(200));
        await EventHubRig.Eventually(() => subscription.TryRead(out var e) && ReferenceEquals(e, EventHub.Wake), "the wait ends once its second has passed");

        // Nobody waits any more: the clock stands still again.
        var ticks = _time.Ticks;
        Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ticks, _time.Ticks);

        // And starts again for the next wait.
        subscription.WakeAfter(TimeSpan.FromMilliseconds(100));
        Advance(TimeSpan.FromMilliseconds(200));
        await EventHubRig.Eventually(() => subscription.TryRead(out var e) && ReferenceEquals(e, EventHub.Wake), "the next wait ends too");
    }

    /// <summary>In steps shorter than the clock's tick, as real time passes.</summary>
    private void Advance(TimeSpan by)
    {
        for (var passed = TimeSpan.Zero; passed < by; passed += TimeSpan.FromMilliseconds(10))
            _fake.Advance(TimeSpan.FromMilliseconds(10));
    }

    /// <summary>The fake clock, counting how often a timer it made fired.</summary>
    private sealed class CountingTime(FakeTimeProvider inner) : TimeProvider
    {
        private int _ticks;

        public int Ticks => Volatile.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();
        public override long GetTimestamp() => inner.GetTimestamp();
        public override long TimestampFrequency => inner.TimestampFrequency;
        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(s =>
            {
                Interlocked.Increment(ref _ticks);
                callback(s);
            }, state, dueTime, period);
    }
}
