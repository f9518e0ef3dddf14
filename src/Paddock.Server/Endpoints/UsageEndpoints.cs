using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Paddock.Core.Quotas;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// <c>GET /api/usage</c>: what the key's namespace consumed, by UTC day and model, over a range of days (<c>from</c>,
/// <c>to</c>, inclusive, <c>YYYY-MM-DD</c>; by default the last 30 days), with totals.
/// </summary>
public static class UsageEndpoints
{
    /// <summary>The longest range one request may ask for.</summary>
    public const int MaxDays = 366;

    public static void MapUsageEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/usage", GetAsync).WithTags("Usage")
            .Doc("GetUsage", "What the namespace consumed, by day and model", $"UTC days from..to, inclusive (by default the last 30 days, at most {MaxDays} at a time): generations by outcome, seconds of video (also by resolution), seconds of rendering and attempts, with totals.")
            .RequiresApiKey()
            .Query("from", JsonSchemaType.String, "The first day, YYYY-MM-DD (UTC); default 29 days before to.")
            .Query("to", JsonSchemaType.String, "The last day, YYYY-MM-DD (UTC); default today.")
            .Returns(200, ApiSchemas.Usage)
            .Errors(400);

    private static async Task<IResult> GetAsync(HttpContext context, IQuotaStore quotas, TimeProvider time)
    {
        var ns = ApiKeyAuthentication.NamespaceOf(context);
        var problems = new List<string>();
        var (from, to) = Range(context, time, problems);
        if (problems.Count > 0)
            return ApiErrors.InvalidParams(string.Join("; ", problems));

        var entries = await quotas.UsageAsync(ns, from, to, context.RequestAborted);
        var usage = new JsonArray();
        foreach (var group in entries.GroupBy(e => (e.Day, e.Model)))
        {
            var row = Sums(group);
            row.Insert(0, "day", Text(group.Key.Day));
            row.Insert(1, "model", group.Key.Model);
            row.Insert(2, "engine", string.Join(",", group.Select(e => e.Engine).Distinct()));
            usage.Add(row);
        }
        return TypedResults.Json(new JsonObject
        {
            ["namespace"] = ns,
            ["from"] = Text(from),
            ["to"] = Text(to),
            ["usage"] = usage,
            ["totals"] = Sums(entries),
        });
    }

    /// <summary>The days of the query's <c>from</c> and <c>to</c> (by default the last 30), or the problems with them.</summary>
    internal static (DateOnly From, DateOnly To) Range(HttpContext context, TimeProvider time, List<string> problems)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var to = Day(context, "to", today, problems);
        var from = Day(context, "from", to.AddDays(-29), problems);
        if (problems.Count == 0 && from > to)
            problems.Add($"from: {Text(from)} is after to ({Text(to)}); give from on or before to");
        if (problems.Count == 0 && to.DayNumber - from.DayNumber + 1 > MaxDays)
            problems.Add($"from, to: the range is {to.DayNumber - from.DayNumber + 1} days; ask for at most {MaxDays} days at a time");
        return (from, to);
    }

    /// <summary>The counts and sums of some entries; seconds of video also by resolution.</summary>
    internal static JsonObject Sums(IEnumerable<UsageEntry> entries)
    {
        var list = entries.ToList();
        var byResolution = new JsonObject();
        foreach (var resolution in list.GroupBy(e => e.Resolution).OrderBy(g => g.Key, StringComparer.Ordinal))
            byResolution[resolution.Key.Length == 0 ? "unknown" : resolution.Key] = resolution.Sum(e => e.VideoSeconds);
        return new JsonObject
        {
            ["generations"] = list.Sum(e => e.Generations),
            ["succeeded"] = list.Sum(e => e.Succeeded),
            ["failed"] = list.Sum(e => e.Failed),
            ["cancelled"] = list.Sum(e => e.Cancelled),
            ["video_seconds"] = list.Sum(e => e.VideoSeconds),
            ["video_seconds_by_resolution"] = byResolution,
            ["wall_seconds"] = Math.Round(list.Sum(e => e.WallSeconds), 3),
            ["attempts"] = list.Sum(e => e.Attempts),
        };
    }

    internal static DateOnly Day(HttpContext context, string name, DateOnly fallback, List<string> problems)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
            return fallback;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return day;
        problems.Add($"{name}: '{text}' is not a day; give it as YYYY-MM-DD (UTC), such as {Text(fallback)}");
        return fallback;
    }

    internal static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
