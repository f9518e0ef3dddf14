using Paddock.Core.Configuration;

namespace Paddock.Core.Webhooks;

/// <summary>How webhooks are delivered (configuration section <c>Paddock:Webhooks</c>).</summary>
public sealed class WebhookOptions : IValidatedSettings
{
    /// <summary>Whether this process sends deliveries (any number of processes may: leases keep each delivery to one sender at a time).</summary>
    public bool Deliver { get; set; } = true;

    /// <summary>Hosts or addresses webhooks may be sent to even though they are internal (as <c>Paddock:References:AllowedHosts</c> for references).</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Send webhooks to any internal address (loopback, private networks): trusted networks only.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The pause after the first failed attempt; each later one doubles it (with jitter), up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between two attempts.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after its event (or a redelivery) a delivery is retried before it is marked failed.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromDays(1);

    /// <summary>One attempt: connect, send, and the receiver's answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the previous secret keeps signing after a rotation.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Deliveries sent at once by this process.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>How often the delivery loop looks for work when no change is signalled (other processes' events on SQLite, retries coming due).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public void Validate(string section, ICollection<string> problems)
    {
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero) problems.Add($"{section}:{name} is {value}; it must be a positive time span such as 00:00:05");
        }

        Positive(BaseDelay, nameof(BaseDelay));
        Positive(MaxDelay, nameof(MaxDelay));
        Positive(RetryFor, nameof(RetryFor));
        Positive(Timeout, nameof(Timeout));
        Positive(PollInterval, nameof(PollInterval));
        if (RotationOverlap < TimeSpan.Zero) problems.Add($"{section}:RotationOverlap is {RotationOverlap}; it must not be negative (00:00:00 drops the old secret at once)");
        if (MaxDelay < BaseDelay) problems.Add($"{section}:MaxDelay is {MaxDelay}; it must be at least BaseDelay ({BaseDelay})");
        if (Concurrency is < 1 or > 256) problems.Add($"{section}:Concurrency is {Concurrency}; it must be between 1 and 256");
        foreach (var host in AllowedHosts.Where(h => string.IsNullOrWhiteSpace(h) || h.Contains('/', StringComparison.Ordinal)))
            problems.Add($"{section}:AllowedHosts has '{host}'; give a host name or an address (e.g. hooks.internal or 10.0.0.5), not a URL");
    }

    /// <summary>The pause before attempt <paramref name="attemptsMade"/> + 1: BaseDelay × 2^(n−1), capped, then jittered to 75–100 % of that.</summary>
    public TimeSpan DelayAfter(int attemptsMade, double jitter)
    {
        var exponent = Math.Min(Math.Max(attemptsMade - 1, 0), 30);
        var ticks = Math.Min(BaseDelay.Ticks * Math.Pow(2, exponent), MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (0.75 + 0.25 * Math.Clamp(jitter, 0, 1))));
    }
}
