using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Paddock.Core.Engines;
using Paddock.Core.Generations;

namespace Paddock.Core.References;

/// <summary>
/// Fetches reference images for a generation: <c>http(s)</c> URLs through a guarded client (every
/// connection's address is checked, redirects followed by hand, bodies cut at the size limit and
/// when they stall or trickle) and <c>data:</c> URLs in memory; then checks each by its bytes
/// against <see cref="ReferenceRules"/> and <see cref="ImageIntegrity"/>.
/// </summary>
/// <remarks>
/// A reference used by several generations is fetched and checked once: checked images are cached
/// by the hash of their bytes, and what each URL answered by URL with its validators (revalidated
/// with <c>If-None-Match</c>/<c>If-Modified-Since</c>; without validators reused for
/// <see cref="ReferenceFetchOptions.CacheTtl"/>). Concurrent fetches of one URL share one download.
/// References read from this server's own storage and <c>data:</c> URLs skip the URL cache.
/// </remarks>
public sealed class ReferenceFetcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly ReferenceFetchOptions _options;
    private readonly ILocalReferenceSource? _local;
    private readonly InlineImages? _inline;
    private readonly TimeProvider _time;
    private readonly ReferenceCache _cache;
    private readonly Telemetry.PaddockMetrics? _metrics;
    private readonly ConcurrentDictionary<string, Task<CheckedImage>> _inFlight = new(StringComparer.Ordinal); // by URL
    private readonly ConcurrentDictionary<string, Task<CheckedImage>> _checking = new(StringComparer.Ordinal); // by content hash
    private readonly CancellationTokenSource _lifetime = new();

    public ReferenceFetcher(ReferenceFetchOptions options, ILocalReferenceSource? local = null, TimeProvider? time = null, InlineImages? inline = null,
        Telemetry.PaddockMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _local = local;
        _inline = inline;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _cache = new ReferenceCache(options.CacheMaxBytes);
        var policy = new NetworkPolicy(options.AllowedHosts, options.AllowPrivateNetworks);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, ct) => ConnectCheckedAsync(policy, context, ct),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Paddock/1.0 (reference fetcher)");
    }

    /// <summary>Downloads, revalidations, cache hits and checks so far, and what the cache holds.</summary>
    public ReferenceCacheStatistics Statistics => _cache.Statistics();

    /// <summary>Fetches and checks every reference of a generation of namespace <paramref name="ns"/>.</summary>
    /// <exception cref="ReferenceImageException">Every reference that cannot be used, not only the first.</exception>
    public async Task<IReadOnlyList<ReferenceImage>> FetchAllAsync(string ns, IReadOnlyList<string> urls, CancellationToken cancellationToken)
    {
        var tasks = urls.Select((url, i) => FetchAsync(ns, i, url, cancellationToken)).ToArray();
        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (ReferenceImageException)
        {
            // Awaiting WhenAll rethrows the first failure only; the user is owed all of them, each by its position.
            // Anything else that went wrong (cancellation, a bug) wins over bad images, as it would alone.
            var failures = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).ToList();
            if (failures.FirstOrDefault(e => e is not ReferenceImageException) is { } other)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(other);
            if (tasks.Any(t => t.IsCanceled)) cancellationToken.ThrowIfCancellationRequested();
            throw new ReferenceImageException(failures.Cast<ReferenceImageException>().SelectMany(e => e.Problems).OrderBy(p => p.Position).ToList());
        }
    }

    /// <summary>
    /// Fetches and checks a generation's images (its references, or its one input image); a failure names the request's
    /// field: <c>reference_images[i]</c>, or <c>input_image</c> for image-to-video.
    /// </summary>
    public async Task<IReadOnlyList<ReferenceImage>> FetchImagesAsync(string ns, VideoParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        try
        {
            return await FetchAllAsync(ns, parameters.Images, cancellationToken).ConfigureAwait(false);
        }
        catch (ReferenceImageException e) when (parameters.InputImage is not null)
        {
            throw ReferenceImageException.InputImage(e.Problems[0].Reason);
        }
    }

    /// <summary>Fetches and checks one reference; <paramref name="position"/> is its 0-based place in <c>reference_images</c>.</summary>
    public async Task<ReferenceImage> FetchAsync(string ns, int position, string url, CancellationToken cancellationToken)
    {
        CheckedImage image;
        string source = url;
        try
        {
            if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            {
                source = "data:";
                image = await CheckAsync(DataUrls.Decode(url, out var bytes) is { } problem ? throw new Refusal(problem) : bytes).ConfigureAwait(false);
            }
            else if (InlineImages.IsInline(url))
            {
                source = "data:";
                var bytes = _inline is null ? null : await _inline.ReadAsync(ns, url, cancellationToken).ConfigureAwait(false);
                image = await CheckAsync(bytes ?? throw new Refusal("is an inline image this server does not have (send the data: URL again)")).ConfigureAwait(false);
            }
            else
            {
                var uri = ParseHttpUrl(url);
                if (_local is not null && await _local.TryReadAsync(position, uri, ns, cancellationToken).ConfigureAwait(false) is { } local)
                    image = await CheckAsync(local).ConfigureAwait(false);
                else
                    image = await GetAsync(uri, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Refusal refusal)
        {
            throw new ReferenceImageException(position, refusal.ByPolicy ? refusal.Message + WhatToDoInstead(ns, url) : refusal.Message);
        }
        return new ReferenceImage(position + 1, source, image.Bytes, image.Header.MediaType, image.Header.Width, image.Header.Height);
    }

    /// <summary>
    /// The way around the address policy, for a reference it refused: the file route of the caller's own namespace
    /// (read from storage, so never refused), or the settings an operator can allow the host with.
    /// </summary>
    private static string WhatToDoInstead(string ns, string url)
    {
        var name = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Segments.Length > 1
            ? Uri.UnescapeDataString(uri.Segments[^1]).Trim('/')
            : "";
        if (name.Length == 0 || name.Length > 100 || name.Any(c => char.IsControl(c) || c is '/' or '\\' || char.IsWhiteSpace(c))) name = "image.png";
        return $"; upload the image to this server instead (PUT /api/repos/{Uri.EscapeDataString(ns)}/assets/file/main/{Uri.EscapeDataString(name)}, "
            + "multipart field 'file') and use that URL, or have the server's operator allow the host with the setting "
            + "Paddock:References:AllowedHosts (or Paddock:References:AllowPrivateNetworks for a trusted network)";
    }

    /// <summary>
    /// Checks bytes once per content: the same bytes again, from anywhere, reuse the verdict and the
    /// held copy; the same bytes arriving while they are being checked wait for that check.
    /// </summary>
    private async Task<CheckedImage> CheckAsync(byte[] bytes)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (_cache.Enabled && _cache.GetContent(hash) is { } known)
        {
            Interlocked.Increment(ref _cache.ContentHits);
            _metrics?.CountReferenceCacheHit("content");
            return known;
        }

        var mine = new TaskCompletionSource<CheckedImage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _checking.GetOrAdd(hash, mine.Task);
        if (shared != mine.Task)
        {
            Interlocked.Increment(ref _cache.ContentHits);
            _metrics?.CountReferenceCacheHit("content");
            return await shared.ConfigureAwait(false);
        }
        try
        {
            CheckedImage image;
            // A check of the same bytes may have finished between the first look and taking the lead.
            if (_cache.Enabled && _cache.GetContent(hash) is { } justChecked)
            {
                Interlocked.Increment(ref _cache.ContentHits);
                _metrics?.CountReferenceCacheHit("content");
                image = justChecked;
            }
            else
            {
                image = Check(hash, bytes);
            }
            _checking.TryRemove(new KeyValuePair<string, Task<CheckedImage>>(hash, mine.Task));
            mine.SetResult(image);
        }
        catch (Exception e)
        {
            _checking.TryRemove(new KeyValuePair<string, Task<CheckedImage>>(hash, mine.Task));
            mine.SetException(e);
        }
        return await mine.Task.ConfigureAwait(false);
    }

    private CheckedImage Check(string hash, byte[] bytes)
    {
        Interlocked.Increment(ref _cache.Checks);
        if (ReferenceRules.Check(bytes, out var header) is { } problem) throw new Refusal(problem);
        var image = new CheckedImage(hash, bytes, header!);
        return _cache.Enabled ? _cache.AddContent(image) : image;
    }

    /// <summary>An http(s) reference from the cache, or one download shared by every caller that wants it meanwhile.</summary>
    private async Task<CheckedImage> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        var key = uri.AbsoluteUri;
        if (_cache.Enabled && _cache.GetUrl(key) is { } hit && !hit.Record.HasValidators && _time.GetUtcNow() - hit.Record.StoredAt < _options.CacheTtl)
        {
            Interlocked.Increment(ref _cache.UrlHits);
            _metrics?.CountReferenceCacheHit("url");
            return hit.Image;
        }

        var mine = new TaskCompletionSource<CheckedImage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(key, mine.Task);
        if (shared == mine.Task) _ = DownloadForAllAsync(key, uri, mine);
        // A caller that gives up stops waiting; the download goes on for the others, bounded by TotalTimeout.
        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DownloadForAllAsync(string key, Uri uri, TaskCompletionSource<CheckedImage> result)
    {
        try
        {
            var image = await DownloadAsync(key, uri, _lifetime.Token).ConfigureAwait(false);
            _inFlight.TryRemove(new KeyValuePair<string, Task<CheckedImage>>(key, result.Task));
            result.SetResult(image);
        }
        catch (Exception e)
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<CheckedImage>>(key, result.Task));
            result.SetException(e);
        }
    }

    private async Task<CheckedImage> DownloadAsync(string key, Uri uri, CancellationToken stopping)
    {
        var known = _cache.Enabled ? _cache.GetUrl(key) : null;
        using var total = Deadline(_options.TotalTimeout, stopping);
        var current = uri;
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                // Validators belong to the URL that gave them: a redirect that now leads elsewhere gets a plain GET.
                var conditional = known is { } k && k.Record.HasValidators && k.Record.FinalUrl == current;
                if (conditional)
                {
                    if (known!.Value.Record.ETag is { } etag) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                    if (known.Value.Record.LastModified is { } lastModified) request.Headers.IfModifiedSince = lastModified;
                }

                using var response = await SendAsync(request, current, total.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    if (hop >= _options.MaxRedirects)
                        throw new Refusal($"redirected more than {_options.MaxRedirects} times");
                    var location = response.Headers.Location ?? throw new Refusal("redirected without a Location");
                    current = ParseHttpUrl(new Uri(current, location).AbsoluteUri);
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.NotModified && conditional)
                {
                    Interlocked.Increment(ref _cache.Revalidated);
                    _metrics?.CountReferenceCacheHit("revalidated");
                    _cache.PutUrl(key, Remember(known!.Value.Image, current, response, known.Value.Record));
                    return known.Value.Image;
                }
                if (!response.IsSuccessStatusCode)
                    throw new Refusal($"could not be downloaded: {current.Host} answered HTTP {(int)response.StatusCode}");
                if (response.Content.Headers.ContentLength is { } length && ReferenceRules.CheckSize(length) is { } tooLarge)
                    throw new Refusal(tooLarge);

                var bytes = await ReadCappedAsync(response, total.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _cache.Downloads);
                _metrics?.CountReferenceCacheMiss();
                var image = await CheckAsync(bytes).ConfigureAwait(false);
                var remembered = Remember(image, current, response, null);
                if (_cache.Enabled && MayReuse(response.Headers.CacheControl, remembered))
                    _cache.PutUrl(key, remembered);
                return image;
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            throw new Refusal(total.IsCancellationRequested
                ? string.Create(CultureInfo.InvariantCulture, $"download did not finish within {_options.TotalTimeout.TotalSeconds:0.#} seconds")
                : string.Create(CultureInfo.InvariantCulture, $"could not be downloaded: no connection to {current.Host} within {_options.ConnectTimeout.TotalSeconds:0.#} seconds"));
        }
        catch (HttpRequestException e) when (e.InnerException is RefusedAddressException refused)
        {
            throw new Refusal(refused.Message, byPolicy: true);
        }
        catch (HttpRequestException e)
        {
            throw new Refusal("could not be downloaded: " + Describe(e, current));
        }
        catch (IOException e)
        {
            // The connection broke while the body streamed (closed early, reset).
            throw new Refusal($"could not be downloaded: the connection to {current.Host} broke ({e.Message})");
        }
    }

    private static string Describe(HttpRequestException e, Uri url) => e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"the host name {url.Host} could not be resolved",
            HttpRequestError.ConnectionError => $"could not connect to {url.Host}:{url.Port} ({e.InnerException?.Message ?? e.Message})",
            HttpRequestError.SecureConnectionError => $"the TLS connection to {url.Host} failed ({e.InnerException?.Message ?? e.Message})",
            HttpRequestError.ResponseEnded => $"the connection to {url.Host} broke before the answer was complete",
            HttpRequestError.InvalidResponse => $"{url.Host} did not answer with valid HTTP",
            _ => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message,
        };

    /// <summary>no-store: never kept. no-cache or max-age=0 without validators: nothing to revalidate with, so not kept either.</summary>
    private static bool MayReuse(CacheControlHeaderValue? cacheControl, UrlRecord record) =>
        cacheControl is null
        || (!cacheControl.NoStore && (record.HasValidators || (!cacheControl.NoCache && cacheControl.MaxAge != TimeSpan.Zero)));

    private UrlRecord Remember(CheckedImage image, Uri finalUrl, HttpResponseMessage response, UrlRecord? previous) =>
        new(image.Hash, finalUrl,
            response.Headers.ETag?.ToString() ?? previous?.ETag,
            response.Content.Headers.LastModified ?? previous?.LastModified,
            _time.GetUtcNow());

    /// <summary>Sends one request; its response headers must come within the connect timeout plus the idle timeout.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Uri url, CancellationToken total)
    {
        var limit = _options.ConnectTimeout + _options.ReadIdleTimeout;
        using var headers = Deadline(limit, total);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (headers.IsCancellationRequested && !total.IsCancellationRequested)
        {
            throw new Refusal(string.Create(CultureInfo.InvariantCulture, $"could not be downloaded: {url.Host} did not answer within {limit.TotalSeconds:0.#} seconds"));
        }
    }

    /// <summary>
    /// Reads the body up to the size limit. Progress is judged per window of ReadIdleTimeout: a read
    /// that waits out the window, or a window that brings less than MinBytesPerSecond on average,
    /// ends the download, so a server sending one byte a second holds a worker for one window only.
    /// </summary>
    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, CancellationToken total)
    {
        var window = _options.ReadIdleTimeout;
        var minimum = (long)(_options.MinBytesPerSecond * window.TotalSeconds);
        var length = response.Content.Headers.ContentLength;
        await using var body = await response.Content.ReadAsStreamAsync(total).ConfigureAwait(false);
        using var buffer = new MemoryStream(length is > 0 and <= ReferenceRules.MaxBytes ? (int)length : 1 << 16);
        var chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        using var stall = Deadline(Timeout.InfiniteTimeSpan, total);
        try
        {
            var windowStart = _time.GetTimestamp();
            long windowBytes = 0;
            while (true)
            {
                var left = window - _time.GetElapsedTime(windowStart);
                stall.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
                int read;
                try
                {
                    read = await body.ReadAsync(chunk, stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!total.IsCancellationRequested)
                {
                    throw new Refusal(TooSlow(windowBytes, window));
                }
                if (read == 0) break;
                if (buffer.Length + read > ReferenceRules.MaxBytes)
                    throw new Refusal($"is larger than {ReferenceRules.MaxBytes} bytes (10 MB)");
                buffer.Write(chunk, 0, read);
                windowBytes += read;
                // A window that has had its minimum ends now and the next one starts: the stall timer then fires only
                // on a window that fell short, never on a read pending at the end of one that did not.
                if (windowBytes >= minimum)
                {
                    windowStart = _time.GetTimestamp();
                    windowBytes = 0;
                }
                else if (_time.GetElapsedTime(windowStart) >= window)
                {
                    throw new Refusal(TooSlow(windowBytes, window));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    private string TooSlow(long bytes, TimeSpan window) => bytes == 0
        ? string.Create(CultureInfo.InvariantCulture, $"download stalled: nothing arrived for {window.TotalSeconds:0.#} seconds")
        : string.Create(CultureInfo.InvariantCulture, $"download is too slow: {bytes} bytes arrived in {window.TotalSeconds:0.#} seconds; at least {_options.MinBytesPerSecond} bytes per second are needed");

    /// <summary>A source cancelled after <paramref name="delay"/> on this fetcher's clock, or with <paramref name="outer"/>.</summary>
    private LinkedDeadline Deadline(TimeSpan delay, CancellationToken outer) => new(new CancellationTokenSource(delay, _time), outer);

    private sealed class LinkedDeadline : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly CancellationTokenRegistration _link;

        public LinkedDeadline(CancellationTokenSource source, CancellationToken outer)
        {
            _source = source;
            _link = outer.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        }

        public CancellationToken Token => _source.Token;
        public bool IsCancellationRequested => _source.IsCancellationRequested;
        public void CancelAfter(TimeSpan delay) => _source.CancelAfter(delay);

        public void Dispose()
        {
            _link.Dispose();
            _source.Dispose();
        }
    }

    private static Uri ParseHttpUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new Refusal("must be an http(s) URL or a data: URL");
        return uri;
    }

    private static bool IsRedirect(HttpStatusCode code) => (int)code is 301 or 302 or 303 or 307 or 308;

    /// <summary>Resolves the host and connects only to an address the policy allows: checked after DNS, on every connection.</summary>
    private static async ValueTask<Stream> ConnectCheckedAsync(NetworkPolicy policy, SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        if (addresses.Length == 0) throw new IOException($"{host} has no address");
        foreach (var address in addresses)
        {
            var refusal = policy.Refusal(host, address);
            if (refusal is not null) throw new RefusedAddressException(refusal);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _http.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>Why a reference cannot be used, before it is known which position it holds (a download may serve several).</summary>
    /// <param name="byPolicy">Refused by the address policy rather than failed: the caller is told how to get around it.</param>
    private sealed class Refusal(string reason, bool byPolicy = false) : Exception(reason)
    {
        public bool ByPolicy { get; } = byPolicy;
    }

    private sealed class RefusedAddressException(string message) : IOException(message);
}
