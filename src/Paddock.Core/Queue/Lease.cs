using Paddock.Core.Generations;

namespace Paddock.Core.Queue;

/// <summary>
/// A worker's claim on a generation. <see cref="Attempt"/> is the fencing token: a later claim of
/// the same row has a higher attempt, so a worker whose lease expired cannot write the row.
/// </summary>
public sealed record Lease(Guid GenerationId, string WorkerId, int Attempt);

public sealed record ClaimedGeneration(Lease Lease, Generation Generation);

/// <summary>A cancelled generation whose remote job still has to be cancelled on its backend.</summary>
public sealed record PendingRemoteCancel(Guid GenerationId, string Namespace, Engines.RemoteJob Job);

/// <summary>What a heartbeat learned about the row it kept alive.</summary>
public enum LeaseState
{
    /// <summary>The lease was extended; keep working.</summary>
    Held,
    /// <summary>The row was cancelled; stop at once and write nothing.</summary>
    Cancelled,
    /// <summary>The lease expired or another worker holds the row; stop and write nothing.</summary>
    Lost,
}

public enum CancelOutcome
{
    NotFound,
    Cancelled,
    AlreadyTerminal,
}

/// <summary>A row the retention sweep marked expired, and the output blob it held.</summary>
public sealed record ExpiredOutput(Guid Id, string Namespace, string OutputKey);

public enum DeleteOutcome
{
    NotFound,
    Deleted,
    /// <summary>The row is queued or processing; nothing was deleted.</summary>
    StillActive,
}

/// <summary>A filter over one namespace's rows, newest first (or oldest first).</summary>
/// <param name="After">A page's <see cref="GenerationPage.NextCursor"/>: continue after its last row (keyset paging,
/// as cheap on the thousandth page as on the first). Opaque; each store writes its own.</param>
/// <param name="Offset">Rows to skip (page-number paging, kept for clients of the seed API); with <paramref name="After"/>, after the cursor.</param>
/// <param name="AfterId">Continue after this generation of the namespace (keyset paging by id, as the OpenAI face's
/// <c>after</c> asks); a row the namespace does not have is an <see cref="InvalidCursorException"/>. Not with <paramref name="After"/>.</param>
/// <param name="OldestFirst">The opposite order, oldest first (the OpenAI face's <c>order=asc</c>): the same index ranges
/// read the other way, so a page costs the same in either order. Cursors and <paramref name="AfterId"/> continue in it.</param>
public sealed record GenerationQuery(
    string Namespace,
    IReadOnlyList<GenerationStatus>? Statuses = null,
    string? Model = null,
    string? MediaType = null,
    int Offset = 0,
    int Limit = 1000,
    string? After = null,
    Guid? AfterId = null,
    bool OldestFirst = false);

/// <param name="TotalEntries">Rows matching the filter (all pages), kept as counters by the store, not counted per request.</param>
/// <param name="NextCursor">Where the next page starts (<see cref="GenerationQuery.After"/>), or null on the last page.</param>
public sealed record GenerationPage(IReadOnlyList<Generation> Items, long TotalEntries, string? NextCursor = null);

/// <summary>A cursor a store could not read: it is from another store, another version, or was altered.</summary>
public sealed class InvalidCursorException(string message) : Exception(message);
