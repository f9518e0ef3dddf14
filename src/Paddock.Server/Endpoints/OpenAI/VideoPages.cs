using Paddock.Core.Generations;
using Paddock.Core.Queue;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// The other API's paging over the store's pages: its <c>after</c> is a video id, which the store pages after directly
/// (<see cref="GenerationQuery.AfterId"/>), and its <c>order</c> is the store's own (<see cref="GenerationQuery.OldestFirst"/>),
/// so a page costs one page read in either order however deep the row is.
/// </summary>
public static class VideoPages
{
    /// <returns>The page, and whether more follow; null when <paramref name="after"/> is not a row of the namespace.</returns>
    public static async Task<(IReadOnlyList<Generation> Items, bool HasMore)?> ReadAsync(
        IGenerationStore store, string ns, Guid? after, int limit, bool ascending, CancellationToken cancellationToken)
    {
        GenerationPage page;
        try
        {
            page = await store.QueryAsync(new GenerationQuery(ns, Limit: limit + 1, AfterId: after, OldestFirst: ascending), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidCursorException) when (after is not null)
        {
            return null;
        }
        var items = page.Items;
        return (items.Take(limit).ToList(), items.Count > limit);
    }
}
