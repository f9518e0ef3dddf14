using Paddock.Core.Generations;
using Paddock.Core.Queue;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// The other API's paging over the store's newest-first pages: its <c>after</c> is a video id, which the store pages
/// after directly (<see cref="GenerationQuery.AfterId"/>), so the default order costs one page read however deep the row
/// is. Its <c>order=asc</c> has no store order of its own: the namespace's rows are walked newest first (500 a page,
/// through the store's cursor) up to the row named, a cost that grows with the namespace.
/// </summary>
public static class VideoPages
{
    private const int Batch = 500;

    /// <returns>The page, and whether more follow; null when <paramref name="after"/> is not a row of the namespace.</returns>
    public static async Task<(IReadOnlyList<Generation> Items, bool HasMore)?> ReadAsync(
        IGenerationStore store, string ns, Guid? after, int limit, bool ascending, CancellationToken cancellationToken)
    {
        if (!ascending)
        {
            GenerationPage page;
            try
            {
                page = await store.QueryAsync(new GenerationQuery(ns, Limit: limit + 1, AfterId: after), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidCursorException) when (after is not null)
            {
                return null;
            }
            var items = page.Items;
            return (items.Take(limit).ToList(), items.Count > limit);
        }

        // Oldest first: in newest-first order these are the rows just before `after` (or the last ones when none is given).
        var window = new Queue<Generation>();
        var reached = false;
        await foreach (var g in NewestFirst(store, ns, cancellationToken))
        {
            if (after is not null && g.Id == after)
            {
                reached = true;
                break;
            }
            window.Enqueue(g);
            if (window.Count > limit + 1) window.Dequeue();
        }
        if (after is not null && !reached) return null;
        var oldestFirst = window.Reverse().ToList();
        return (oldestFirst.Take(limit).ToList(), oldestFirst.Count > limit);
    }

    private static async IAsyncEnumerable<Generation> NewestFirst(IGenerationStore store, string ns,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, int batch = Batch)
    {
        string? cursor = null;
        do
        {
            var page = await store.QueryAsync(new GenerationQuery(ns, Limit: batch, After: cursor), cancellationToken);
            foreach (var g in page.Items) yield return g;
            cursor = page.NextCursor;
        } while (cursor is not null);
    }
}
