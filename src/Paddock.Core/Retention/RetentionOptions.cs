using Paddock.Core.Configuration;

namespace Paddock.Core.Retention;

/// <summary>
/// How long outputs and uploaded files are kept (section <c>Paddock:Retention</c>). <see cref="Namespace"/> is the
/// default for every namespace; <see cref="Namespaces"/> sets one namespace's own (a value left out there takes the
/// default). A time of <c>00:00:00</c> keeps forever, so one namespace can keep what the default expires. Nothing set:
/// everything is kept until it is deleted (what Paddock did before retention existed). A pinned generation or file
/// never expires.
/// </summary>
public sealed class RetentionOptions : IValidatedSettings
{
    public RetentionSettings Namespace { get; set; } = new();

    public Dictionary<string, RetentionSettings> Namespaces { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often the sweeper looks for what expired (also once at start).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Rows one sweep step marks expired in one transaction.</summary>
    public int BatchSize { get; set; } = 200;

    public void Validate(string section, ICollection<string> problems)
    {
        Namespace.Validate($"{section}:Namespace", problems);
        foreach (var (name, settings) in Namespaces) settings.Validate($"{section}:Namespaces:{name}", problems);
        if (SweepInterval < TimeSpan.FromMilliseconds(100) || SweepInterval > TimeSpan.FromDays(1))
            problems.Add($"{section}:SweepInterval is {SweepInterval}; it must be between 00:00:00.100 and 1.00:00:00, such as 00:05:00");
        if (BatchSize is < 1 or > 10_000)
            problems.Add($"{section}:BatchSize is {BatchSize}; it must be between 1 and 10000, such as 200");
    }
}

/// <summary>One scope's retention as configured: how long after it was written an output or a file is kept.</summary>
public sealed class RetentionSettings
{
    /// <summary>An output is kept this long after its generation completed; 00:00:00 keeps forever.</summary>
    public TimeSpan? Outputs { get; set; }

    /// <summary>An uploaded file is kept this long after it was last written; 00:00:00 keeps forever.</summary>
    public TimeSpan? Files { get; set; }

    internal void Validate(string section, ICollection<string> problems)
    {
        if (Outputs < TimeSpan.Zero || Outputs > TimeSpan.FromDays(36500))
            problems.Add($"{section}:Outputs is {Outputs}; it must be a time span from 00:00:00 (keep forever) to 36500.00:00:00, such as 30.00:00:00 (30 days)");
        if (Files < TimeSpan.Zero || Files > TimeSpan.FromDays(36500))
            problems.Add($"{section}:Files is {Files}; it must be a time span from 00:00:00 (keep forever) to 36500.00:00:00, such as 7.00:00:00 (7 days)");
    }
}
