using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Paddock.Fakes.DashScope.Tasks;

namespace Paddock.Fakes.DashScope.Endpoints;

/// <summary>
/// The result videos behind <c>video_url</c>: a signed link with its own expiry, no API key [r2v-result]. An expired
/// link answers as OSS does for an expired signature, 403 AccessDenied "Request has expired." (OSS's wording).
/// </summary>
internal static class ResultEndpoints
{
    public static void MapResultEndpoints(this IEndpointRouteBuilder app) => app.MapGet("/results/{file}", Download);

    private static IResult Download(string file, HttpContext context, FakeState fake)
    {
        var taskId = file.EndsWith(".mp4", StringComparison.Ordinal) ? file[..^4] : file;
        var task = fake.Runner.All.FirstOrDefault(t => t.Id == taskId);
        var snapshot = task?.Snapshot();
        if (snapshot is null || snapshot.Status != TaskStatuses.Succeeded || task!.VideoPath is null)
            return Answers.OssError(StatusCodes.Status404NotFound, "NoSuchKey", "The specified key does not exist.");

        var query = context.Request.Query;
        if (!long.TryParse(query["Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(query["Signature"].ToString()), Encoding.UTF8.GetBytes(fake.Sign(taskId, expires))))
            return Answers.OssError(StatusCodes.Status403Forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
        if (fake.Time.GetUtcNow().ToUnixTimeSeconds() > expires)
            return Answers.OssError(StatusCodes.Status403Forbidden, "AccessDenied", "Request has expired.");

        return Results.File(task.VideoPath, "video/mp4", enableRangeProcessing: true);
    }
}
