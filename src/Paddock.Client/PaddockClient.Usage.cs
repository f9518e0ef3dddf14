using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Client.Internal;

namespace Paddock.Client;

public sealed partial class PaddockClient
{
    /// <summary>
    /// Reads what the key's namespace consumed (<c>GET /api/usage</c>), by UTC day and model: generations, how they ended,
    /// seconds of video (also by resolution), wall time and attempts, with totals.
    /// </summary>
    /// <param name="from">The first UTC day, inclusive; null for 29 days before <paramref name="to"/>.</param>
    /// <param name="to">The last UTC day, inclusive; null for today.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report as the server sent it: <c>namespace</c>, <c>from</c>, <c>to</c>, <c>usage</c> (one entry per day and model) and <c>totals</c>.</returns>
    /// <exception cref="PaddockException">400 <c>invalid_params</c> for a range the server does not take (from after to, over 366 days).</exception>
    public async Task<JsonObject> GetUsageAsync(DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve("api/usage", [new("from", Day(from)), new("to", Day(to))]);
        using var response = await _pipeline.SendAsync(() => Get(uri), Ordinary, cancellationToken).ConfigureAwait(false);
        var json = await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(json.GetRawText())!.AsObject();
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
