using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using Paddock.Fakes.ComfyUI.Logging;
using Paddock.Fakes.ComfyUI.Storage;

namespace Paddock.Fakes.ComfyUI.Endpoints;

/// <summary>POST /upload/image and GET /view (server.py image_upload and view_image).</summary>
internal static class FileEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private static readonly HashSet<string> ForcedDownload = ["text/html", "text/html-sandboxed", "application/xhtml+xml", "text/javascript", "text/css"];

    public static void MapFileEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapBoth("POST", "/upload/image", UploadAsync);
        app.MapBoth("GET", "/view", View);
    }

    /// <summary>
    /// Multipart fields: image (the file), type (input by default), subfolder, overwrite ("true" or "1").
    /// Without overwrite an existing name becomes "name (1).ext", unless the bytes are the same file. Any file type
    /// is taken (videos too). Answers {"name", "subfolder", "type"}: always load the file by the name answered.
    /// </summary>
    private static async Task<IResult> UploadAsync(HttpRequest request, ServerState s)
    {
        var max = s.Options.MaxUploadBytes;
        if (request.ContentLength > max)
            return Results.Text($"Maximum request body size {max} exceeded, actual body size {request.ContentLength}", "text/plain; charset=utf-8", statusCode: 413);
        if (s.Options.RefuseUploads) return ServerState.ServerError();
        if (!request.HasFormContentType) return ServerState.Empty(400);

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return ServerState.Empty(400);
        }
        var image = form.Files["image"];
        if (image is null) return ServerState.Empty(400);
        if (image.Length > max)
            return Results.Text($"Maximum request body size {max} exceeded, actual body size {image.Length}", "text/plain; charset=utf-8", statusCode: 413);
        var fileName = image.FileName;
        if (string.IsNullOrEmpty(fileName)) return ServerState.Empty(400);

        var type = form.TryGetValue("type", out var t) ? t.ToString() : "input";
        var uploadDir = s.Folders.ByType(type);
        if (uploadDir is null) return ServerState.ServerError();  // get_dir_by_type leaves type_dir unbound: UnboundLocalError
        var subfolder = form.TryGetValue("subfolder", out var sf) ? sf.ToString() : "";
        var folder = FakeFolders.Inside(uploadDir, subfolder);
        var path = folder is null ? null : FakeFolders.Inside(uploadDir, subfolder, fileName);
        if (folder is null || path is null) return ServerState.Empty(400);
        Directory.CreateDirectory(folder);

        var overwrite = form.TryGetValue("overwrite", out var o) && o.ToString() is "true" or "1";
        byte[] bytes;
        await using (var stream = image.OpenReadStream())
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            bytes = buffer.ToArray();
        }
        var duplicate = false;
        if (!overwrite)
        {
            var stem = Path.GetFileNameWithoutExtension(fileName);
            var extension = Path.GetExtension(fileName);
            for (var i = 1; File.Exists(path); i++)
            {
                if (SHA256.HashData(await File.ReadAllBytesAsync(path)).AsSpan().SequenceEqual(SHA256.HashData(bytes)))
                {
                    duplicate = true;  // same bytes under that name already: keep the name, write nothing
                    break;
                }
                fileName = $"{stem} ({i.ToString(CultureInfo.InvariantCulture)}){extension}";
                path = Path.Combine(folder, fileName);
            }
        }
        if (!duplicate) await File.WriteAllBytesAsync(path!, bytes);
        var stored = fileName;
        s.Log.Add((seq, at) => new ImageUploaded(seq, at, image.FileName, stored, subfolder, type, bytes.LongLength, overwrite));
        return ServerState.Json(new JsonObject { ["name"] = fileName, ["subfolder"] = subfolder, ["type"] = type });
    }

    /// <summary>?filename=&amp;subfolder=&amp;type= (output by default): the file itself, with Range support.</summary>
    private static IResult View(HttpRequest request, ServerState s)
    {
        if (!request.Query.TryGetValue("filename", out var f)) return ServerState.Empty(404);
        var filename = f.ToString();
        string? dir = null;
        foreach (var (suffix, folder) in new[] { (" [output]", s.Folders.Output), (" [input]", s.Folders.Input), (" [temp]", s.Folders.Temp) })
        {
            if (!filename.EndsWith(suffix, StringComparison.Ordinal)) continue;
            filename = filename[..^suffix.Length];
            dir = folder;
            break;
        }
        if (filename.Length == 0 || filename[0] == '/' || filename.Contains("..", StringComparison.Ordinal)) return ServerState.Empty(400);
        dir ??= s.Folders.ByType(request.Query.TryGetValue("type", out var t) ? t.ToString() : "output");
        if (dir is null) return ServerState.Empty(400);
        if (request.Query.TryGetValue("subfolder", out var sub))
        {
            dir = FakeFolders.Inside(dir, sub.ToString());
            if (dir is null) return ServerState.Empty(403);
        }
        var name = Path.GetFileName(filename);
        var file = Path.Combine(dir, name);
        if (!File.Exists(file)) return ServerState.Empty(404);
        if (!ContentTypes.TryGetContentType(name, out var contentType) || ForcedDownload.Contains(contentType)) contentType = "application/octet-stream";
        request.HttpContext.Response.Headers[HeaderNames.ContentDisposition] = $"filename=\"{name}\"";
        return Results.File(file, contentType, enableRangeProcessing: true);
    }
}
