namespace Paddock.Core.Events;

/// <summary>An event to append: its type (the SSE event name) and its compact JSON data.</summary>
public sealed record EventDraft(string Namespace, string Type, string Data);

/// <summary>An appended event. <see cref="Sequence"/> increases with every append across the store.</summary>
public sealed record StoredEvent(long Sequence, string Namespace, string Type, string Data, DateTimeOffset CreatedAt);

/// <summary>The durable, append-only log behind <c>/api/events</c> and its <c>Last-Event-ID</c> replay.</summary>
public interface IEventLog
{
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
