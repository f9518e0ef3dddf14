using System.ComponentModel.DataAnnotations;

namespace Paddock.Core.Maintenance;

/// <summary>Reclaiming what crashed processes left behind (section <c>Paddock:Maintenance</c>).</summary>
public sealed class MaintenanceOptions
{
    /// <summary>How often work folders of dead processes, orphan outputs and abandoned blob writes are reclaimed (also once at start).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "Paddock:Maintenance:SweepInterval must be between 00:00:00.100 and 1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A half-written blob untouched this long belongs to a writer that died.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Paddock:Maintenance:AbandonedWriteAge must be between 00:01:00 and 7.00:00:00")]
    public TimeSpan AbandonedWriteAge { get; set; } = TimeSpan.FromHours(1);
}
