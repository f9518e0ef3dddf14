using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Paddock.Fakes.DashScope.Protocol;

namespace Paddock.Fakes.DashScope.Endpoints;

/// <summary>
/// The temporary file upload [upload]: step 1 <c>GET /api/v1/uploads?action=getPolicy&amp;model=…</c>; step 2 a form POST to
/// the <c>upload_host</c> it names (here <c>/oss</c> on the fake itself), OSS PostObject style [oss-post], [sdk] oss_utils.
/// </summary>
internal static class UploadEndpoints
{
    public const string OssPath = "/oss";

    public static void MapUploadEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/uploads", GetPolicy);
        app.MapPost(OssPath, PostObjectAsync);
    }

    private static IResult GetPolicy(HttpContext context, FakeState fake)
    {
        if (fake.Authenticate(context.Request) is { } authError) return Answers.Error(authError);
        // [upload]: "available only in the China (Beijing) region". What other regions answer is not documented (decided).
        if (!fake.Options.TemporaryUploads)
            return Answers.Error(new DashScopeError(403, "AccessDenied", "Temporary file upload is available only in the China (Beijing) region."));
        if (context.Request.Query["action"] != "getPolicy")
            return Answers.Error(DashScopeError.InvalidParameter("action must be getPolicy."));
        var model = context.Request.Query["model"].ToString();
        if (model.Length == 0) return Answers.Error(DashScopeError.InvalidParameter("model is required: uploaded files are bound to the model that will use them."));
        var policy = fake.Storage.Issue(model);
        var host = $"{context.Request.Scheme}://{context.Request.Host}{OssPath}";
        return Answers.Json(new UploadPolicyAnswer(Wire.NewRequestId(), fake.Storage.Describe(policy, host)));
    }

    private static async Task<IResult> PostObjectAsync(HttpContext context, FakeState fake)
    {
        var contentType = context.Request.ContentType ?? "";
        var boundary = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? HeaderUtilities.RemoveQuotes(parsed.Boundary).Value : null;
        if (!contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(boundary))
            return Answers.OssError(StatusCodes.Status400BadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");

        // [oss-post]: "The file must be the last field": fields after it are not read.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        byte[]? file = null;
        var reader = new MultipartReader(boundary, context.Request.Body);
        try
        {
            while (file is null && await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (name == "file")
                {
                    using var buffer = new MemoryStream();
                    await section.Body.CopyToAsync(buffer, context.RequestAborted);
                    file = buffer.ToArray();
                }
                else
                {
                    using var text = new StreamReader(section.Body, Encoding.UTF8);
                    fields[name] = await text.ReadToEndAsync(context.RequestAborted);
                }
            }
        }
        catch (IOException)
        {
            return Answers.OssError(StatusCodes.Status400BadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");
        }

        if (fake.Storage.Accept(fields, file) is { } refusal)
        {
            var status = refusal.Code switch
            {
                "MalformedPOSTRequest" or "EntityTooLarge" => StatusCodes.Status400BadRequest,
                "FileAlreadyExists" => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status403Forbidden,
            };
            return Answers.OssError(status, refusal.Code, refusal.Message);
        }
        // PostObject answers 204 unless success_action_status asks for 200 or 201; the SDK sends 200 [sdk] oss_utils.
        return fields.TryGetValue("success_action_status", out var wanted) && wanted is "200" or "201"
            ? Results.StatusCode(int.Parse(wanted, System.Globalization.CultureInfo.InvariantCulture))
            : Results.NoContent();
    }
}
