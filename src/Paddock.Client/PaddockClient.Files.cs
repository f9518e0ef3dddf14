using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Paddock.Client.Internal;

namespace Paddock.Client;

public sealed partial class PaddockClient
{
    /// <summary>The URL of a hosted file (<c>/api/repos/{namespace}/{repo}/file/{branch}/{path}</c>), e.g. to use as a reference image.</summary>
    /// <param name="ns">The namespace (user or organisation).</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">The file's path in the repository, e.g. <c>images/cat.png</c>.</param>
    /// <returns>The absolute URL.</returns>
    public Uri GetFileUri(string ns, string repo, string branch, string path) => _pipeline.Resolve(FileRoute(ns, repo, branch, path));

    /// <summary>Uploads one file from a stream to <paramref name="path"/> (<c>PUT</c> multipart, field <c>file</c>); the repository is created on first upload.</summary>
    /// <param name="ns">The namespace; must be the key's own.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">Where to write the file, e.g. <c>images/cat.png</c>; an existing directory gets the file inside it. It must name the file: a stream has no name to put in a folder.</param>
    /// <param name="content">The bytes, read from the current position. Retried only if the stream can seek.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commit and the file's URLs.</returns>
    public Task<FileUploadResult> UploadFileAsync(string ns, string repo, string branch, string path, Stream content, CancellationToken cancellationToken = default) =>
        UploadFileAsync(ns, repo, branch, path, content, message: null, cancellationToken);

