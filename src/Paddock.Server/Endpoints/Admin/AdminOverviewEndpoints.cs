using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Paddock.Core.Auth;
using Paddock.Core.Queue;
using Paddock.Core.Quotas;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints.Admin;

/// <summary>
/// <c>/api/admin/usage</c> (what every namespace consumed, as <c>GET /api/usage</c> reports one) and
/// <c>/api/admin/queue</c> (what waits and runs now, per model, per namespace and per worker).
/// </summary>
public static class AdminOverviewEndpoints
{
    /// <summary>How many (namespace, model) pairs with queued rows get their oldest row looked up; the rest are counted only.</summary>
    public const int MaxOldestLookups = 200;

    public static void MapAdminOverviewEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(ApiKeyAuthentication.AdminPrefix).WithTags("Admin").RequiresAdminKey();
        admin.MapGet("/usage", UsageAsync)
            .Doc("AdminGetUsage", "What every namespace consumed, by namespace, day and model",
                $"As GET /api/usage for each namespace (UTC days from..to, by default the last 30, at most {UsageEndpoints.MaxDays}), with totals per namespace and overall.")
            .Query("from", JsonSchemaType.String, "The first day, YYYY-MM-DD (UTC); default 29 days before to.")
            .Query("to", JsonSchemaType.String, "The last day, YYYY-MM-DD (UTC); default today.")
            .Query("namespace", JsonSchemaType.String, "Only this namespace.")
            .Returns(200, ApiSchemas.AdminUsage)
            .Errors(400);
        admin.MapGet("/queue", QueueAsync)
            .Doc("AdminGetQueue", "What waits and runs now: per model, per namespace, per worker",
                $"Generations queued and processing per model and per namespace, with the age of the oldest queued one, and the rows each worker holds. From kept counts and index seeks (the oldest of at most {MaxOldestLookups} namespace-model pairs), not by counting the queue.")
            .Returns(200, ApiSchemas.AdminQueue);
    }

    private static async Task<IResult> UsageAsync(HttpContext context, IQuotaStore quotas, TimeProvider time)
    {
        var problems = new List<string>();
        var (from, to) = UsageEndpoints.Range(context, time, problems);
        var only = context.Request.Query["namespace"].ToString();
        if (only.Length > 0 && !ApiKeyFormat.IsValidNamespace(only))
            problems.Add($"namespace: '{only}' must be 1-64 letters, digits, '-', '_' or '.'");
        if (problems.Count > 0)
            return ApiErrors.InvalidParams(string.Join("; ", problems));

        var entries = only.Length > 0
            ? (await quotas.UsageAsync(only, from, to, context.RequestAborted)).Select(e => new NamespaceUsage(only, e)).ToList()
            : await quotas.UsageOfAllAsync(from, to, context.RequestAborted);
        var usage = new JsonArray();
        foreach (var group in entries.GroupBy(e => (e.Namespace, e.Entry.Day, e.Entry.Model)))
        {
            var row = UsageEndpoints.Sums(group.Select(e => e.Entry));
            row.Insert(0, "namespace", group.Key.Namespace);
            row.Insert(1, "day", UsageEndpoints.Text(group.Key.Day));
            row.Insert(2, "model", group.Key.Model);
            row.Insert(3, "engine", string.Join(",", group.Select(e => e.Entry.Engine).Distinct()));
            usage.Add(row);
        }
        var namespaces = new JsonArray();
        foreach (var group in entries.GroupBy(e => e.Namespace))
        {
            var row = UsageEndpoints.Sums(group.Select(e => e.Entry));
            row.Insert(0, "namespace", group.Key);
            namespaces.Add(row);
        }
        return TypedResults.Json(new JsonObject
        {
            ["from"] = UsageEndpoints.Text(from),
            ["to"] = UsageEndpoints.Text(to),
            ["usage"] = usage,
            ["namespaces"] = namespaces,
            ["totals"] = UsageEndpoints.Sums(entries.Select(e => e.Entry)),
        });
    }

    private static async Task<IResult> QueueAsync(HttpContext context, IGenerationStore generations, TimeProvider time)
    {
        var cancellationToken = context.RequestAborted;
        var now = time.GetUtcNow();
        var active = (await generations.CountByStatusAsync(cancellationToken)).Where(c => c.Status is "queued" or "processing").ToList();
        var oldest = new Dictionary<(string Namespace, string Model), DateTimeOffset>();
        foreach (var pair in active.Where(c => c.Status == "queued").OrderByDescending(c => c.Count).Take(MaxOldestLookups))
        {
            if (await generations.OldestQueuedAsync(pair.Namespace, pair.Model, cancellationToken) is { } at)
                oldest[(pair.Namespace, pair.Model)] = at;
        }
        var workers = await generations.ProcessingByWorkerAsync(cancellationToken);

        JsonObject Row(string name, string value, IEnumerable<StatusCount> counts, IEnumerable<DateTimeOffset> oldestOf)
        {
            var list = counts.ToList();
            DateTimeOffset? first = oldestOf.Any() ? oldestOf.Min() : null;
            return new JsonObject
            {
                [name] = value,
                ["queued"] = list.Where(c => c.Status == "queued").Sum(c => c.Count),
                ["processing"] = list.Where(c => c.Status == "processing").Sum(c => c.Count),
                ["oldest_queued_at"] = first?.ToUnixTimeSeconds(),
                ["oldest_queued_age_seconds"] = first is { } f ? Math.Max(0, (long)(now - f).TotalSeconds) : null,
            };
        }

        var models = active.GroupBy(c => c.Model).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (JsonNode)Row("model", g.Key, g, oldest.Where(o => o.Key.Model == g.Key).Select(o => o.Value))).ToArray();
        var namespaces = active.GroupBy(c => c.Namespace).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (JsonNode)Row("namespace", g.Key, g, oldest.Where(o => o.Key.Namespace == g.Key).Select(o => o.Value))).ToArray();
        return TypedResults.Json(new JsonObject
        {
            ["queued"] = active.Where(c => c.Status == "queued").Sum(c => c.Count),
            ["processing"] = active.Where(c => c.Status == "processing").Sum(c => c.Count),
            ["models"] = new JsonArray(models),
            ["namespaces"] = new JsonArray(namespaces),
            ["workers"] = new JsonArray(workers.Select(w => (JsonNode)new JsonObject { ["worker"] = w.WorkerId, ["processing"] = w.Processing }).ToArray()),
        });
    }
}
