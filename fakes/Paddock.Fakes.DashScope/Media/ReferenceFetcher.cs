using System.Collections.Concurrent;
using Paddock.Fakes.DashScope.Protocol;
using Paddock.Fakes.DashScope.Uploads;

namespace Paddock.Fakes.DashScope.Media;

/// <summary>One media item as the fake obtained it.</summary>
public sealed record FetchedMedia(int Index, string Url, byte[] Bytes);

/// <summary>What the fake did with one media URL (so tests can see that it fetched what the engine sent).</summary>
public sealed record MediaFetch(string Url, string Outcome);

/// <summary>
/// Obtains the media of a create body the three ways the provider accepts [r2v], [i2v], [upload]: downloads an
/// http(s) URL (with a time limit, as its data inspection does), decodes a <c>data:</c> URI, and resolves an
/// <c>oss://</c> temporary upload when the request asked for it with <c>X-DashScope-OssResourceResolve: enable</c>.
/// </summary>
public sealed class ReferenceFetcher(FakeDashScopeOptions options, TemporaryStorage storage) : IDisposable
{
    public const long MaxBytes = 20L * 1024 * 1024; // [r2v], [i2v]: up to 20 MB

    private static readonly string[] DataUriTypes = ["image/jpeg", "image/png", "image/webp"]; // [r2v]

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public ConcurrentQueue<MediaFetch> Log { get; } = new();

    public async Task<(IReadOnlyList<FetchedMedia> Media, DashScopeError? Error)> FetchAllAsync(VideoRequest request, bool resolveOss, CancellationToken cancellationToken)
    {
        var fetches = request.Media.Select((item, index) => FetchAsync(index, item.Url, request.Model, resolveOss, cancellationToken)).ToArray();
        var results = await Task.WhenAll(fetches).ConfigureAwait(false);
        var error = results.Select(r => r.Error).FirstOrDefault(e => e is not null);
        return (results.Where(r => r.Media is not null).Select(r => r.Media!).ToList(), error);
    }

    private async Task<(FetchedMedia? Media, DashScopeError? Error)> FetchAsync(int index, string url, string model, bool resolveOss, CancellationToken cancellationToken)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return Record(url, DecodeDataUri(index, url));
        if (url.StartsWith("oss://", StringComparison.OrdinalIgnoreCase))
        {
            // [upload]: "You must complete Step 2 to use the temporary URL -- skipping it causes errors." The wording is decided.
            if (!resolveOss)
                return Record(url, (null, DashScopeError.InvalidParameter($"input.media[{index}].url is an oss:// URL: send the header X-DashScope-OssResourceResolve: enable to use it.")));
            var file = storage.Resolve(url, model);
            return Record(url, file is null ? (null, DashScopeError.MediaDownloadFailed) : (new FetchedMedia(index, url, file.Bytes), null));
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return Record(url, (null, DashScopeError.InvalidParameter($"input.media[{index}].url must be an http(s) URL, a data: URI or an oss:// URL.")));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ReferenceTimeout);
        try
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return Record(url, (null, DashScopeError.MediaDownloadFailed), $"HTTP {(int)response.StatusCode}");
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBytes)
                    return Record(url, (null, DashScopeError.InvalidParameter($"input.media[{index}] is larger than 20 MB.")));
            }
            return Record(url, (new FetchedMedia(index, url, buffer.ToArray()), null));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Record(url, (null, DashScopeError.MediaDownloadTimedOut), "timed out");
        }
        catch (HttpRequestException e)
        {
            return Record(url, (null, DashScopeError.MediaDownloadFailed), e.Message);
        }
    }

    private static (FetchedMedia?, DashScopeError?) DecodeDataUri(int index, string url)
    {
        // [r2v]: data:{MIME_type};base64,{base64_data} with image/jpeg, image/png or image/webp.
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var header = comma > 5 ? url[5..comma] : "";
        var type = header.Split(';')[0].ToLowerInvariant();
        if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase) || !DataUriTypes.Contains(type))
            return (null, DashScopeError.InvalidParameter($"input.media[{index}].url must be data:{{image/jpeg|image/png|image/webp}};base64,{{data}}."));
        try
        {
            var bytes = Convert.FromBase64String(url[(comma + 1)..]);
            if (bytes.LongLength > MaxBytes) return (null, DashScopeError.InvalidParameter($"input.media[{index}] is larger than 20 MB."));
            return (new FetchedMedia(index, url, bytes), null);
        }
        catch (FormatException)
        {
            return (null, DashScopeError.InvalidParameter($"input.media[{index}].url is not valid base64."));
        }
    }

    private (FetchedMedia?, DashScopeError?) Record(string url, (FetchedMedia?, DashScopeError?) result, string? detail = null)
    {
        var shown = url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? url[..Math.Min(url.Length, 40)] + "…" : url;
        Log.Enqueue(new MediaFetch(shown, result.Item2 is null ? "ok" : $"{result.Item2.Code}{(detail is null ? "" : $" ({detail})")}"));
        return result;
    }

    /// <summary>
    /// The documented image limits, checked when the task starts (where exactly the provider checks them is not
    /// documented: decided). [r2v]: JPEG/PNG/WEBP, shortest side at least 400 px; [i2v]: both sides at least 300 px, aspect 1:2.5 to 2.5:1.
    /// </summary>
    public static (ImageFacts? FirstFrame, DashScopeError? Error) CheckImages(VideoRequest request, IReadOnlyList<FetchedMedia> media)
    {
        ImageFacts? first = null;
        foreach (var item in media.OrderBy(m => m.Index))
        {
            var facts = ImageProbe.Read(item.Bytes);
            if (facts is null)
                return (null, DashScopeError.InvalidParameter($"input.media[{item.Index}] is not a JPEG, PNG or WEBP image."));
            var shortSide = Math.Min(facts.Width, facts.Height);
            if (request.Mode == VideoMode.ReferenceToVideo && shortSide < 400)
                return (null, DashScopeError.InvalidParameter($"input.media[{item.Index}] is {facts.Width}x{facts.Height}: the shortest side must be at least 400 pixels."));
            if (request.Mode == VideoMode.ImageToVideo)
            {
                var aspect = (double)Math.Max(facts.Width, facts.Height) / shortSide;
                if (shortSide < 300 || aspect > 2.5)
                    return (null, DashScopeError.InvalidParameter($"input.media[{item.Index}] is {facts.Width}x{facts.Height}: width and height must be at least 300 pixels and the aspect ratio between 1:2.5 and 2.5:1."));
            }
            first ??= facts;
        }
        return (first, null);
    }

    public void Dispose() => _http.Dispose();
}
