using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Paddock.Fakes.DashScope.Media;
using Paddock.Fakes.DashScope.Protocol;
using Paddock.Fakes.DashScope.Recording;
using Paddock.Fakes.DashScope.Tasks;

namespace Paddock.Fakes.DashScope.Endpoints;

/// <summary>Task creation: <c>POST /api/v1/services/aigc/video-generation/video-synthesis</c> [r2v], [t2v], [i2v].</summary>
internal static class VideoSynthesisEndpoints
{
    public const string Path = "/api/v1/services/aigc/video-generation/video-synthesis";

    public static void MapVideoSynthesisEndpoints(this IEndpointRouteBuilder app) => app.MapPost(Path, CreateAsync);

    private static async Task<IResult> CreateAsync(HttpContext context, FakeState fake)
    {
        if (fake.Authenticate(context.Request) is { } authError) return Answers.Error(authError);

        // [r2v]: X-DashScope-Async is required and must be "enable"; without it the call is refused [bg-gen].
        if (!string.Equals(context.Request.Headers["X-DashScope-Async"].ToString(), "enable", StringComparison.OrdinalIgnoreCase))
            return Answers.Error(DashScopeError.SynchronousCallRefused);

        if (fake.Throttled()) return Answers.Error(DashScopeError.RateQuota);

        var body = context.Items[FakeDashScope.RecordedKey] is RecordedRequest recorded ? recorded.Body : "";
        var (request, invalid) = VideoRequest.Read(body);
        if (invalid is not null) return Answers.Error(invalid);

        // [errors]: the input is inspected before the task exists; a refused prompt is a 400, no task, no charge.
        if (fake.Options.RefusalStage == RefusalStage.Create && FakeDashScope.IsRefused(fake.Options, request!.Prompt))
            return Answers.Error(DashScopeError.InputInspectionFailed);

        // [upload]: oss:// media resolve only when the call says X-DashScope-OssResourceResolve: enable.
        var resolveOss = string.Equals(context.Request.Headers["X-DashScope-OssResourceResolve"].ToString(), "enable", StringComparison.OrdinalIgnoreCase);
        IReadOnlyList<FetchedMedia>? media = null;
        if (fake.Options.ReferenceCheck == ReferenceCheck.AtCreate)
        {
            // [bg-gen], [errors]: the data inspection downloads each media URL now; one it cannot get is a 400 of this call.
            var (fetched, fetchError) = await fake.Fetcher.FetchAllAsync(request!, resolveOss, context.RequestAborted);
            if (fetchError is not null) return Answers.Error(fetchError);
            media = fetched;
        }

        var headers = context.Items[FakeDashScope.RecordedKey] is RecordedRequest r ? r.Headers : new Dictionary<string, string>();
        var task = new FakeTask(Guid.NewGuid().ToString("D"), Wire.NewRequestId(), request!, fake.Time.GetUtcNow(), headers)
        {
            Media = media,
            ResolveOss = resolveOss,
        };
        fake.Runner.Start(task);
        // [r2v]: {"request_id","output":{"task_id","task_status":"PENDING"}}
        return Answers.Json(new TaskAnswer(task.RequestId, new TaskOutput(task.Id, TaskStatuses.Pending)));
    }
}
