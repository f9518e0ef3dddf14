using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Paddock.Core.Generations;

namespace Paddock.Core.Quotas;

/// <summary>The limits in force for one request: its namespace's and, when known, its key's.</summary>
public sealed record EffectiveLimits(QuotaScope Namespace, QuotaLimits NamespaceLimits, QuotaScope? Key, QuotaLimits KeyLimits)
{
    /// <summary>The priority the request's generations are claimed at: the key's, else the namespace's, else 0.</summary>
    public int Priority => KeyLimits.Priority ?? NamespaceLimits.Priority ?? 0;

    /// <summary>Whether a scope limits its requests per minute (most do not: their requests need no bucket).</summary>
    public bool LimitsRequests => NamespaceLimits.RequestsPerMinute is not null || (Key is not null && KeyLimits.RequestsPerMinute is not null);

    /// <summary>Whether a submission must pass an admission check: a scope limits its queued rows or has a budget.</summary>
    public bool ChecksAdmission => ChecksAdmissionOf(NamespaceLimits) || (Key is not null && ChecksAdmissionOf(KeyLimits));

    private static bool ChecksAdmissionOf(QuotaLimits limits) => limits.MaxQueued is not null || limits.Budgets is { Count: > 0 };

    public IEnumerable<(QuotaScope Scope, QuotaLimits Limits)> Scopes()
    {
        yield return (Namespace, NamespaceLimits);
        if (Key is not null) yield return (Key, KeyLimits);
    }
}

/// <summary>
/// Applies quotas: which limits are in force (stored, then configured), the requests-per-minute allowance of each key and
/// namespace (kept by this process), and the admission check a submission's rows pass in the store's transaction.
/// </summary>
public sealed class QuotaService(IQuotaStore store, IOptions<QuotaOptions> options, TimeProvider time)
{
    private readonly QuotaOptions _options = options.Value;
    /// <summary>
    /// The limits in force per namespace and key, as composed (stored, then configured): every request of a key shares one
    /// object, which a long-lived request (an event stream) holds, rather than composing and keeping its own.
    /// </summary>
    private readonly ConcurrentDictionary<(string Namespace, string? KeyId), (EffectiveLimits Limits, DateTimeOffset Expires)> _inForce = new();
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>The running limits of configuration, for claims (the store adds those stored per namespace and per key).</summary>
    public RunningLimits Running { get; } = new(
        options.Value.Namespace.MaxRunning,
        options.Value.Namespaces.Where(n => n.Value.MaxRunning is not null).ToDictionary(n => n.Key, n => n.Value.MaxRunning!.Value, StringComparer.Ordinal),
        options.Value.Key.MaxRunning,
        options.Value.Keys.Where(k => k.Value.MaxRunning is not null).ToDictionary(k => k.Key, k => k.Value.MaxRunning!.Value, StringComparer.Ordinal));

    /// <summary>The limits in force for a request of <paramref name="ns"/> made with the key <paramref name="keyId"/>.</summary>
    public ValueTask<EffectiveLimits> LimitsAsync(string ns, string? keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Nearly every request: limits composed within their lifetime, answered without a task.
        if (_inForce.TryGetValue((ns, keyId), out var cached) && cached.Expires > now)
            return ValueTask.FromResult(cached.Limits);
        return new ValueTask<EffectiveLimits>(ComposeAndKeepAsync(ns, keyId, now, cancellationToken));
    }

    private async Task<EffectiveLimits> ComposeAndKeepAsync(string ns, string? keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limits = await ComposeAsync(ns, keyId, cancellationToken).ConfigureAwait(false);
        if (_inForce.Count > 100_000) _inForce.Clear();
        _inForce[(ns, keyId)] = (limits, now + _options.StoredLimitsLifetime);
        return limits;
    }

    private async Task<EffectiveLimits> ComposeAsync(string ns, string? keyId, CancellationToken cancellationToken)
    {
        var nsScope = QuotaScope.Namespace(ns);
        var nsLimits = (await store.GetLimitsAsync(nsScope, cancellationToken).ConfigureAwait(false) ?? QuotaLimits.None)
            .Or(_options.Namespaces.TryGetValue(ns, out var own) ? own.ToLimits() : null)
            .Or(_options.Namespace.ToLimits());
        if (keyId is null)
            return new EffectiveLimits(nsScope, nsLimits, null, QuotaLimits.None);
        var keyScope = QuotaScope.Key(keyId);
        var keyLimits = (await store.GetLimitsAsync(keyScope, cancellationToken).ConfigureAwait(false) ?? QuotaLimits.None)
            .Or(_options.Keys.TryGetValue(keyId, out var mine) ? mine.ToLimits() : null)
            .Or(_options.Key.ToLimits());
        return new EffectiveLimits(nsScope, nsLimits, keyScope, keyLimits);
    }

