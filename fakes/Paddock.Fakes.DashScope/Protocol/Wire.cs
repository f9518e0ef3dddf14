using System.Text.Json;
using System.Text.Json.Serialization;

namespace Paddock.Fakes.DashScope.Protocol;

// The JSON the provider answers, field for field. Sources: docs/providers/dashscope.md ([r2v], [r2v-result],
// [tasks], [sdk-java], [upload]). Names are snake_case except usage.SR, which the provider spells in capitals.

public sealed record ErrorAnswer(string RequestId, string Code, string Message);

public sealed record TaskAnswer(string RequestId, TaskOutput Output, TaskUsage? Usage = null);

/// <summary>
/// <c>output</c> of a create or query answer. Create answers only <c>task_id</c> and <c>task_status</c> [r2v]; a query adds the
/// times as they happen, <c>orig_prompt</c> and <c>video_url</c> on success [r2v-result], <c>code</c>/<c>message</c> on failure [bg-gen].
/// </summary>
public sealed record TaskOutput(
    string TaskId,
    string TaskStatus,
    string? SubmitTime = null,
    string? ScheduledTime = null,
    string? EndTime = null,
    string? OrigPrompt = null,
    string? VideoUrl = null,
    string? Code = null,
    string? Message = null);

/// <summary><c>usage</c>, only on SUCCEEDED [r2v-result].</summary>
public sealed record TaskUsage(
    int Duration,
    int InputVideoDuration,
    int OutputVideoDuration,
    int VideoCount,
    [property: JsonPropertyName("SR")] int Sr,
    string? Ratio);

/// <summary>The cancel answer. Not documented: the fake answers the request id alone (decided).</summary>
public sealed record CancelAnswer(string RequestId);

/// <summary>The task list answer [sdk-java].</summary>
public sealed record TaskListAnswer(string RequestId, IReadOnlyList<TaskListItem> Data, int Total, int TotalPage, int PageNo, int PageSize);

public sealed record TaskListItem(
    string ApiKeyId,
    string CallerParentId,
    string CallerUid,
    long? EndTime,
    long GmtCreate,
    string ModelName,
    string Region,
    string RequestId,
    long? StartTime,
    string Status,
    string TaskId,
    string UserApiUniqueKey);

/// <summary>The upload policy answer [upload], [sdk] (oss_utils reads exactly these fields).</summary>
public sealed record UploadPolicyAnswer(string RequestId, UploadPolicy Data);

public sealed record UploadPolicy(
    string Policy,
    string Signature,
    string UploadDir,
    string UploadHost,
    int ExpireInSeconds,
    int MaxFileSizeMb,
    int CapacityLimitMb,
    string OssAccessKeyId,
    string XOssObjectAcl,
    string XOssForbidOverwrite);

public static class Wire
{
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // URLs as the provider writes them ("&", not "\u0026").
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The provider's task times: <c>2026-04-25 15:03:25.848</c>, no zone [r2v-result]; written in Beijing time (decided).</summary>
    public static string Time(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);

    public static string NewRequestId() => Guid.NewGuid().ToString("D");
}
