using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Paddock.Core.Files;
using Paddock.Core.Retention;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// File hosting at <c>/api/repos/{namespace}/{repo}/file/{branch}/{path}</c>, so reference images can
/// live on the server itself: multipart upload (the repository is created on first upload), and
/// download with its content type, ETag and Range. Keys of the namespace write and read; anyone
/// with a signed URL reads.
/// </summary>
public static class FileEndpoints
{
    /// <summary>The most of an oversized upload read and thrown away after its 413 (see the body limit below).</summary>
    private const long MaxDrainBytes = 64L * 1024 * 1024;

    private const string Route = "/api/repos/{ns}/{repo}/file/{branch}/{**path}";
    private const string PinRoute = "/api/repos/{ns}/{repo}/pin/{branch}/{**path}";

    public static void MapFileEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPut(Route, UploadAsync).DisableAntiforgery().WithTags("Files")
            .Doc("UploadFiles", "Upload files", "multipart/form-data: 'file' writes the path; 'files[]' go into the path as a directory. The repository is created on first upload; identical bytes are stored once.")
            .RequiresApiKey()
            .Takes(ApiSchemas.FileUpload, "multipart/form-data")
            .Returns(200, ApiSchemas.FileUploadResult)
            .Errors(400, 403, 408, 409, 413);
        app.MapMethods(Route, ["GET", "HEAD"], DownloadAsync).WithTags("Files")
            .Doc("DownloadFile", "Download a file", "With a key of the namespace (another namespace's key gets 404), or without a key at a signed_url. Content type, ETag and Range.")
            .KeyOrSignedUrl()
            .ReturnsBytes(200, "The file, with the content type it was stored with.", "*/*")
            .ReturnsBytes(206, "The part of the file a Range asked for.", "*/*")
            .ReturnsNoBody(304, "If-None-Match matched.")
            .Errors(401, 403, 404, 410, 416);
        app.MapDelete(Route, DeleteAsync).WithTags("Files")
            .Doc("DeleteFile", "Delete a file", "The file goes for good; its bytes too unless another file (of any repository or namespace) holds the same content. Only a key of the namespace; another namespace's key gets 404 and nothing changes.")
            .RequiresApiKey()
            .Returns(200, ApiSchemas.FileDeleted)
            .Errors(404);
        app.MapPost(PinRoute, PinAsync).WithTags("Files")
            .Doc("PinFile", "Pin a file so it never expires", "The file with pinned true and expires_at null, whatever the retention setting. An expired file cannot come back (410): upload it again.")
            .RequiresApiKey()
            .Returns(200, ApiSchemas.RepoFile)
            .Errors(404, 410);
        app.MapDelete(PinRoute, UnpinAsync).WithTags("Files")
            .Doc("UnpinFile", "Unpin a file", "The file with pinned false; it expires under the retention setting again, counted from its last upload.")
            .RequiresApiKey()
            .Returns(200, ApiSchemas.RepoFile)
            .Errors(404, 410);
    }

    /// <summary>Files and fields together, as ASP.NET counts form parts.</summary>
    private const int MaxFormParts = 1024;
    private const int MaxPartHeaders = 16;
    private const int MaxPartHeaderBytes = 16 * 1024;
    /// <summary>A text field (<c>message</c>, <c>name</c>): 64 KB, as ASP.NET bounds a url-encoded form's values.</summary>
    private const int MaxFieldBytes = 64 * 1024;
    /// <summary>Room for boundaries and part headers on top of the files' own bytes.</summary>
    private const int FormOverhead = 64 * 1024;
    /// <summary>RFC 2046: a boundary is 1 to 70 characters.</summary>
    private const int MaxBoundaryLength = 70;

    private static async Task<IResult> UploadAsync(string ns, string repo, string branch, string? path,
        HttpContext context, FileService files, IFileStore store, SignedUrls urls, IOptions<Core.Files.FileOptions> options, RetentionPolicy retention)
    {
        var caller = ApiKeyAuthentication.NamespaceOf(context);
        if (caller != ns) return ApiErrors.Forbidden($"namespace: this key belongs to namespace '{caller}' and cannot write to '{ns}'; upload to /api/repos/{caller}/...");
        if ((FilePaths.ProblemWithName("repo", repo) ?? FilePaths.ProblemWithName("branch", branch)) is { } problem) return ApiErrors.InvalidParams(problem);
        if (FilePaths.Normalize(path) is not { } target) return ApiErrors.InvalidParams($"path: '{path}' must be plain segments without '.', '..' or '\\'");
        // A url-encoded form cannot carry a file; say so before reading it.
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return ApiErrors.InvalidParams("body: send multipart/form-data with the file in a field named 'file' (or 'files[]' for several)");

        var limit = options.Value.MaxUploadBytes;
        var bodyLimit = limit + FormOverhead;
        // The form reader stops at bodyLimit itself. Kestrel's own limit is set higher, so that the rest of a body sent
        // without a Content-Length is still read (and thrown away) after the 413: a connection closed with bytes unread
        // is reset, and a client still sending would see the reset instead of the 413.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
            sizeLimit.MaxRequestBodySize = bodyLimit + Math.Min(limit, MaxDrainBytes);
        if (context.Request.ContentLength > bodyLimit) return TooLarge(limit);

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).ToString();
        if (boundary.Length is 0 or > MaxBoundaryLength)
            return ApiErrors.InvalidParams($"Content-Type: multipart/form-data needs a boundary of 1 to {MaxBoundaryLength} characters (e.g. 'multipart/form-data; boundary=x7f'); curl -F sets it for you");
        var read = await MultipartUpload.ReadAsync(context, boundary, new FormLimits(bodyLimit, MaxFormParts, MaxPartHeaders, MaxPartHeaderBytes, MaxFieldBytes), context.RequestAborted);
        if (read.Problem is { } unreadable) return UnreadableForm(unreadable, boundary, limit, read.Field, read.FieldBytes);
        var form = read.Form!;

        var single = form.Files.GetFiles("file");
        var many = form.Files.GetFiles("files[]").Concat(form.Files.GetFiles("files")).ToList();
        if (single.Count + many.Count == 0)
            return ApiErrors.InvalidParams("file: no file in the form; send it in a field named 'file' (or 'files[]' for several)");
        if (single.Count > 1)
            return ApiErrors.InvalidParams($"file: the form has {single.Count} 'file' parts but the path names one file; send one 'file' per request, or send several as 'files[]' to a directory path");
        if (single.Count == 1 && many.Count > 0)
            return ApiErrors.InvalidParams("file: the form has both 'file' and 'files[]' parts; send one 'file' to write the path, or only 'files[]' to upload into it as a directory");

        // 'file' is a full-path upload, unless the path already is a directory (then it goes inside, as files[] do).
        var intoDirectory = many.Count > 0 || target.Length == 0 || await store.IsDirectoryAsync(ns, repo, branch, target, context.RequestAborted);
        var uploads = new List<(string Path, IFormFile File)>();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in single.Count == 1 ? single : many)
        {
            var filePath = target;
            if (intoDirectory)
            {
                var name = Path.GetFileName(file.FileName);
                if (FilePaths.ProblemWithName("filename", name) is { } bad) return ApiErrors.InvalidParams(bad);
                filePath = target.Length == 0 ? name : $"{target}/{name}";
                if (FilePaths.Normalize(filePath) != filePath) return ApiErrors.InvalidParams($"path: '{filePath}' is longer than 1024 characters; use a shorter directory or filename");
            }
            // Two parts for one path would keep only the last one's bytes.
            if (!paths.Add(filePath))
                return ApiErrors.InvalidParams($"files[]: two parts are named '{Path.GetFileName(filePath)}'; give each file its own name");
            uploads.Add((filePath, file));
        }

        var message = form["message"].ToString() is { Length: > 0 } m ? m : $"Upload {string.Join(", ", uploads.Select(u => u.Path))}";
        var author = form["name"].ToString() is { Length: > 0 } n ? n : caller;
        var contents = uploads.Select(u => new FileUpload(u.Path, u.File.OpenReadStream())).ToList();
        FileCommit commit;
        try
        {
            commit = await files.UploadAsync(ns, repo, branch, message, author, contents, CancellationToken.None);
        }
        catch (FilePathConflictException e)
        {
            return ApiErrors.Make(StatusCodes.Status409Conflict, "path_conflict", "A file and a directory cannot share a path.", e.Message);
        }
        finally
        {
            foreach (var content in contents) await content.Content.DisposeAsync();
        }

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
                ["pinned"] = stored.Pinned,
                ["expires_at"] = retention.ExpiresAt(stored)?.ToUnixTimeSeconds(),
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

    private static async Task<IResult> DownloadAsync(string ns, string repo, string branch, string? path, HttpContext context, FileService files, IFileStore store,
        SignedUrls urls, RetentionPolicy retention)
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

        if (await store.GetAsync(ns, repo, branch, target, context.RequestAborted) is { } file && retention.IsExpired(file))
            return ApiErrors.Expired(RetentionPolicy.ExpiredMessage($"the file {ns}/{repo}/{branch}/{target}", retention.ExpiresAt(file)!.Value) + "; upload it again to use it");
        var opened = await files.OpenAsync(ns, repo, branch, target, context.RequestAborted);
        if (opened is not { } found) return notFound;
        context.Response.Headers.CacheControl = "private, max-age=60";
        return new RangedDownload(TypedResults.Stream(found.Content, found.File.ContentType, lastModified: found.File.UpdatedAt,
            entityTag: new EntityTagHeaderValue($"\"{found.File.ContentHash}\""), enableRangeProcessing: true), found.File.Size);
    }

    /// <summary>Deletes a file of the key's namespace (another namespace's key: 404, nothing changes).</summary>
    private static async Task<IResult> DeleteAsync(string ns, string repo, string branch, string? path, HttpContext context, FileService files)
    {
        var notFound = ApiErrors.NotFound($"file not found: {ns}/{repo}/{branch}/{path}");
        if (ApiKeyAuthentication.NamespaceOf(context) != ns || FilePaths.Normalize(path) is not { Length: > 0 } target) return notFound;
        var deleted = await files.DeleteAsync(ns, repo, branch, target, CancellationToken.None);
        if (deleted is null) return notFound;
        return TypedResults.Json(new JsonObject { ["status"] = "success", ["status_message"] = "deleted", ["path"] = deleted.Path });
    }

    private static Task<IResult> PinAsync(string ns, string repo, string branch, string? path, HttpContext context, IFileStore store, RetentionPolicy retention) =>
        SetPinnedAsync(ns, repo, branch, path, pinned: true, context, store, retention);

    private static Task<IResult> UnpinAsync(string ns, string repo, string branch, string? path, HttpContext context, IFileStore store, RetentionPolicy retention) =>
        SetPinnedAsync(ns, repo, branch, path, pinned: false, context, store, retention);

    private static async Task<IResult> SetPinnedAsync(string ns, string repo, string branch, string? path, bool pinned, HttpContext context, IFileStore store, RetentionPolicy retention)
    {
        var notFound = ApiErrors.NotFound($"file not found: {ns}/{repo}/{branch}/{path}");
        if (ApiKeyAuthentication.NamespaceOf(context) != ns || FilePaths.Normalize(path) is not { Length: > 0 } target) return notFound;
        var before = await store.GetAsync(ns, repo, branch, target, context.RequestAborted);
        if (before is null) return notFound;
        var expired = RetentionPolicy.ExpiredMessage($"the file {ns}/{repo}/{branch}/{target}", retention.ExpiresAt(before) ?? before.UpdatedAt) + "; upload it again, then pin it";
        if (retention.IsExpired(before)) return ApiErrors.Expired(expired);
        var file = await store.SetPinnedAsync(ns, repo, branch, target, pinned, CancellationToken.None);
        if (file is null) return notFound;
        if (file.ExpiredAt is not null) return ApiErrors.Expired(expired);
        return TypedResults.Json(new JsonObject
        {
            ["path"] = file.Path,
            ["size"] = file.Size,
            ["content_type"] = file.ContentType,
            ["hash"] = file.ContentHash,
            ["updated_at"] = file.UpdatedAt.ToUnixTimeSeconds(),
            ["pinned"] = file.Pinned,
            ["expires_at"] = retention.ExpiresAt(file)?.ToUnixTimeSeconds(),
            ["expired_at"] = file.ExpiredAt?.ToUnixTimeSeconds(),
        });
    }

    private static IResult TooLarge(long limit) =>
        ApiErrors.PayloadTooLarge($"upload: over the limit of {limit} bytes ({limit / (1024 * 1024)} MB) per request");

    /// <summary>The 400 (or 413) for a form that could not be read, naming the limit it hit where there is one.</summary>
    private static IResult UnreadableForm(FormProblem problem, string boundary, long limit, string? field, long fieldBytes) => problem switch
    {
        FormProblem.TooLarge => TooLarge(limit),
        FormProblem.TooManyParts => ApiErrors.InvalidParams($"body: the form has more than {MaxFormParts} parts; send at most {MaxFormParts} files and fields per request"),
        FormProblem.TooManyHeaders => ApiErrors.InvalidParams($"body: a part has more than {MaxPartHeaders} headers; send at most {MaxPartHeaders} per part"),
        FormProblem.UnreadableHeaders => ApiErrors.InvalidParams(
            $"body: a part's headers are longer than {MaxPartHeaderBytes} bytes (16 KB) or are not 'Name: value' lines (or the text before the form's first boundary is that long); "
            + "shorten its name, filename or other headers"),
        FormProblem.UnnamedPart => ApiErrors.InvalidParams("body: a part has no 'Content-Disposition: form-data; name=\"...\"' header; send the file in a field named 'file' (or 'files[]' for several)"),
        FormProblem.TooSlow => ApiErrors.BodyTooSlow(),
        FormProblem.FieldTooLong => ApiErrors.InvalidParams($"{field}: is {fieldBytes} bytes; a form field takes at most {MaxFieldBytes} bytes (64 KB)"),
        _ => ApiErrors.InvalidParams($"body: the multipart form could not be read (it ends before the closing boundary '--{boundary}--'); send multipart/form-data with a 'file' or 'files[]' part"),
    };
}