    /// <summary>
    /// Counts one request against the requests-per-minute of each scope (a bucket of that many requests, refilled
    /// evenly over a minute); the refusal when a scope has none left, and then nothing is counted.
    /// </summary>
    public QuotaRefusal? TryRequest(EffectiveLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (!limits.LimitsRequests) return null;
        var now = time.GetTimestamp();
        var taken = new List<TokenBucket>(2);
        foreach (var (scope, scopeLimits) in limits.Scopes())
        {
            if (scopeLimits.RequestsPerMinute is not { } perMinute)
                continue;
            var bucket = _buckets.GetOrAdd(scope.Stored, _ => new TokenBucket());
            var wait = bucket.TryTake(perMinute, now, time);
            if (wait is { } retryAfter)
            {
                foreach (var earlier in taken) earlier.GiveBack();
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                return new QuotaRefusal("requests_per_minute", scope, 429,
                    $"requests_per_minute: {scope} may make {perMinute} requests a minute and has made them; the next is allowed in {seconds} s (Retry-After)",
                    TimeSpan.FromSeconds(seconds));
            }
            taken.Add(bucket);
        }
        return null;
    }

    /// <summary>
    /// The check a submission's <paramref name="rows"/> pass in the store's transaction: each scope's queued rows and
    /// the budgets of the rows' resolution. The first limit the rows would cross refuses them all.
    /// </summary>
    public AdmissionCheck Admission(EffectiveLimits limits, IReadOnlyList<NewGeneration> rows)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(rows);
        var now = time.GetUtcNow();
        return reader =>
        {
            foreach (var (scope, scopeLimits) in limits.Scopes())
            {
                if (scopeLimits.MaxQueued is { } maxQueued)
                {
                    var queued = reader.QueuedRows(limits.Namespace.Id, scope.Kind == QuotaScopeKind.Key ? scope.Id : null, maxQueued);
                    if (queued + rows.Count > maxQueued)
                    {
                        return new QuotaRefusal("max_queued", scope, 429,
                            $"max_queued: {scope} may have {maxQueued} generations queued and has {queued}, so {rows.Count} more would go over; "
                            + "it frees as queued generations start (or are cancelled): try again then", TimeSpan.FromSeconds(10));
                    }
                }
                foreach (var budget in scopeLimits.Budgets ?? [])
                {
                    var asked = rows.Where(r => string.Equals(r.Resolution, budget.Resolution, StringComparison.OrdinalIgnoreCase)).Sum(r => (long)r.VideoSeconds);
                    if (asked == 0)
                        continue;
                    var (from, to, resets) = Period(budget.Period, now);
                    var used = reader.VideoSecondsCharged(scope, budget.Resolution, from, to);
                    if (used + asked > budget.Seconds)
                    {
                        var per = budget.Period == BudgetPeriod.Day ? "day" : "month";
                        return new QuotaRefusal("video_budget", scope, 403,
                            $"video_budget: {scope} may generate {budget.Seconds} s of {budget.Resolution} video a {per} (UTC) and has used {used} s, "
                            + $"so {asked} s more would go over; it resets at {resets.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}",
                            resets - now);
                    }
                }
            }
            return null;
        };
    }

    /// <summary>The UTC days a budget counts now, and when the next period starts.</summary>
    public static (DateOnly From, DateOnly To, DateTimeOffset Resets) Period(BudgetPeriod period, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (period == BudgetPeriod.Day)
            return (today, today, new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var first = new DateOnly(today.Year, today.Month, 1);
        var next = first.AddMonths(1);
        return (first, next.AddDays(-1), new DateTimeOffset(next.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
    }

    /// <summary>
    /// Forgets the limits this process composed from a scope's stored ones (all of them: a namespace's are part of each
    /// of its keys'), so the next request reads them again: an administrator's change applies at once here (other
    /// processes read it within <see cref="QuotaOptions.StoredLimitsLifetime"/>).
    /// </summary>
    public void ForgetStored(QuotaScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        _inForce.Clear(); // rare: an administrator's change
    }

    /// <summary>A bucket of a minute's requests, refilled continuously: a burst up to the limit, then the limit's pace.</summary>
    private sealed class TokenBucket
    {
        private readonly Lock _gate = new();
        private double _tokens = double.NaN;
        private long _at;

        /// <summary>Null when a request was taken; otherwise how long until one is available.</summary>
        public TimeSpan? TryTake(int perMinute, long now, TimeProvider time)
        {
            lock (_gate)
            {
                if (double.IsNaN(_tokens))
                    _tokens = perMinute;
                else
                    _tokens = Math.Min(perMinute, _tokens + time.GetElapsedTime(_at, now).TotalMinutes * perMinute);
                _at = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return null;
                }
                return TimeSpan.FromMinutes((1 - _tokens) / perMinute);
            }
        }

        public void GiveBack()
        {
            lock (_gate) _tokens += 1;
        }
    }
}
