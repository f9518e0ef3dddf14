using Paddock.Core.Configuration;

namespace Paddock.Core.Quotas;

/// <summary>
/// Quotas and limits (section <c>Paddock:Quotas</c>). <see cref="Namespace"/> and <see cref="Key"/> are the defaults
/// for every namespace and every key; <see cref="Namespaces"/> and <see cref="Keys"/> set one namespace's or one key's
/// own (by key id, as <c>paddock keys list</c> shows it). Limits an administrator stores in the database come first.
/// Nothing set: no limit.
/// </summary>
public sealed class QuotaOptions : IValidatedSettings
{
    public QuotaLimitSettings Namespace { get; set; } = new();

    public QuotaLimitSettings Key { get; set; } = new();

    public Dictionary<string, QuotaLimitSettings> Namespaces { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, QuotaLimitSettings> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long limits read from the database are reused before they are read again (a change by an administrator takes this long).</summary>
    public TimeSpan StoredLimitsLifetime { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate(string section, ICollection<string> problems)
    {
        Namespace.Validate($"{section}:Namespace", problems);
        Key.Validate($"{section}:Key", problems);
        foreach (var (name, limits) in Namespaces) limits.Validate($"{section}:Namespaces:{name}", problems);
        foreach (var (id, limits) in Keys) limits.Validate($"{section}:Keys:{id}", problems);
        if (StoredLimitsLifetime < TimeSpan.Zero || StoredLimitsLifetime > TimeSpan.FromMinutes(10))
            problems.Add($"{section}:StoredLimitsLifetime is {StoredLimitsLifetime}; it must be between 00:00:00 and 00:10:00, such as 00:00:05");
    }
}

/// <summary>One scope's limits as configured; see <see cref="QuotaLimits"/> for what each means.</summary>
public sealed class QuotaLimitSettings
{
    public int? RequestsPerMinute { get; set; }

    public int? MaxRunning { get; set; }

    public int? MaxQueued { get; set; }

    public int? Priority { get; set; }

    public List<VideoBudgetSettings> Budgets { get; set; } = [];

    public QuotaLimits ToLimits() => new(RequestsPerMinute, MaxRunning, MaxQueued, Priority,
        Budgets.Count == 0 ? null : Budgets.Select(b => new VideoBudget(b.Resolution.ToUpperInvariant(), b.Period, b.Seconds)).ToList());

    internal void Validate(string section, ICollection<string> problems)
    {
        if (RequestsPerMinute is < 1 or > 1_000_000)
            problems.Add($"{section}:RequestsPerMinute is {RequestsPerMinute}; it must be between 1 and 1000000, such as 600");
        if (MaxRunning is < 1 or > 100_000)
            problems.Add($"{section}:MaxRunning is {MaxRunning}; it must be between 1 and 100000, such as 4");
        if (MaxQueued is < 1 or > 10_000_000)
            problems.Add($"{section}:MaxQueued is {MaxQueued}; it must be between 1 and 10000000, such as 1000");
        if (Priority is < -100 or > 100)
            problems.Add($"{section}:Priority is {Priority}; it must be between -100 and 100 (0 is the default; higher is claimed first)");
        for (var i = 0; i < Budgets.Count; i++)
        {
            var budget = Budgets[i];
            if (string.IsNullOrWhiteSpace(budget.Resolution))
                problems.Add($"{section}:Budgets:{i}:Resolution is not set; it names the resolution the budget counts, such as 1080P");
            if (budget.Seconds < 0)
                problems.Add($"{section}:Budgets:{i}:Seconds is {budget.Seconds}; it must be 0 or more seconds of video, such as 3600");
        }
    }
}

/// <summary>A budget as configured: <see cref="Seconds"/> of video at <see cref="Resolution"/> per <see cref="Period"/> (day or month, UTC).</summary>
public sealed class VideoBudgetSettings
{
    public string Resolution { get; set; } = "";

    public BudgetPeriod Period { get; set; } = BudgetPeriod.Day;

    public long Seconds { get; set; }
}
