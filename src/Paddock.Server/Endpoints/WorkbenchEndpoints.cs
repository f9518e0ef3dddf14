using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using Paddock.Server.Http;
using Paddock.Server.OpenApi;

namespace Paddock.Server.Endpoints;

/// <summary>
/// The workbench page (<c>/</c> and <c>/workbench/{model}</c>) and its static files, plus
/// <c>GET /api/whoami</c> so the page learns the key's namespace (it uploads reference images there).
/// The files are plain HTML, CSS and JavaScript modules in <c>wwwroot/</c>: nothing to build. They need
/// no key; everything the page shows comes from the API with the key the user enters.
/// </summary>
public static class WorkbenchEndpoints
{
    public static void MapWorkbenchEndpoints(this IEndpointRouteBuilder app)
    {
        var site = new WorkbenchSite();
        app.MapGet("/", site.Page).WithTags("Workbench").Doc("GetWorkbench", "The workbench page").ReturnsBytes(200, "The page.", "text/html");
        app.MapGet("/workbench", site.Page).WithTags("Workbench").Doc("GetWorkbenchAtPath", "The workbench page").ReturnsBytes(200, "The page.", "text/html");
        app.MapGet("/workbench/{model}", site.Page).WithTags("Workbench").Doc("GetWorkbenchForModel", "The workbench page, with a model chosen").Path("model", "The model the form opens with.").ReturnsBytes(200, "The page.", "text/html");
        // The page's own scripts and styles are not part of the API.
        app.MapGet("/{file:regex(^[A-Za-z0-9_-]+\\.(js|css|svg|png|ico)$)}", site.Asset).ExcludeFromDescription();
        app.MapGet("/api/whoami", WhoAmI).WithTags("Workbench")
            .Doc("WhoAmI", "The namespace of the key", "The workbench uploads reference images there.")
            .RequiresApiKey()
            .Returns(200, ApiSchemas.WhoAmI);
    }

    private static IResult WhoAmI(HttpContext context) =>
        TypedResults.Json(new Dictionary<string, string> { ["namespace"] = ApiKeyAuthentication.NamespaceOf(context) });

    /// <summary>
    /// The page's files, embedded in the server assembly at build time: the page works however the
    /// server was built, run, published or installed, with nothing to locate on disk. Served with
    /// an ETag of their content so a new server version shows at once.
    /// </summary>
    private sealed class WorkbenchSite
    {
        private const string IndexFile = "index.html";
        private const string ResourcePrefix = "Paddock.Workbench.";

        // The page loads only its own files; videos and reference thumbnails may come from wherever their URLs point.
        private const string PagePolicy =
            "default-src 'self'; img-src 'self' data: blob: http: https:; media-src 'self' blob: http: https:; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

        private static readonly FileExtensionContentTypeProvider ContentTypes = new();
        private readonly Dictionary<string, (byte[] Bytes, EntityTagHeaderValue Tag)> _files = Load();

        private static Dictionary<string, (byte[], EntityTagHeaderValue)> Load()
        {
            var assembly = typeof(WorkbenchEndpoints).Assembly;
            var files = new Dictionary<string, (byte[], EntityTagHeaderValue)>(StringComparer.Ordinal);
            foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                var bytes = buffer.ToArray();
                var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}\"");
                files[name[ResourcePrefix.Length..]] = (bytes, tag);
            }
            return files;
        }

        public IResult Page(HttpContext context)
        {
            context.Response.Headers.ContentSecurityPolicy = PagePolicy;
            // Output URLs carry their signature in the query: keep them out of Referer headers.
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return Serve(IndexFile, context);
        }

        public IResult Asset(string file, HttpContext context) => Serve(file, context);

        private IResult Serve(string name, HttpContext context)
        {
            if (!_files.TryGetValue(name, out var file))
                return ApiErrors.NotFound($"no route {context.Request.Method} {context.Request.Path}");
            if (!ContentTypes.TryGetContentType(name, out var contentType)) contentType = "application/octet-stream";
            if (contentType.StartsWith("text/", StringComparison.Ordinal)) contentType += "; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return TypedResults.Bytes(file.Bytes, contentType, entityTag: file.Tag);
        }
    }
}
