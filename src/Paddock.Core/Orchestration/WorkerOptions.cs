using System.ComponentModel.DataAnnotations;

namespace Paddock.Core.Orchestration;

/// <summary>How this process works the queue (section <c>Paddock:Workers</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Generations rendered at once by this process; 0 makes an API-only process.</summary>
    [Range(0, 64)]
    public int Concurrency { get; set; } = 1;

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
}
