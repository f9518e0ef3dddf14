using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Client.Admin;
using Paddock.Core.Quotas;
using Paddock.Cli.Remote;

namespace Paddock.Cli.CommandLine;

/// <summary>
/// The limit options of <c>paddock keys limits</c> (offline) and <c>paddock admin … limits</c> (remote): one spelling,
/// checked by the same rules as the server's (<see cref="QuotaLimitRules"/>). None given shows the limits; <c>--clear</c>
/// forgets the stored ones; any other replaces them.
/// </summary>
internal static class LimitOptions
{
    public static readonly Option<int?> RequestsPerMinute = CliOption.Int("--requests-per-minute", "N", "API requests a minute (over it: 429 with Retry-After)", t => $"--requests-per-minute takes a whole number, not '{t}'");
    public static readonly Option<int?> MaxRunning = CliOption.Int("--max-running", "N", "Generations rendering at once", t => $"--max-running takes a whole number, not '{t}'");
    public static readonly Option<int?> MaxQueued = CliOption.Int("--max-queued", "N", "Generations waiting at once (over it: 429)", t => $"--max-queued takes a whole number, not '{t}'");
    public static readonly Option<int?> Priority = CliOption.Int("--priority", "N", "Claim priority, -100 to 100 (higher first)", t => $"--priority takes a whole number, not '{t}'");
    public static readonly Option<string[]> Budget = CliOption.Repeated("--budget", "RES:SECONDS[/day|/month]", "Seconds of video per resolution a UTC day (or month), e.g. 1080P:600 or 720P:36000/month; repeat for several");
    public static readonly Option<bool> Clear = CliOption.Switch("--clear", "Forget the stored limits (configuration decides them again)");

    public static void AddTo(Command command)
    {
        command.Add(RequestsPerMinute);
        command.Add(MaxRunning);
        command.Add(MaxQueued);
        command.Add(Priority);
        command.Add(Budget);
        command.Add(Clear);
    }

    /// <summary>What the command line asks: show (null limits, no clear), clear, or store these limits (checked; a problem is a usage error naming the option).</summary>
    public static (QuotaLimits? Limits, bool Clear) Read(ParseResult parse, QuotaScopeKind kind)
    {
        var budgets = parse.GetValue(Budget) is { Length: > 0 } given ? given.Select(ParseBudget).ToList() : null;
        var limits = new QuotaLimits(parse.GetValue(RequestsPerMinute), parse.GetValue(MaxRunning), parse.GetValue(MaxQueued), parse.GetValue(Priority), budgets);
        var any = limits.RequestsPerMinute is not null || limits.MaxRunning is not null || limits.MaxQueued is not null || limits.Priority is not null || budgets is not null;
        var clear = parse.GetValue(Clear);
        if (clear && any) throw new UsageException("--clear forgets the stored limits; give it alone, or give the limits to store without it");
        if (!any) return (null, clear);
        var problems = QuotaLimitRules.Problems(limits, kind, name => "--" + name.Replace('_', '-'));
        if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));
        return (limits, false);
    }

    public static PaddockLimits ToClient(QuotaLimits limits) => new(limits.RequestsPerMinute, limits.MaxRunning, limits.MaxQueued, limits.Priority,
        limits.Budgets?.Select(b => new PaddockVideoBudget(b.Resolution, b.Seconds, b.Period == BudgetPeriod.Month)).ToList());

    /// <summary>Limits as one line for people: <c>requests_per_minute=60 max_queued=10 budget=1080P:600/day</c>, or "none".</summary>
    public static string Describe(JsonNode? limits)
    {
        if (limits is not JsonObject o) return "none";
        var parts = o.Where(p => p.Key != "budgets" && p.Value is not null).Select(p => $"{p.Key}={p.Value}").ToList();
        foreach (var b in (o["budgets"] as JsonArray ?? []).OfType<JsonObject>())
            parts.Add($"budget={b["resolution"]}:{b["seconds"]}/{b["period"]}");
        return parts.Count == 0 ? "none" : string.Join(" ", parts);
    }

    private static VideoBudget ParseBudget(string text)
    {
        var usage = $"--budget '{text}' must be RESOLUTION:SECONDS with an optional /day or /month, e.g. 1080P:600 or 720P:36000/month";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new UsageException(usage);
        var rest = text[(colon + 1)..];
        var period = BudgetPeriod.Day;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            period = rest[(slash + 1)..].ToLowerInvariant() switch
            {
                "day" => BudgetPeriod.Day,
                "month" => BudgetPeriod.Month,
                _ => throw new UsageException(usage),
            };
            rest = rest[..slash];
        }
        if (!long.TryParse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)) throw new UsageException(usage);
        return new VideoBudget(text[..colon].ToUpperInvariant(), period, seconds);
    }
}
