using System.ComponentModel.DataAnnotations;

namespace Paddock.Core.Orchestration;

/// <summary>How this process works the queue (section <c>Paddock:Workers</c>).</summary>
public sealed class WorkerOptions : Configuration.IValidatedSettings
{
    /// <summary>Generations rendered at once by this process; 0 makes an API-only process.</summary>
    [Range(0, 64)]
    public int Concurrency { get; set; } = DefaultConcurrency(Environment.ProcessorCount);

    /// <summary>
    /// One render per two cores (at least one, at most the setting's limit, 64). A built-in render keeps about two
    /// cores busy on its own: x264 is pinned at two threads (the thread count changes the bitstream) and the frames are
    /// drawn beside it. Measured on 2 cores (bench/RenderPathBench, docs/BENCHMARKS.md, issue 15): a second render at
    /// once cost about 5% more CPU per render and finished four queued renders no sooner, so two cores get one worker.
    /// </summary>
    public static int DefaultConcurrency(int processorCount) => Math.Clamp(processorCount / 2, 1, 64);

    /// <summary>How long a claim lasts without a heartbeat before another worker may take the row.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running generation renews its lease, stores progress and learns of cancels from other processes.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often idle workers look for rows enqueued by other processes (this process wakes them at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often expired leases are returned to the queue.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Claims of one row before it is failed instead of retried (a crash during each attempt).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Retries of a generation after a retryable failure (throttling, an unavailable provider) before it fails.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first pause before a retry; each further retry waits twice as long (with jitter), up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest pause between retries (a provider's Retry-After may ask for longer).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    public void Validate(string section, ICollection<string> problems)
    {
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero) problems.Add($"{section}:{name} is {value}; it must be a positive time span such as 00:00:01");
        }

        Positive(LeaseDuration, nameof(LeaseDuration));
        Positive(HeartbeatInterval, nameof(HeartbeatInterval));
        Positive(PollInterval, nameof(PollInterval));
        Positive(RecoveryInterval, nameof(RecoveryInterval));
        Positive(RetryBaseDelay, nameof(RetryBaseDelay));
        if (RetryMaxDelay < RetryBaseDelay)
            problems.Add($"{section}:RetryMaxDelay ({RetryMaxDelay}) must not be shorter than {section}:RetryBaseDelay ({RetryBaseDelay})");
        // A lease must outlive a few missed beats, or a busy worker loses rows it is rendering.
        if (HeartbeatInterval > TimeSpan.Zero && LeaseDuration < HeartbeatInterval * 3)
            problems.Add($"{section}:LeaseDuration ({LeaseDuration}) must be at least three times {section}:HeartbeatInterval ({HeartbeatInterval})");
    }
}
