using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Paddock.Core.Maintenance;

/// <summary>
/// Gives back the memory a burst left behind. After a burst of allocation the runtime keeps the memory its heap grew
/// into, though the objects in it are gone, and a full collection does not return it either (measured when the event
/// fan-out still made garbage: 35 MB over the idle level after 100 events to 10,000 streams, kept for good; the fan-out
/// now leaves 8–9 MB, below what this trims). Once the process has been quiet (no collection at all for a while, so it
/// allocates next to nothing) and enough is held unused, one compacting collection that decommits what it frees gives
/// it back. That collection stops the process (about 0.2 s with 10,000 streams open), which is why it waits for a quiet
/// moment and runs at most once a minute. Off with <see cref="MaintenanceOptions.ReturnMemoryWhenIdle"/>.
/// </summary>
public sealed partial class IdleMemoryTrimmer(IOptions<MaintenanceOptions> options, TimeProvider time, ILogger<IdleMemoryTrimmer> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ReturnMemoryWhenIdle) return;
        var policy = new TrimPolicy();
        var started = time.GetTimestamp();
        using var timer = new PeriodicTimer(CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var last = GC.GetGCMemoryInfo();
            if (!policy.ShouldTrim(GC.CollectionCount(0), last.TotalCommittedBytes, last.HeapSizeBytes, time.GetElapsedTime(started))) continue;
            var pausedBefore = GC.GetTotalPauseDuration();
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            policy.Trimmed(committed);
            LogTrimmed((last.TotalCommittedBytes - committed) / (1024 * 1024), (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds);
        }
    }

    /// <summary>When to trim, from what the runtime reports; kept apart from the runtime so that tests can drive it.</summary>
    internal sealed class TrimPolicy
    {
        /// <summary>No collection for this long: next to nothing is being allocated, so no request is being served.</summary>
        public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Held unused (committed beyond the heap), or grown since the last trim: less is not worth stopping the process
        /// for. The second catches what the runtime's own figures hide (dead objects it has not collected yet count as heap).
        /// </summary>
        public const long WorthReturning = 32L * 1024 * 1024;

        public static readonly TimeSpan AtMostEvery = TimeSpan.FromMinutes(1);

        private int _collections = -1;
        private TimeSpan _quietSince;
        private TimeSpan? _lastTrim;
        private long? _baseline; // committed after the last trim (at first, the first reading), following it down

        /// <param name="collections">Collections so far (of any generation).</param>
        /// <param name="committedBytes">Memory the heap holds from the system, as of the last collection.</param>
        /// <param name="liveBytes">The heap's size after the last collection.</param>
        /// <param name="now">Time since the process began checking.</param>
        public bool ShouldTrim(int collections, long committedBytes, long liveBytes, TimeSpan now)
        {
            _baseline = Math.Min(_baseline ?? committedBytes, committedBytes);
            if (collections != _collections)
            {
                _collections = collections;
                _quietSince = now;
                return false;
            }
            if (now - _quietSince < Quiet || (_lastTrim is { } last && now - last < AtMostEvery))
                return false;
            if (committedBytes - liveBytes < WorthReturning && committedBytes - _baseline < WorthReturning)
                return false;
            _lastTrim = now;
            return true;
        }

        /// <summary>What the heap holds after a trim: growth is counted from there.</summary>
        public void Trimmed(long committedBytes) => _baseline = committedBytes;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Returned {Megabytes} MB that a burst left unused to the system (the process paused {PauseMs:F0} ms, while quiet)")]
    private partial void LogTrimmed(long megabytes, double pauseMs);
}
