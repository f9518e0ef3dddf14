namespace Paddock.Core.Quotas;

/// <summary>
/// What the store tells an admission check, read inside the transaction that will write the rows, with the
/// submissions of the same namespace kept apart (SQLite: its one writer; PostgreSQL: a lock per namespace), so two
/// requests cannot both pass a limit that only one fits under.
/// </summary>
public interface IAdmissionReader
{
    /// <summary>Queued rows of the namespace (or of the key, when given), at most <paramref name="cap"/>; read from counts the store keeps, so the cost does not grow with the queue.</summary>
    long QueuedRows(string ns, string? keyId, long cap);

    /// <summary>Seconds of video charged to <paramref name="scope"/> at <paramref name="resolution"/> by rows enqueued on UTC days from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    long VideoSecondsCharged(QuotaScope scope, string resolution, DateOnly from, DateOnly to);
}

/// <summary>Decides, from what the store read, whether the rows may be written; a refusal leaves nothing written.</summary>
public delegate QuotaRefusal? AdmissionCheck(IAdmissionReader reader);

/// <summary>
/// A request refused by a limit: which limit (<paramref name="Limit"/>: <c>requests_per_minute</c>, <c>max_queued</c>,
/// <c>video_budget</c>), of which scope, the status to answer (429 or 403), a message that names the limit and when
/// it resets, and how long to wait (<c>Retry-After</c>) when that is known.
/// </summary>
public sealed record QuotaRefusal(string Limit, QuotaScope Scope, int Status, string Message, TimeSpan? RetryAfter);
