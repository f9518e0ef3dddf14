namespace Paddock.Core.Events;

/// <summary>An event to append: its type (the SSE event name) and its compact JSON data.</summary>
public sealed record EventDraft(string Namespace, string Type, string Data);

/// <summary>An appended event. <see cref="Sequence"/> increases with every append across the store, in commit order (see <see cref="IEventLog"/>).</summary>
public sealed record StoredEvent(long Sequence, string Namespace, string Type, string Data, DateTimeOffset CreatedAt);

/// <summary>The durable, append-only log behind <c>/api/events</c> and its <c>Last-Event-ID</c> replay.</summary>
/// <remarks>
/// <para><b>Visibility order.</b> An event becomes visible to readers only after every event with a lower sequence is
/// visible: sequence order is the order in which appends commit. So a reader that has read up to sequence N and reads
/// "after N" again — a stream replaying after <c>Last-Event-ID</c>, the event hub's loop — finds every later event,
/// exactly once, in order, never one that was skipped because a lower number committed after a higher one was read.
/// Every backend keeps this rule, whatever its number generator does (a single writer keeps it by itself; a database
/// sequence shared by concurrent transactions does not, and needs the numbers taken in commit order).</para>
/// <para>Events appended by a generation's change (claim, completion, cancel) are committed in the same transaction as
/// the change, so a reader never sees the event without the change or the change without its event.</para>
/// </remarks>
public interface IEventLog
{
    /// <summary>Appends one event; durable, and visible to readers in sequence order, when this returns.</summary>
    Task<StoredEvent> AppendAsync(EventDraft draft, CancellationToken cancellationToken = default);

    /// <summary>Events of one namespace with a sequence greater than <paramref name="afterSequence"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(string ns, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Events of every namespace after <paramref name="afterSequence"/>, oldest first: what the in-process fan-out reads.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAllAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The highest sequence appended so far (0 when empty): where a new subscriber starts.</summary>
    Task<long> LatestSequenceAsync(CancellationToken cancellationToken = default);
}

/// <summary>Event names on the wire.</summary>
public static class EventTypes
{
    /// <summary>The seed API's event, for success and failure (never cancel).</summary>
    public const string Completed = "media_generation_completed";
    public const string Started = "media_generation_started";
    public const string Progress = "media_generation_progress";
    public const string Cancelled = "media_generation_cancelled";
    /// <summary>A worker handed the generation back to the queue (its process stopped); another attempt follows.</summary>
    public const string Requeued = "media_generation_requeued";
}
