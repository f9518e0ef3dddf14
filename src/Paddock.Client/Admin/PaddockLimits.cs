using System.Text.Json.Nodes;

namespace Paddock.Client.Admin;

/// <summary>
/// Limits of one key or one namespace, as the admin API stores them. A null field is not set here: the server's
/// configuration decides it.
/// </summary>
/// <param name="RequestsPerMinute">API requests a minute; over it the server answers 429 with <c>Retry-After</c>.</param>
/// <param name="MaxRunning">Generations rendering at once (claims pass over a namespace or key at its limit).</param>
/// <param name="MaxQueued">Generations waiting at once; a submission over it is refused with 429.</param>
/// <param name="Priority">Claim priority, -100 to 100 (higher first).</param>
/// <param name="Budgets">Seconds of video per resolution per day or month; a submission over one is refused with 403.</param>
public sealed record PaddockLimits(
    int? RequestsPerMinute = null,
    int? MaxRunning = null,
    int? MaxQueued = null,
    int? Priority = null,
    IReadOnlyList<PaddockVideoBudget>? Budgets = null)
{
    internal JsonObject ToJson() => new()
    {
        ["requests_per_minute"] = RequestsPerMinute,
        ["max_running"] = MaxRunning,
        ["max_queued"] = MaxQueued,
        ["priority"] = Priority,
        ["budgets"] = Budgets is null ? null : new JsonArray(Budgets.Select(b => (JsonNode)new JsonObject
        {
            ["resolution"] = b.Resolution,
            ["period"] = b.PerMonth ? "month" : "day",
            ["seconds"] = b.Seconds,
        }).ToArray()),
    };
}

/// <summary>At most <paramref name="Seconds"/> seconds of video at <paramref name="Resolution"/> (e.g. <c>1080P</c>) a UTC day, or a UTC month when <paramref name="PerMonth"/>.</summary>
/// <param name="Resolution">The resolution the budget counts.</param>
/// <param name="Seconds">Seconds of video per period.</param>
/// <param name="PerMonth">Counts over the calendar month instead of the day.</param>
public sealed record PaddockVideoBudget(string Resolution, long Seconds, bool PerMonth = false);
