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
/// How many generations of a namespace may render at once, as a claim applies it: the limit an administrator stored
/// for the namespace (the store reads it in the claim), else <see cref="PerNamespace"/>, else <see cref="Default"/>;
/// none: no limit. A namespace at its limit is passed over until one of its renders ends.
/// </summary>
public sealed record RunningLimits(int? Default, IReadOnlyDictionary<string, int> PerNamespace)
{
    public int? For(string ns, int? stored) => stored ?? (PerNamespace.TryGetValue(ns, out var own) ? own : Default);
}
