using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Engines.HappyHorse.Protocol;

/// <summary>The task statuses [lifecycle]: PENDING → RUNNING → SUCCEEDED | FAILED; PENDING → CANCELED; UNKNOWN for an id the provider does not know.</summary>
public static class TaskStatus
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Canceled = "CANCELED";
    public const string Unknown = "UNKNOWN";
}

/// <summary>
/// One answer of <c>GET /tasks/{id}</c> [r2v-result], [tasks]: the status, and on success the video URL (valid 24 hours)
/// and the prompt as the provider received it; on failure the task's own code and message [bg-gen].
/// </summary>
public sealed record TaskSnapshot(string TaskId, string Status, string? VideoUrl, string? OrigPrompt, string? Code, string? Message)
{
    internal static TaskSnapshot Read(JsonNode? root, string taskId)
    {
        var output = root?["output"] as JsonObject;
        return new TaskSnapshot(
            Text(output?["task_id"]) ?? taskId,
            (Text(output?["task_status"]) ?? TaskStatus.Unknown).ToUpperInvariant(),
            Text(output?["video_url"]),
            Text(output?["orig_prompt"]),
            Text(output?["code"]),
            Text(output?["message"]));
    }

    internal static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}

/// <summary>One item of the task list [sdk-java]: no prompt, no parameters, only who, what model, when and which status.</summary>
public sealed record TaskListItem(string TaskId, string? ModelName, string? Status, DateTimeOffset? CreatedAt);

public sealed record TaskListPage(IReadOnlyList<TaskListItem> Items, int TotalPages)
{
    internal static TaskListPage Read(JsonNode? root)
    {
        var items = new List<TaskListItem>();
        if (root?["data"] is JsonArray data)
        {
            foreach (var node in data.OfType<JsonObject>())
            {
                if (TaskSnapshot.Text(node["task_id"]) is not { } id) continue;
                // gmt_create is epoch milliseconds in the answer [sdk-java]: a zone-free instant, unlike the query's times.
                DateTimeOffset? created = node["gmt_create"] is JsonValue v && v.TryGetValue(out long millis) ? DateTimeOffset.FromUnixTimeMilliseconds(millis) : null;
                items.Add(new TaskListItem(id, TaskSnapshot.Text(node["model_name"]), TaskSnapshot.Text(node["status"]), created));
            }
        }
        var pages = root?["total_page"] is JsonValue p && p.TryGetValue(out int n) ? n : 1;
        return new TaskListPage(items, pages);
    }
}

/// <summary>The upload policy of step 1 of a temporary upload [upload], [sdk] oss_utils (the fields it reads).</summary>
public sealed record UploadPolicy(string Policy, string Signature, string UploadDir, Uri UploadHost, string AccessKeyId, string ObjectAcl, string ForbidOverwrite)
{
    internal static UploadPolicy? Read(JsonNode? root)
    {
        if (root?["data"] is not JsonObject data) return null;
        string? Field(string name) => TaskSnapshot.Text(data[name]);
        if (Field("policy") is not { } policy || Field("signature") is not { } signature || Field("upload_dir") is not { } dir
            || Field("oss_access_key_id") is not { } accessKeyId || !Uri.TryCreate(Field("upload_host"), UriKind.Absolute, out var host))
            return null;
        return new UploadPolicy(policy, signature, dir, host, accessKeyId, Field("x_oss_object_acl") ?? "private", Field("x_oss_forbid_overwrite") ?? "true");
    }
}

internal static class ProviderTime
{
    /// <summary>
    /// The task list's <c>start_time</c>/<c>end_time</c> as the Python SDK documents them, <c>yyyyMMddHHmmss</c> [sdk]. The
    /// zone is not documented; both regions' clocks are UTC+8, which the engine assumes — and it widens the window and
    /// filters on the answer's epoch <c>gmt_create</c>, so a wrong guess can only find nothing (and fail safe), never a wrong task.
    /// </summary>
    public static string ListTime(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
}
