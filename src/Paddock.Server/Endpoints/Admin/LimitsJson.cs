using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Quotas;

namespace Paddock.Server.Endpoints.Admin;

/// <summary>
/// Limits as the admin API reads and writes them: <c>{"requests_per_minute":60,"max_running":2,"max_queued":100,
/// "priority":5,"budgets":[{"resolution":"1080P","period":"day","seconds":600}]}</c>; a field left out or null is not
/// set here (configuration decides it).
/// </summary>
public static class LimitsJson
{
    private static readonly string[] Fields = ["requests_per_minute", "max_running", "max_queued", "priority", "budgets"];
    private static readonly HashSet<string> BudgetFields = ["resolution", "period", "seconds"];

    /// <summary>The limits of a JSON object, or the problems with it (each naming the field and what to give).</summary>
    public static QuotaLimits? Read(JsonElement root, QuotaScopeKind kind, string prefix, List<string> problems)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{Trim(prefix)}: must be a JSON object such as {{\"requests_per_minute\":60,\"max_queued\":100}}");
            return null;
        }
        foreach (var field in root.EnumerateObject().Where(p => !Fields.Contains(p.Name)))
            problems.Add($"{prefix}{field.Name}: is not a limit; give {string.Join(", ", Fields)}");
        var before = problems.Count;
        var limits = new QuotaLimits(
            Int(root, "requests_per_minute", prefix, problems),
            Int(root, "max_running", prefix, problems),
            Int(root, "max_queued", prefix, problems),
            Int(root, "priority", prefix, problems),
            Budgets(root, prefix, problems));
        if (problems.Count > before) return null;
        problems.AddRange(QuotaLimitRules.Problems(limits, kind, name => prefix + name));
        return problems.Count > before ? null : limits;
    }

    public static JsonNode? Write(QuotaLimits? limits) => limits is null ? null : new JsonObject
    {
        ["requests_per_minute"] = limits.RequestsPerMinute,
        ["max_running"] = limits.MaxRunning,
        ["max_queued"] = limits.MaxQueued,
        ["priority"] = limits.Priority,
        ["budgets"] = limits.Budgets is null ? null : new JsonArray(limits.Budgets.Select(b => (JsonNode)new JsonObject
        {
            ["resolution"] = b.Resolution,
            ["period"] = b.Period == BudgetPeriod.Day ? "day" : "month",
            ["seconds"] = b.Seconds,
        }).ToArray()),
    };

    private static string Trim(string prefix) => prefix.Length == 0 ? "body" : prefix.TrimEnd('.');

    private static int? Int(JsonElement root, string name, string prefix, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)) return n;
        problems.Add($"{prefix}{name}: must be a whole number (or null to leave it to configuration)");
        return null;
    }

    private static List<VideoBudget>? Budgets(JsonElement root, string prefix, List<string> problems)
    {
        if (!root.TryGetProperty("budgets", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        const string Example = "[{\"resolution\":\"1080P\",\"period\":\"day\",\"seconds\":600}]";
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{prefix}budgets: must be an array such as {Example}");
            return null;
        }
        var budgets = new List<VideoBudget>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var at = $"{prefix}budgets[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{at}: must be an object such as {Example[1..^1]}");
                continue;
            }
            foreach (var field in item.EnumerateObject().Where(p => !BudgetFields.Contains(p.Name)))
                problems.Add($"{at}.{field.Name}: is not a field of a budget; give resolution, period and seconds");
            var resolution = item.TryGetProperty("resolution", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : null;
            if (resolution is null) problems.Add($"{at}.resolution: is required, a string such as \"1080P\"");
            var period = item.TryGetProperty("period", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : "day";
            if (period is not ("day" or "month")) problems.Add($"{at}.period: must be \"day\" or \"month\" (UTC)");
            long? seconds = item.TryGetProperty("seconds", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var n) ? n : null;
            if (seconds is null) problems.Add($"{at}.seconds: is required, a whole number of seconds of video");
            if (resolution is not null && period is "day" or "month" && seconds is { } sec)
                budgets.Add(new VideoBudget(resolution.ToUpperInvariant(), period == "month" ? BudgetPeriod.Month : BudgetPeriod.Day, sec));
        }
        return budgets;
    }
}
