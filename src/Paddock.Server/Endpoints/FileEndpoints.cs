using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Files;
using Paddock.Server.Http;

namespace Paddock.Server.Endpoints;

/// <summary>
/// File hosting at <c>/api/repos/{namespace}/{repo}/file/{branch}/{path}</c>, so reference images can
/// live on the server itself: multipart upload (the repository is created on first upload), and
/// download with its content type, ETag and Range. Keys of the namespace write and read; anyone
/// with a signed URL reads.
/// </summary>
public static class FileEndpoints
{
    private const string Route = "/api/repos/{ns}/{repo}/file/{branch}/{**path}";

    public static void MapFileEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPut(Route, UploadAsync).DisableAntiforgery();
        app.MapMethods(Route, ["GET", "HEAD"], DownloadAsync);
    }

    private static async Task<IResult> UploadAsync(string ns, string repo, string branch, string? path,
        HttpContext context, FileService files, IFileStore store, SignedUrls urls, IOptions<Core.Files.FileOptions> options)
    {
        var caller = ApiKeyAuthentication.NamespaceOf(context);
        if (caller != ns) return ApiErrors.Forbidden($"this key belongs to namespace '{caller}' and cannot write to '{ns}'");
        var target = FilePaths.Normalize(path);
        var problem = FilePaths.ProblemWithName("repo", repo) ?? FilePaths.ProblemWithName("branch", branch)
            ?? (target is null ? $"path: '{path}' must be plain segments without '.', '..' or '\\'" : null);
        if (problem is not null) return ApiErrors.InvalidParams(problem);
        if (!context.Request.HasFormContentType)
            return ApiErrors.InvalidParams("body: send multipart/form-data with the file in a field named 'file' (or 'files[]' for several)");

        var limit = options.Value.MaxUploadBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit) sizeLimit.MaxRequestBodySize = limit + 64 * 1024;
        if (context.Request.ContentLength > limit + 64 * 1024) return TooLarge(limit);

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit, ValueLengthLimit = 64 * 1024 }, context.RequestAborted);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return TooLarge(limit);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }
        catch (InvalidDataException e)
        {
            return ApiErrors.InvalidParams($"body: the multipart form could not be read ({e.Message})");
        }

        var single = form.Files.GetFiles("file");
        var many = form.Files.GetFiles("files[]").Concat(form.Files.GetFiles("files")).ToList();
        if (single.Count + many.Count == 0)
            return ApiErrors.InvalidParams("file: no file in the form; send it in a field named 'file' (or 'files[]' for several)");

        // 'file' is a full-path upload, unless the path already is a directory (then it goes inside, as files[] do).
        var intoDirectory = target!.Length == 0 || await store.IsDirectoryAsync(ns, repo, branch, target, context.RequestAborted);
        var uploads = new List<FileUpload>();
        foreach (var file in single.Concat(many))
        {
            var name = Path.GetFileName(file.FileName);
            var isDirectoryUpload = many.Contains(file) || intoDirectory;
            if (isDirectoryUpload && FilePaths.ProblemWithName("filename", name) is { } bad) return ApiErrors.InvalidParams(bad);
            var filePath = isDirectoryUpload ? (target.Length == 0 ? name : $"{target}/{name}") : target;
            if (filePath.Length == 0) return ApiErrors.InvalidParams("path: name the file to write, e.g. /file/main/images/cat.png");
            uploads.Add(new FileUpload(filePath, file.OpenReadStream()));
        }

        var message = form["message"].ToString() is { Length: > 0 } m ? m : $"Upload {string.Join(", ", uploads.Select(u => u.Path))}";
        var author = form["name"].ToString() is { Length: > 0 } n ? n : caller;
        var commit = await files.UploadAsync(ns, repo, branch, message, author, uploads, CancellationToken.None);
        foreach (var upload in uploads) await upload.Content.DisposeAsync();

        var written = new JsonArray();
        foreach (var upload in uploads)
        {
            var stored = (await store.GetAsync(ns, repo, branch, upload.Path, context.RequestAborted))!;
            var route = new FileRoute(ns, repo, branch, upload.Path);
            written.Add(new JsonObject
            {
                ["path"] = upload.Path,
                ["size"] = stored.Size,
                ["content_type"] = stored.ContentType,
                ["hash"] = stored.ContentHash,
                ["url"] = urls.BaseUrl(context.Request) + route.UrlPath,
                ["signed_url"] = urls.Sign(context.Request, route.UrlPath).Url,
            });
        }
        return TypedResults.Json(new JsonObject
        {
            ["status"] = "success",
            ["status_message"] = "resource_created",
            ["commit"] = new JsonObject
            {
                ["id"] = commit.Id,
                ["message"] = commit.Message,
                ["author"] = commit.Author,
                ["email"] = null,
                ["parent_ids"] = commit.ParentId is null ? new JsonArray() : new JsonArray(commit.ParentId),
                ["timestamp"] = commit.Timestamp.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            },
            ["files"] = written,
        });
    }

    private static async Task<IResult> DownloadAsync(string ns, string repo, string branch, string? path, HttpContext context, FileService files, SignedUrls urls)
    {
        var caller = ApiKeyAuthentication.TryNamespaceOf(context);
        if (caller is null)
        {
            if (urls.Verify(context.Request) is { } refusal)
                return ApiErrors.Make(StatusCodes.Status403Forbidden, "forbidden", "This file URL cannot be used.", refusal);
        }
        var target = FilePaths.Normalize(path);
        var notFound = ApiErrors.NotFound($"file not found: {ns}/{repo}/{branch}/{path}");
        // Another namespace's key learns nothing, not even that the file exists.
        if ((caller is not null && caller != ns) || string.IsNullOrEmpty(target)) return notFound;

        var opened = await files.OpenAsync(ns, repo, branch, target, context.RequestAborted);
        if (opened is not { } found) return notFound;
        context.Response.Headers.CacheControl = "private, max-age=60";
        return TypedResults.Stream(found.Content, found.File.ContentType, lastModified: found.File.UpdatedAt,
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{found.File.ContentHash}\""), enableRangeProcessing: true);
    }

    private static IResult TooLarge(long limit) =>
        ApiErrors.PayloadTooLarge($"upload: over the limit of {limit} bytes ({limit / (1024 * 1024)} MB) per request");
}
