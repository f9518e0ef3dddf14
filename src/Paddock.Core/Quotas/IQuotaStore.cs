namespace Paddock.Core.Quotas;

/// <summary>
/// Limits an administrator set per key and per namespace (configuration gives the defaults), and the usage every
/// generation recorded when it ended. Implementations: SQLite and PostgreSQL, in the same database as the queue.
/// </summary>
public interface IQuotaStore
{
    /// <summary>The limits stored for one scope; null when none are.</summary>
    Task<QuotaLimits?> GetLimitsAsync(QuotaScope scope, CancellationToken cancellationToken = default);

    /// <summary>Stores a scope's limits, replacing what it had (a null field: the configured one applies).</summary>
    Task SetLimitsAsync(QuotaScope scope, QuotaLimits limits, CancellationToken cancellationToken = default);

    /// <summary>Forgets a scope's stored limits; false when it had none.</summary>
    Task<bool> DeleteLimitsAsync(QuotaScope scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// A namespace's usage by UTC day (of the generation's end) and model, for days <paramref name="from"/> to
    /// <paramref name="to"/> inclusive, oldest day first, then by model; one entry per resolution within each.
    /// </summary>
    Task<IReadOnlyList<UsageEntry>> UsageAsync(string ns, DateOnly from, DateOnly to, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="UsageAsync"/>, for every namespace at once (the admin's view): ordered by namespace (ordinal), then as
    /// <see cref="UsageAsync"/> orders one namespace's entries.
    /// </summary>
    Task<IReadOnlyList<NamespaceUsage>> UsageOfAllAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default);

    /// <summary>
    /// Seconds of video charged to each namespace to date (the budget ledger: every row enqueued, less those that failed or
    /// were cancelled, so succeeded plus still queued or running); namespaces with no ledger entry are absent.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> ChargedVideoSecondsAsync(CancellationToken cancellationToken = default);
}

/// <summary>One <see cref="UsageEntry"/> of one namespace.</summary>
public sealed record NamespaceUsage(string Namespace, UsageEntry Entry);

/// <summary>
/// What the generations of one namespace that ended on one UTC day consumed, for one model at one resolution.
/// <paramref name="VideoSeconds"/> counts succeeded generations only; <paramref name="WallSeconds"/> is the time from
/// each one's first start to its end; <paramref name="Attempts"/> the attempts that counted.
/// </summary>
public sealed record UsageEntry(
    DateOnly Day,
    string Model,
    string Engine,
    string Resolution,
    long Generations,
    long Succeeded,
    long Failed,
    long Cancelled,
    long VideoSeconds,
    double WallSeconds,
    long Attempts);
