namespace Paddock.Server.Observability;

/// <summary>The health routes (section <c>Paddock:Health</c>).</summary>
public sealed class HealthOptions : Core.Configuration.IValidatedSettings
{
    /// <summary>
    /// How long a stopping process keeps listening with <c>/health/ready</c> answering 503 before it closes its
    /// listener, so a load balancer that polls ready takes it out of rotation first. 0 (the default) stops at once;
    /// behind a load balancer, give at least its polling interval times its failure threshold, e.g. 00:00:10.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long one check (the database, the blob store) may take before it counts as failed.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate(string section, ICollection<string> problems)
    {
        if (DrainDelay < TimeSpan.Zero || DrainDelay > TimeSpan.FromMinutes(5))
            problems.Add($"{section}:DrainDelay is {DrainDelay}; it must be between 00:00:00 and 00:05:00");
        if (CheckTimeout <= TimeSpan.Zero || CheckTimeout > TimeSpan.FromMinutes(1))
            problems.Add($"{section}:CheckTimeout is {CheckTimeout}; it must be a positive time span up to 00:01:00, e.g. 00:00:05");
    }
}