    /// <summary>Uploads one file from a stream to <paramref name="path"/> (<c>PUT</c> multipart, field <c>file</c>) with a commit message.</summary>
    /// <param name="ns">The namespace; must be the key's own.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">Where to write the file, e.g. <c>images/cat.png</c>; it must name the file (a stream has no name to put in a folder).</param>
    /// <param name="content">The bytes, read from the current position. Retried only if the stream can seek.</param>
    /// <param name="message">The commit message; null for the server's default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commit and the file's URLs.</returns>
    public Task<FileUploadResult> UploadFileAsync(string ns, string repo, string branch, string path, Stream content, string? message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith('/')) throw new ArgumentException($"'{path}' names a folder; name the file too, e.g. {path}cat.png.", nameof(path));
        var name = LastSegment(path);
        var start = content.CanSeek ? content.Position : -1;
        var used = false;
        Stream Open()
        {
            if (start >= 0) content.Position = start;
            else if (used) throw new InvalidOperationException("the upload stream cannot seek, so it cannot be sent again");
            used = true;
            return content;
        }
        return UploadAsync(ns, repo, branch, path, [("file", name, Open, false)], message, retry: start >= 0, cancellationToken);
    }

    /// <summary>Uploads a local file to <paramref name="path"/> (<c>PUT</c> multipart, field <c>file</c>).</summary>
    /// <param name="ns">The namespace; must be the key's own.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">Where to write the file, e.g. <c>images/cat.png</c>; ending in <c>/</c> (<c>images/</c>), into that folder under the local file's name.</param>
    /// <param name="localFilePath">The file to send.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commit and the file's URLs.</returns>
    public Task<FileUploadResult> UploadFileAsync(string ns, string repo, string branch, string path, string localFilePath, CancellationToken cancellationToken = default) =>
        UploadFileAsync(ns, repo, branch, path, localFilePath, message: null, cancellationToken);

    /// <summary>Uploads a local file to <paramref name="path"/> (<c>PUT</c> multipart, field <c>file</c>) with a commit message.</summary>
    /// <param name="ns">The namespace; must be the key's own.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">Where to write the file, e.g. <c>images/cat.png</c>; ending in <c>/</c> (<c>images/</c>), into that folder under the local file's name.</param>
    /// <param name="localFilePath">The file to send.</param>
    /// <param name="message">The commit message; null for the server's default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commit and the file's URLs.</returns>
    public Task<FileUploadResult> UploadFileAsync(string ns, string repo, string branch, string path, string localFilePath, string? message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(localFilePath);
        if (!File.Exists(localFilePath)) throw new FileNotFoundException($"no file at {localFilePath}", localFilePath);
        if (path.EndsWith('/')) path += Path.GetFileName(localFilePath);
        return UploadAsync(ns, repo, branch, path, [("file", Path.GetFileName(localFilePath), () => OpenLocal(localFilePath), true)], message, retry: true, cancellationToken);
    }

    /// <summary>Uploads local files into the directory <paramref name="directory"/>, keeping their names (<c>PUT</c> multipart, fields <c>files[]</c>), in one commit.</summary>
    /// <param name="ns">The namespace; must be the key's own.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="directory">The directory to write into, e.g. <c>images</c>; empty for the repository's root.</param>
    /// <param name="localFilePaths">The files to send.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commit and each file's URLs.</returns>
    public Task<FileUploadResult> UploadFilesAsync(string ns, string repo, string branch, string directory, IEnumerable<string> localFilePaths, CancellationToken cancellationToken = default) =>
        UploadFilesAsync(ns, repo, branch, directory, localFilePaths, message: null, cancellationToken);

    /// <summary>Uploads local files into the directory <paramref name="directory"/> (<c>PUT</c> multipart, fields <c>files[]</c>) in one commit with a message.</summary>
    /// <param name="ns">The namespace; must be the key's own.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="directory">The directory to write into; empty for the repository's root.</param>
    /// <param name="localFilePaths">The files to send.</param>
    /// <param name="message">The commit message; null for the server's default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commit and each file's URLs.</returns>
    public Task<FileUploadResult> UploadFilesAsync(string ns, string repo, string branch, string directory, IEnumerable<string> localFilePaths, string? message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(localFilePaths);
        var parts = new List<(string Field, string FileName, Func<Stream> Open, bool Owned)>();
        foreach (var file in localFilePaths)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"no file at {file}", file);
            var local = file;
            parts.Add(("files[]", Path.GetFileName(local), () => OpenLocal(local), true));
        }
        if (parts.Count == 0) throw new ArgumentException("Name at least one file to upload.", nameof(localFilePaths));
        return UploadAsync(ns, repo, branch, directory, parts, message, retry: true, cancellationToken);
    }

    /// <summary>Downloads a hosted file into a stream.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch.</param>
    /// <param name="path">The file's path in the repository.</param>
    /// <param name="destination">Where to write the bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the whole file is written.</returns>
    /// <exception cref="PaddockException">404 for a missing file.</exception>
    public Task DownloadFileAsync(string ns, string repo, string branch, string path, Stream destination, CancellationToken cancellationToken = default) =>
        DownloadAsync(GetFileUri(ns, repo, branch, path), destination, cancellationToken);

    /// <summary>Downloads a hosted file to a local file, resuming an interrupted download (see <see cref="DownloadToFileAsync"/>).</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch.</param>
    /// <param name="path">The file's path in the repository.</param>
    /// <param name="localFilePath">Where to save it; replaced when the download completes.</param>
    /// <param name="cancellationToken">Cancels the call; what has arrived stays for a later resume.</param>
    /// <returns>The file's size in bytes.</returns>
    public Task<long> DownloadFileAsync(string ns, string repo, string branch, string path, string localFilePath, CancellationToken cancellationToken = default) =>
        DownloadToFileAsync(GetFileUri(ns, repo, branch, path), localFilePath, cancellationToken);

    /// <summary>
    /// Downloads a URL into a stream: a result URL, a file URL, or any other. The API key is sent only to this client's
    /// server; signed URLs need none.
    /// </summary>
    /// <param name="url">An absolute URL, or one relative to the server.</param>
    /// <param name="destination">Where to write the bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the whole body is written.</returns>
    public async Task DownloadAsync(Uri url, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(destination);
        var absolute = url.IsAbsoluteUri ? url : new Uri(Endpoint, url);
        using var response = await _pipeline.SendAsync(() => Get(absolute), new CallSettings(Options.NetworkTimeout, Stream: true), cancellationToken).ConfigureAwait(false);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await body.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new PaddockException($"GET {absolute.GetLeftPart(UriPartial.Path)} broke off: {e.Message}", e);
        }
    }

    /// <summary>
    /// Downloads a URL to a local file and resumes where an earlier try stopped. The bytes go to
    /// <c>&lt;filePath&gt;.partial</c> first, beside a small <c>&lt;filePath&gt;.partial.json</c> that records which resource
    /// they belong to (its path, without the query that signed URLs change) and its <c>ETag</c> or <c>Last-Modified</c>. A
    /// later call (or a retry after the connection broke) asks only for the rest, with an HTTP <c>Range</c> request made
    /// conditional by <c>If-Range</c>, and the file is moved to <paramref name="filePath"/> once complete. A partial file
    /// of another resource, of a version that changed since, or without that record is not resumed: the download starts
    /// from the beginning. Servers that ignore <c>Range</c> are downloaded from the start.
    /// </summary>
    /// <param name="url">An absolute URL (for example <see cref="Generation.ResultUrl"/>), or one relative to the server.</param>
    /// <param name="filePath">Where to save it; replaced when the download completes. Its folder is created if missing.</param>
    /// <param name="cancellationToken">Cancels the call; the partial file stays for a later resume.</param>
    /// <returns>The file's size in bytes.</returns>
    /// <exception cref="PaddockException">An error answer, or the connection kept breaking after the retries.</exception>
    public async Task<long> DownloadToFileAsync(Uri url, string filePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var absolute = url.IsAbsoluteUri ? url : new Uri(Endpoint, url);
        var full = Path.GetFullPath(filePath);
        if (Path.GetDirectoryName(full) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
        var where = absolute.GetLeftPart(UriPartial.Path);
        var partial = await PartialDownload.OpenAsync(full, absolute, cancellationToken).ConfigureAwait(false);
        var failures = 0;
        while (true)
        {
            var have = partial.Length;
            var known = partial.Validator;
            using var response = await _pipeline.SendAsync(() =>
            {
                var request = Get(absolute);
                if (have > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(have, null);
                    // Without a validator (a server that sends none, within this call only) the total length is checked instead.
                    if (known?.IfRange is { } condition) request.Headers.IfRange = condition;
                }
                return request;
            }, new CallSettings(Options.NetworkTimeout, Stream: true, AcceptRangeNotSatisfiable: true), cancellationToken).ConfigureAwait(false);

            long? total;
            FileMode mode;
            switch (response.StatusCode)
            {
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    // Everything is already here, or the partial file is not a prefix of this resource.
                    var length = response.Content.Headers.ContentRange?.Length;
                    if (have > 0 && length == have && known is not null && known.Matches(response, length))
                    {
                        partial.Complete();
                        return have;
                    }
                    partial.Discard();
                    if (++failures > Options.Retry.MaxRetries) throw new PaddockException(416, "range_not_satisfiable", null, $"GET {where} refused to resume the download");
                    continue;
                case HttpStatusCode.PartialContent:
                    var range = response.Content.Headers.ContentRange;
                    if (have == 0 || known is null || range is null || range.From != have || !known.Matches(response, range.Length))
                    {
                        partial.Discard(); // other bytes than asked, or of another version: start over
                        if (++failures > Options.Retry.MaxRetries) throw new PaddockException(206, "invalid_response", null, $"GET {where} answered a range other than the one asked for");
                        continue;
                    }
                    total = range.Length;
                    mode = FileMode.Append;
                    break;
                default:
                    // The whole resource: what was here (if anything) is not a prefix of it, or the server ignores Range.
                    total = response.Content.Headers.ContentLength;
                    mode = FileMode.Create;
                    have = 0;
                    await partial.StartAsync(DownloadValidator.Of(response, total), cancellationToken).ConfigureAwait(false);
                    break;
            }

            long written = 0;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    var file = new FileStream(partial.PartialPath, mode, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                    await using (file.ConfigureAwait(false))
                    {
                        var buffer = new byte[81920];
                        int n;
                        while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                            written += n;
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // Bytes that arrived stay in the partial file: the next try asks only for the rest.
                if (written == 0 && ++failures > Options.Retry.MaxRetries)
                    throw new PaddockException($"GET {where} kept breaking off: {e.Message}", e);
                await Task.Delay(_pipeline.DelayBefore(Math.Max(1, failures)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var size = have + written;
            if (total is { } expected && size != expected)
            {
                if (++failures > Options.Retry.MaxRetries)
                    throw new PaddockException($"GET {where} ended after {size} of {expected} bytes");
                continue;
            }
            partial.Complete();
            return size;
        }
    }

    /// <summary>
    /// Saves a synchronously generated video to a file: writes the inline bytes, or downloads its URL (resumably). Either
    /// way the file appears only when complete, and its folder is created if missing.
    /// </summary>
    /// <param name="video">A video from <see cref="VideoGenerationResult.Videos"/>.</param>
    /// <param name="filePath">Where to save it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The file's size in bytes.</returns>
    public async Task<long> SaveVideoAsync(GeneratedVideo video, string filePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (video.Bytes is { } bytes)
        {
            var full = Path.GetFullPath(filePath);
            if (Path.GetDirectoryName(full) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
            // Through the same .partial name as a download (so an interrupted write never looks like a finished video),
            // and without its sidecar: these bytes are not a prefix of anything to resume.
            var partial = PartialDownload.StartFresh(full);
            await File.WriteAllBytesAsync(partial.PartialPath, bytes, cancellationToken).ConfigureAwait(false);
            partial.Complete();
            return bytes.Length;
        }
        if (video.Url is { } url) return await DownloadToFileAsync(url, filePath, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException("The video carries neither bytes nor a URL.");
    }

    private async Task<FileUploadResult> UploadAsync(string ns, string repo, string branch, string path,
        IReadOnlyList<(string Field, string FileName, Func<Stream> Open, bool Owned)> parts, string? message, bool retry, CancellationToken cancellationToken)
    {
        var uri = _pipeline.Resolve(FileRoute(ns, repo, branch, path, allowEmptyPath: true));
        using var response = await _pipeline.SendAsync(() =>
        {
            var form = new MultipartFormDataContent();
            foreach (var (field, fileName, open, owned) in parts)
            {
                var stream = open();
                HttpContent content = owned ? new StreamContent(stream) : new BorrowedStreamContent(stream);
                content.Headers.ContentType = new MediaTypeHeaderValue(ContentTypeOf(fileName));
                content.Headers.TryAddWithoutValidation("Content-Disposition", Disposition(field, fileName));
                form.Add(content);
            }
            if (message is not null) form.Add(new StringContent(message, Encoding.UTF8), "message");
            return new HttpRequestMessage(HttpMethod.Put, uri) { Content = form };
        }, new CallSettings(Options.NetworkTimeout, retry), cancellationToken).ConfigureAwait(false);
        var json = await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);

        var files = new List<UploadedFile>();
        var listed = Json.Items(json, "files").ToList();
        if (listed.Count > 0)
        {
            foreach (var item in listed)
            {
                var filePath = Json.String(item, "path") ?? "";
                files.Add(new UploadedFile(filePath, Json.Url(item, "url") ?? GetFileUri(ns, repo, branch, filePath), Json.Url(item, "signed_url"),
                    Json.Int64(item, "size"), Json.String(item, "content_type"), Json.String(item, "hash"), Json.Time(item, "expires_at"), Json.Boolean(item, "pinned") ?? false));
            }
        }
        else
        {
            // Servers that answer with the commit only: the paths follow from what was sent.
            foreach (var (field, fileName, _, _) in parts)
            {
                var filePath = field == "file" ? path.Trim('/') : $"{path.Trim('/')}/{fileName}".TrimStart('/');
                files.Add(new UploadedFile(filePath, GetFileUri(ns, repo, branch, filePath), null, null, null, null));
            }
        }
        return new FileUploadResult(json, files);
    }

    private static FileStream OpenLocal(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);

    /// <summary>
    /// Deletes a file (<c>DELETE /api/repos/{namespace}/{repo}/file/{branch}/{path}</c>); its bytes go too unless another
    /// file holds the same content.
    /// </summary>
    /// <param name="ns">The namespace (the key's own).</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">The file's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the file is gone.</returns>
    /// <exception cref="PaddockException">404 for a file the namespace does not have (or another namespace's).</exception>
    public async Task DeleteFileAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default)
    {
        var uri = _pipeline.Resolve(FileRoute(ns, repo, branch, path));
        using var response = await _pipeline.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), Ordinary, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pins a file (<c>POST /api/repos/{namespace}/{repo}/pin/{branch}/{path}</c>): it never expires, whatever the retention setting.</summary>
    /// <param name="ns">The namespace (the key's own).</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">The file's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>When the file now expires: null, as it is pinned.</returns>
    /// <exception cref="PaddockException">404 for a file the namespace does not have; 410 <c>expired</c> for one that already expired.</exception>
    public Task<DateTimeOffset?> PinFileAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        SetFilePinnedAsync(ns, repo, branch, path, HttpMethod.Post, cancellationToken);

    /// <summary>Unpins a file (<c>DELETE /api/repos/{namespace}/{repo}/pin/{branch}/{path}</c>): it expires under the retention setting again.</summary>
    /// <param name="ns">The namespace (the key's own).</param>
    /// <param name="repo">The repository.</param>
    /// <param name="branch">The branch, e.g. <c>main</c>.</param>
    /// <param name="path">The file's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>When the file now expires; null while the namespace keeps files forever.</returns>
    /// <exception cref="PaddockException">404 for a file the namespace does not have; 410 <c>expired</c> for one that already expired.</exception>
    public Task<DateTimeOffset?> UnpinFileAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        SetFilePinnedAsync(ns, repo, branch, path, HttpMethod.Delete, cancellationToken);

    private async Task<DateTimeOffset?> SetFilePinnedAsync(string ns, string repo, string branch, string path, HttpMethod method, CancellationToken cancellationToken)
    {
        var route = FileRoute(ns, repo, branch, path);
        var marker = $"api/repos/{Segment(ns, nameof(ns))}/{Segment(repo, nameof(repo))}/file/";
        var uri = _pipeline.Resolve($"api/repos/{Segment(ns, nameof(ns))}/{Segment(repo, nameof(repo))}/pin/{route[marker.Length..]}");
        using var response = await _pipeline.SendAsync(() => new HttpRequestMessage(method, uri), Ordinary, cancellationToken).ConfigureAwait(false);
        var json = await Json.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return Json.Time(json, "expires_at");
    }

    private static string FileRoute(string ns, string repo, string branch, string path, bool allowEmptyPath = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 && !allowEmptyPath) throw new ArgumentException("Name a file path, e.g. images/cat.png.", nameof(path));
        var escaped = string.Join('/', segments.Select(Uri.EscapeDataString));
        return $"api/repos/{Segment(ns, nameof(ns))}/{Segment(repo, nameof(repo))}/file/{Segment(branch, nameof(branch))}/{escaped}";
    }

    private static string LastSegment(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = path.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return name ?? throw new ArgumentException("Name a file path, e.g. images/cat.png.", nameof(path));
    }

    /// <summary>A multipart part's header, with an RFC 5987 <c>filename*</c> for names that are not plain ASCII.</summary>
    private static string Disposition(string field, string fileName)
    {
        var ascii = fileName.All(c => c is >= ' ' and < (char)0x7F);
        var plain = new string(fileName.Select(c => c is >= ' ' and < (char)0x7F and not '"' and not '\\' ? c : '_').ToArray());
        var header = $"form-data; name=\"{field}\"; filename=\"{plain}\"";
        return ascii && plain == fileName ? header : $"{header}; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    private static string ContentTypeOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".gif" => "image/gif",
        ".mp4" => "video/mp4",
        ".json" => "application/json",
        ".txt" => "text/plain",
        _ => "application/octet-stream",
    };

    /// <summary>Sends a caller's stream without taking ownership: disposing the request leaves it open.</summary>
    private sealed class BorrowedStreamContent(Stream stream) : HttpContent
    {
        private readonly long _start = stream.CanSeek ? stream.Position : -1;

        protected override Task SerializeToStreamAsync(Stream target, TransportContext? context) => stream.CopyToAsync(target);

        protected override Task SerializeToStreamAsync(Stream target, TransportContext? context, CancellationToken cancellationToken) =>
            stream.CopyToAsync(target, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = _start >= 0 ? stream.Length - _start : 0;
            return _start >= 0;
        }
    }
}
