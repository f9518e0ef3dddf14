using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Paddock.Fakes.DashScope.Protocol;
using Paddock.Fakes.DashScope.Tasks;

namespace Paddock.Fakes.DashScope.Endpoints;

/// <summary>The general task API [tasks]: query one, cancel one, list many.</summary>
internal static class TaskEndpoints
{
    public static void MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/tasks/{taskId}", Query);
        app.MapPost("/api/v1/tasks/{taskId}/cancel", Cancel);
        app.MapGet("/api/v1/tasks", List); // routing also matches the SDK's "/api/v1/tasks/"
    }

    private static IResult Query(string taskId, HttpContext context, FakeState fake)
    {
        if (fake.Authenticate(context.Request) is { } authError) return Answers.Error(authError);
        var task = fake.Runner.Find(taskId);
        // [probe]: an id the provider does not know answers 200 with task_status UNKNOWN; so does an expired one [lifecycle].
        if (task is null) return Answers.Json(new TaskAnswer(Wire.NewRequestId(), new TaskOutput(taskId, TaskStatuses.Unknown)));

        var s = task.Snapshot();
        string? Time(DateTimeOffset? at) => at is { } t ? Wire.Time(t) : null;
        var output = s.Status switch
        {
            // [r2v-result]: times, orig_prompt and video_url on success, with usage beside output.
            TaskStatuses.Succeeded => new TaskOutput(s.TaskId, s.Status, Time(s.SubmittedAt), Time(s.ScheduledAt), Time(s.EndedAt),
                OrigPrompt: s.Prompt, VideoUrl: fake.VideoUrl(context.Request, s.TaskId, s.EndedAt!.Value + fake.Options.VideoUrlTtl)),
            // [bg-gen], [tasks]: a failed task carries code and message in output.
            TaskStatuses.Failed => new TaskOutput(s.TaskId, s.Status, Time(s.SubmittedAt), Time(s.ScheduledAt), Time(s.EndedAt), Code: s.Code, Message: s.Message),
            _ => new TaskOutput(s.TaskId, s.Status, Time(s.SubmittedAt), Time(s.ScheduledAt), Time(s.EndedAt)),
        };
        TaskUsage? usage = null;
        if (s.Status == TaskStatuses.Succeeded)
        {
            var request = s.Request;
            usage = new TaskUsage(request.Duration, InputVideoDuration: 0, OutputVideoDuration: request.Duration, VideoCount: 1,
                ModelCatalog.Tier(request.Resolution), request.Ratio);
        }
        return Answers.Json(new TaskAnswer(Wire.NewRequestId(), output, usage));
    }

    private static IResult Cancel(string taskId, HttpContext context, FakeState fake)
    {
        if (fake.Authenticate(context.Request) is { } authError) return Answers.Error(authError);
        var task = fake.Runner.Find(taskId);
        // [lifecycle]: only a PENDING task can be canceled; otherwise 400 UnsupportedOperation [errors]. An unknown id answers the same (decided).
        if (task is null || !task.TryCancel(fake.Time.GetUtcNow())) return Answers.Error(DashScopeError.CancelUnsupported);
        return Answers.Json(new CancelAnswer(Wire.NewRequestId()));
    }

    /// <summary>
    /// [sdk] list(): start_time, end_time, model_name, api_key_id, region, status, page_no (1), page_size (10);
    /// answer as [sdk-java]. Times are accepted as yyyyMMddHHmmss (Python SDK doc) or epoch milliseconds (Java SDK test);
    /// without a window the last 24 hours are listed, newest first (decided).
    /// </summary>
    private static IResult List(HttpContext context, FakeState fake)
    {
        if (fake.Authenticate(context.Request) is { } authError) return Answers.Error(authError);
        var query = context.Request.Query;
        var now = fake.Time.GetUtcNow();
        if (!TryTime(query["start_time"], now - TimeSpan.FromHours(24), out var from) || !TryTime(query["end_time"], now, out var to))
            return Answers.Error(DashScopeError.InvalidParameter("start_time and end_time must be yyyyMMddHHmmss or epoch milliseconds."));
        if (!TryPositive(query["page_no"], 1, out var pageNo) || !TryPositive(query["page_size"], 10, out var pageSize))
            return Answers.Error(DashScopeError.InvalidParameter("page_no and page_size must be positive integers."));
        var model = query["model_name"].ToString();
        var status = query["status"].ToString();

        var matching = fake.Runner.All
            .Where(t => fake.Runner.Find(t.Id) is not null)
            .Select(t => (Task: t, Snapshot: t.Snapshot()))
            .Where(x => x.Task.SubmittedAt >= from && x.Task.SubmittedAt <= to)
            .Where(x => model.Length == 0 || x.Task.Request.Model == model)
            .Where(x => status.Length == 0 || x.Snapshot.Status == status)
            .OrderByDescending(x => x.Task.SubmittedAt)
            .ToList();
        var items = matching.Skip((pageNo - 1) * pageSize).Take(pageSize).Select(x => new TaskListItem(
            ApiKeyId: "fake-api-key-id",
            CallerParentId: "1000000000000000",
            CallerUid: "1000000000000000",
            EndTime: x.Snapshot.EndedAt?.ToUnixTimeMilliseconds(),
            GmtCreate: x.Task.SubmittedAt.ToUnixTimeMilliseconds(),
            ModelName: x.Task.Request.Model,
            Region: fake.Options.Region,
            RequestId: x.Task.RequestId,
            StartTime: x.Snapshot.ScheduledAt?.ToUnixTimeMilliseconds(),
            Status: x.Snapshot.Status,
            TaskId: x.Task.Id,
            UserApiUniqueKey: $"apikey:v1:aigc:video-generation:video-synthesis:{x.Task.Request.Model}")).ToList();
        var totalPages = (matching.Count + pageSize - 1) / pageSize;
        return Answers.Json(new TaskListAnswer(Wire.NewRequestId(), items, matching.Count, totalPages, pageNo, pageSize));
    }

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset at)
    {
        at = fallback;
        if (string.IsNullOrEmpty(text)) return true;
        if (text.Length == 14 && DateTime.TryParseExact(text, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            at = new DateTimeOffset(local, TimeSpan.FromHours(8)); // the provider's clock is Beijing time (decided, as Wire.Time)
            return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var millis))
        {
            at = DateTimeOffset.FromUnixTimeMilliseconds(millis);
            return true;
        }
        return false;
    }

    private static bool TryPositive(string? text, int fallback, out int value)
    {
        value = fallback;
        if (string.IsNullOrEmpty(text)) return true;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
    }
}
