using Paddock.Core.Maintenance;

namespace Paddock.Core.Tests;

/// <summary>When memory a burst left unused is given back: only once the process is quiet, only when it is worth a pause, and not over and over.</summary>
public sealed class IdleMemoryTrimmerTests
{
    private const long MB = 1024 * 1024;

    [Fact]
    public void Trims_once_no_collection_has_run_for_the_quiet_period_and_enough_is_held_unused()
    {
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        Assert.False(policy.ShouldTrim(10, 300 * MB, 120 * MB, TimeSpan.Zero)); // first look: quiet only from now
        Assert.False(policy.ShouldTrim(10, 300 * MB, 120 * MB, TimeSpan.FromSeconds(4)));
        Assert.True(policy.ShouldTrim(10, 300 * MB, 120 * MB, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_process_that_keeps_collecting_is_serving_and_is_never_paused()
    {
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        for (var second = 0; second < 120; second++)
            Assert.False(policy.ShouldTrim(second / 2, 300 * MB, 120 * MB, TimeSpan.FromSeconds(second)));
    }

    [Fact]
    public void Less_held_unused_than_is_worth_a_pause_is_left_alone()
    {
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        policy.ShouldTrim(3, 150 * MB, 120 * MB, TimeSpan.Zero);
        Assert.False(policy.ShouldTrim(3, 150 * MB, 120 * MB, TimeSpan.FromSeconds(30)));
        Assert.True(policy.ShouldTrim(3, 120 * MB + IdleMemoryTrimmer.TrimPolicy.WorthReturning, 120 * MB, TimeSpan.FromSeconds(31)));
    }

    [Fact]
    public void Growth_since_the_last_trim_counts_though_the_heap_still_holds_the_burst_s_dead_objects()
    {
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        policy.ShouldTrim(1, 300 * MB, 100 * MB, TimeSpan.Zero);
        Assert.True(policy.ShouldTrim(1, 300 * MB, 100 * MB, TimeSpan.FromSeconds(5)));
        policy.Trimmed(130 * MB);
        // A burst: 40 MB more committed, of which the heap's figure (taken before its dead objects are collected) shows 30.
        policy.ShouldTrim(9, 170 * MB, 150 * MB, TimeSpan.FromSeconds(100));
        Assert.True(policy.ShouldTrim(9, 170 * MB, 150 * MB, TimeSpan.FromSeconds(105)));
        policy.Trimmed(130 * MB);
        // Growth below the bar is left alone.
        policy.ShouldTrim(12, 150 * MB, 140 * MB, TimeSpan.FromSeconds(200));
        Assert.False(policy.ShouldTrim(12, 150 * MB, 140 * MB, TimeSpan.FromSeconds(205)));
    }

    [Fact]
    public void Trims_at_most_once_a_minute_even_if_memory_is_still_held()
    {
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        policy.ShouldTrim(1, 300 * MB, 100 * MB, TimeSpan.Zero);
        Assert.True(policy.ShouldTrim(1, 300 * MB, 100 * MB, TimeSpan.FromSeconds(5)));
        // The trim's own collection is seen, then quiet again; memory is still held (say, it could not be returned).
        Assert.False(policy.ShouldTrim(2, 300 * MB, 100 * MB, TimeSpan.FromSeconds(6)));
        Assert.False(policy.ShouldTrim(2, 300 * MB, 100 * MB, TimeSpan.FromSeconds(40)));
        Assert.True(policy.ShouldTrim(2, 300 * MB, 100 * MB, TimeSpan.FromSeconds(65)));
    }
}
