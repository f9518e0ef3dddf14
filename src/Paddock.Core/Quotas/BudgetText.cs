using System.Text.Json.Nodes;

namespace Paddock.Core.Quotas;

/// <summary>How stores keep a scope's budgets: one JSON array, <c>[{"resolution":"1080P","period":"day","seconds":600}]</c>.</summary>
public static class BudgetText
{
    public static string? Write(IReadOnlyList<VideoBudget>? budgets) => budgets is null
        ? null
        : new JsonArray(budgets.Select(b => (JsonNode)new JsonObject
        {
            ["resolution"] = b.Resolution,
            ["period"] = b.Period == BudgetPeriod.Day ? "day" : "month",
            ["seconds"] = b.Seconds,
        }).ToArray()).ToJsonString();

    public static IReadOnlyList<VideoBudget>? Read(string? text) => text is null
        ? null
        : JsonNode.Parse(text)!.AsArray().Select(b => new VideoBudget(
            b!["resolution"]!.GetValue<string>(),
            b["period"]!.GetValue<string>() == "month" ? BudgetPeriod.Month : BudgetPeriod.Day,
            b["seconds"]!.GetValue<long>())).ToList();
}
