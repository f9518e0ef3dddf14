using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints.OpenAI;

/// <summary>
/// A create (or remix) request as the other API's clients send it, before it meets the catalog. Fields from openai-node
/// src/resources/videos.ts <c>VideoCreateParams</c>: <c>prompt</c>, <c>model</c>, <c>size</c>, <c>seconds</c>,
/// <c>input_reference</c> (a file, or <c>{image_url}</c> — "a fully qualified URL or base64-encoded data URL" —
/// or <c>{file_id}</c>, which needs the other API's Files API that Paddock does not have).
/// </summary>
public sealed record VideoRequest(string? Prompt, string? Model, string? Size, string? Seconds, string? ImageUrl);

/// <summary>
/// Reads a request as JSON or as a multipart form (the official SDKs send create as multipart, openai-node's
/// <c>multipartFormRequestOptions</c>; a nested object goes as <c>input_reference[image_url]</c>, its
/// <c>addFormValue</c>). Every problem answers in the other API's error shape, naming the field.
/// </summary>
public static class VideoRequests
{
    /// <summary>The other API's own limit on an <c>image_url</c> (its reference gives maxLength 20971520).</summary>
    public const int MaxImageUrlLength = 20_971_520;

    /// <summary>A reference image is at most 10 MB (docs/API.md); the form's other fields are short.</summary>
    private const long MaxFormBytes = 32L * 1024 * 1024;

    private const int MaxImageBytes = 10 * 1024 * 1024;

    public static async Task<(VideoRequest? Request, IResult? Error)> ReadAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "";
        if (contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)) return await ReadFormAsync(context);
        if (context.Request.ContentLength == 0 && contentType.Length == 0)
            return (null, OpenAIErrors.BadRequest("prompt: is required; send a JSON body or a multipart form with at least 'prompt'", "prompt"));
        var (body, error) = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        if (error is not null) return (null, error);
        using (body)
        {
            var root = body!.Document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, OpenAIErrors.BadRequest("body: must be a JSON object with at least \"prompt\"", null));
            var problems = new List<(string Message, string Param)>();
            var prompt = Text(root, "prompt", problems);
            var model = Text(root, "model", problems);
            var size = Text(root, "size", problems);
            string? seconds = null;
            if (root.TryGetProperty("seconds", out var s))
            {
                // The reference types it as a string ("4"); some of the other API's own docs show a number. Both are read.
                if (s.ValueKind == JsonValueKind.String) seconds = s.GetString();
                else if (s.ValueKind == JsonValueKind.Number) seconds = s.GetRawText();
                else if (s.ValueKind != JsonValueKind.Null) problems.Add(("seconds: must be a string such as \"8\"", "seconds"));
            }
            string? imageUrl = null;
            if (root.TryGetProperty("input_reference", out var reference))
            {
                switch (reference.ValueKind)
                {
                    case JsonValueKind.String: imageUrl = reference.GetString(); break;
                    case JsonValueKind.Object:
                        if (reference.TryGetProperty("file_id", out var fileId) && fileId.ValueKind != JsonValueKind.Null)
                            problems.Add((FileIdProblem, "input_reference"));
                        else if (reference.TryGetProperty("image_url", out var url) && url.ValueKind == JsonValueKind.String) imageUrl = url.GetString();
                        else problems.Add(("input_reference: must be {\"image_url\": \"https://… or data:image/…;base64,…\"}", "input_reference"));
                        break;
                    case JsonValueKind.Null: break;
                    default: problems.Add(("input_reference: must be an object with image_url (or, in a multipart form, an image file)", "input_reference")); break;
                }
            }
            if (problems.Count > 0) return (null, OpenAIErrors.BadRequest(string.Join("; ", problems.Select(p => p.Message)), problems[0].Param));
            if (imageUrl is { Length: > MaxImageUrlLength })
                return (null, OpenAIErrors.BadRequest($"input_reference: image_url is {imageUrl.Length} characters; at most {MaxImageUrlLength} are accepted", "input_reference"));
            return (new VideoRequest(prompt, model, size, seconds, imageUrl), null);
        }
    }

    private const string FileIdProblem =
        "input_reference: file_id needs the Files API, which Paddock does not have; send the image as a file in a multipart form, or as image_url (an http(s) or data: URL)";

    private static string? Text(JsonElement root, string name, List<(string, string)> problems)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        problems.Add(($"{name}: must be a string", name));
        return null;
    }

    private static async Task<(VideoRequest?, IResult?)> ReadFormAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxFormBytes)
            return (null, OpenAIErrors.Make(StatusCodes.Status413PayloadTooLarge, $"body: over the limit of {MaxFormBytes} bytes (an input_reference image is at most 10 MB)",
                OpenAIErrors.InvalidRequest, null, "payload_too_large"));
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) || HeaderUtilities.RemoveQuotes(type.Boundary).ToString() is not { Length: > 0 and <= 200 } boundary)
            return (null, OpenAIErrors.BadRequest("Content-Type: multipart/form-data needs a boundary", null));
        var read = await MultipartUpload.ReadAsync(context, boundary, new FormLimits(MaxFormBytes, MaxParts: 16, MaxPartHeaders: 16, MaxPartHeaderBytes: 16 * 1024,
            MaxFieldBytes: MaxImageUrlLength), context.RequestAborted);
        if (read.Problem is { } problem)
        {
            return (null, problem switch
            {
                FormProblem.TooLarge => OpenAIErrors.Make(StatusCodes.Status413PayloadTooLarge, $"body: over the limit of {MaxFormBytes} bytes", OpenAIErrors.InvalidRequest, null, "payload_too_large"),
                FormProblem.TooSlow => ApiErrors.BodyTooSlow(),
                FormProblem.FieldTooLong => OpenAIErrors.BadRequest($"{read.Field}: is {read.FieldBytes} bytes; at most {MaxImageUrlLength} are accepted", read.Field),
                _ => OpenAIErrors.BadRequest($"body: the multipart form could not be read ({problem})", null),
            });
        }
        var form = read.Form!;
        string? imageUrl = null;
        var file = form.Files.GetFile("input_reference");
        if (file is not null)
        {
            if (file.Length > MaxImageBytes)
                return (null, OpenAIErrors.BadRequest($"input_reference: the file is {file.Length} bytes; an image is at most {MaxImageBytes} bytes (10 MB)", "input_reference"));
            using var bytes = new MemoryStream((int)file.Length);
            await file.CopyToAsync(bytes, context.RequestAborted);
            // Judged by its bytes later (JPEG or PNG by magic number), as every reference is: the declared type is only carried.
            var declared = string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType;
            imageUrl = $"data:{declared};base64,{Convert.ToBase64String(bytes.GetBuffer(), 0, (int)bytes.Length)}";
        }
        else if (Field(form, "input_reference[file_id]") is not null) return (null, OpenAIErrors.BadRequest(FileIdProblem, "input_reference"));
        else imageUrl = Field(form, "input_reference[image_url]") ?? Field(form, "input_reference");
        return (new VideoRequest(Field(form, "prompt"), Field(form, "model"), Field(form, "size"), Field(form, "seconds"), imageUrl), null);
    }

    private static string? Field(IFormCollection form, string name) => form.TryGetValue(name, out var value) && value.Count > 0 ? value[^1] : null;
}
