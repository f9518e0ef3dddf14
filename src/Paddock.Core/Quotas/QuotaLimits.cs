namespace Paddock.Core.Quotas;

/// <summary>The span a video budget counts over: the current UTC day, or the current UTC calendar month.</summary>
public enum BudgetPeriod
{
    Day,
    Month,
}

/// <summary>At most <paramref name="Seconds"/> seconds of video at <paramref name="Resolution"/> (e.g. "1080P") per <paramref name="Period"/>.</summary>
public sealed record VideoBudget(string Resolution, BudgetPeriod Period, long Seconds);

/// <summary>
/// Limits of one key or one namespace. A null field is not set here: the next source decides (the limits an
/// administrator stored, then this scope's own configuration, then the configured default; none at all: no limit).
/// </summary>
/// <param name="RequestsPerMinute">API requests a minute (every authenticated route); over it: 429 with <c>Retry-After</c>.</param>
/// <param name="MaxRunning">Generations rendering at once; more wait in the queue (claims pass over the namespace or key).</param>
/// <param name="MaxQueued">Generations waiting at once; a submission that would go over is refused with 429.</param>
/// <param name="Priority">Claim priority of the key's generations (higher first; a namespace's applies to keys without one).</param>
/// <param name="Budgets">Seconds of video per resolution per day or month; a submission that would go over is refused with 403.</param>
public sealed record QuotaLimits(
    int? RequestsPerMinute = null,
    int? MaxRunning = null,
    int? MaxQueued = null,
    int? Priority = null,
    IReadOnlyList<VideoBudget>? Budgets = null)
{
    public static readonly QuotaLimits None = new();

    /// <summary>Each field from this, or where unset here, from <paramref name="fallback"/>.</summary>
    public QuotaLimits Or(QuotaLimits? fallback) => fallback is null ? this : new(
        RequestsPerMinute ?? fallback.RequestsPerMinute,
        MaxRunning ?? fallback.MaxRunning,
        MaxQueued ?? fallback.MaxQueued,
        Priority ?? fallback.Priority,
        Budgets ?? fallback.Budgets);
}

/// <summary>Who limits apply to: a namespace, or one key. The stored form is <c>namespace:NAME</c> or <c>key:ID</c>.</summary>
public sealed record QuotaScope(QuotaScopeKind Kind, string Id)
{
    public static QuotaScope Namespace(string ns) => new(QuotaScopeKind.Namespace, ns);

    public static QuotaScope Key(string keyId) => new(QuotaScopeKind.Key, keyId);

    /// <summary>How the store and the budget ledger name it.</summary>
    public string Stored => (Kind == QuotaScopeKind.Namespace ? "namespace:" : "key:") + Id;

    /// <summary>How a message names it.</summary>
    public override string ToString() => Kind == QuotaScopeKind.Namespace ? $"namespace '{Id}'" : $"key {Id}";
}

public enum QuotaScopeKind
{
    Namespace,
    Key,
}

/// <summary>
/// How many generations may render at once, as a claim applies it. Per namespace: the limit an administrator stored for
/// the namespace (the store reads it in the claim), else <see cref="PerNamespace"/>, else <see cref="Default"/>. Per key
/// likewise: stored, else <see cref="PerKey"/>, else <see cref="KeyDefault"/>. None: no limit. A namespace at its limit is
/// passed over until one of its renders ends; a key at its limit has its rows passed over, so the namespace's other keys
/// still get their turns.
/// </summary>
public sealed record RunningLimits(int? Default, IReadOnlyDictionary<string, int> PerNamespace,
    int? KeyDefault = null, IReadOnlyDictionary<string, int>? PerKey = null)
{
    public int? For(string ns, int? stored) => stored ?? (PerNamespace.TryGetValue(ns, out var own) ? own : Default);

    public int? ForKey(string keyId, int? stored) => stored ?? (PerKey is not null && PerKey.TryGetValue(keyId, out var own) ? own : KeyDefault);

    /// <summary>The keys, among those with renders running (and the limit stored for each, if any), that may start no more.</summary>
    public IReadOnlyList<string> KeysAtLimit(IEnumerable<(string KeyId, long Running, int? Stored)> running) =>
        running.Where(k => ForKey(k.KeyId, k.Stored) is { } limit && k.Running >= limit).Select(k => k.KeyId).ToList();
}

/// <summary>
/// The ranges every limit must fall in, however it is set (configuration, the admin API, <c>paddock keys limits</c>), so
/// each source refuses the same values with the same words. <paramref name="name"/> turns a field's name into how the
/// caller spells it (a setting key, a JSON field, a command-line option).
/// </summary>
public static class QuotaLimitRules
{
    public static IReadOnlyList<string> Problems(QuotaLimits limits, QuotaScopeKind kind, Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(name);
        var problems = new List<string>();
        if (limits.RequestsPerMinute is < 1 or > 1_000_000)
            problems.Add($"{name("requests_per_minute")} is {limits.RequestsPerMinute}; it must be between 1 and 1000000, such as 600");
        if (limits.MaxRunning is < 1 or > 100_000)
            problems.Add($"{name("max_running")} is {limits.MaxRunning}; it must be between 1 and 100000, such as 4");
        if (limits.MaxQueued is < 1 or > 10_000_000)
            problems.Add($"{name("max_queued")} is {limits.MaxQueued}; it must be between 1 and 10000000, such as 1000");
        if (limits.Priority is < -100 or > 100)
            problems.Add($"{name("priority")} is {limits.Priority}; it must be between -100 and 100 (0 is the default; higher is claimed first)");
        var budgets = limits.Budgets ?? [];
        for (var i = 0; i < budgets.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(budgets[i].Resolution))
                problems.Add($"{name("budgets")}[{i}].resolution is not set; it names the resolution the budget counts, such as 1080P");
            if (budgets[i].Seconds < 0)
                problems.Add($"{name("budgets")}[{i}].seconds is {budgets[i].Seconds}; it must be 0 or more seconds of video, such as 3600");
        }
        return problems;
    }
}
