using Paddock.Core.Configuration;

namespace Paddock.Core.Maintenance;

/// <summary>Reclaiming what crashed processes left behind (section <c>Paddock:Maintenance</c>).</summary>
public sealed class MaintenanceOptions : IValidatedSettings
{
    /// <summary>How often work folders of dead processes, orphan outputs and abandoned blob writes are reclaimed (also once at start).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A half-written blob untouched this long belongs to a writer that died.</summary>
    public TimeSpan AbandonedWriteAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether memory a burst left unused is given back to the system once the process is quiet (<see cref="IdleMemoryTrimmer"/>).</summary>
    public bool ReturnMemoryWhenIdle { get; set; } = true;

    public void Validate(string section, ICollection<string> problems)
    {
        if (SweepInterval < TimeSpan.FromMilliseconds(100) || SweepInterval > TimeSpan.FromDays(1))
            problems.Add($"{section}:SweepInterval is {SweepInterval}; it must be between 00:00:00.100 and 1.00:00:00, such as 00:10:00");
        if (AbandonedWriteAge < TimeSpan.FromMinutes(1) || AbandonedWriteAge > TimeSpan.FromDays(7))
            problems.Add($"{section}:AbandonedWriteAge is {AbandonedWriteAge}; it must be between 00:01:00 and 7.00:00:00, such as 01:00:00");
    }
}
