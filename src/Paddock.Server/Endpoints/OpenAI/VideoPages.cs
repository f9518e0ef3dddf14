using Paddock.Core.Generations;
using Paddock.Core.Queue;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// The other API's paging over the store's newest-first pages: its <c>after</c> is a video id and its <c>order</c> may be
/// oldest first, neither of which the store's keyset cursor offers, so the namespace's rows are walked (500 a page,
/// through the store's own cursor) up to the row named. The cost grows with how deep that row is, not with the page size;
/// a store-level cursor by id is the follow-up if namespaces grow large.
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
            var found = after is null;
            var items = new List<Generation>();
            // The first page of the default order is one store page of exactly what is needed (and one more, for has_more).
            await foreach (var g in NewestFirst(store, ns, cancellationToken, batch: after is null ? limit + 1 : Batch))
            {
                if (!found)
                {
                    found = g.Id == after;
                    continue;
                }
                items.Add(g);
                if (items.Count > limit) break;
            }
            if (!found) return null;
            var more = items.Count > limit;
            return (items.Take(limit).ToList(), more);
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
