using System.Net;
using System.Net.Sockets;
using System.Text;
using Paddock.Core.Engines;

namespace Paddock.Core.References;

public sealed class ReferenceFetchOptions
{
    /// <summary>Hosts or addresses the server may fetch from even though they are internal.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Lets the server fetch from any internal address (trusted networks only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole download, redirects included, must finish in this time.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRedirects { get; set; } = 3;
}

/// <summary>
/// Fetches reference images for a generation: <c>http(s)</c> URLs through a guarded client (every
/// connection's address is checked, redirects followed by hand, bodies cut at the size limit) and
/// <c>data:</c> URLs in memory; then checks each by its bytes against <see cref="ReferenceRules"/>.
/// </summary>
public sealed class ReferenceFetcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly ReferenceFetchOptions _options;
    private readonly ILocalReferenceSource? _local;

    public ReferenceFetcher(ReferenceFetchOptions options, ILocalReferenceSource? local = null)
    {
        _options = options;
        _local = local;
        var policy = new NetworkPolicy(options.AllowedHosts, options.AllowPrivateNetworks);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, ct) => ConnectCheckedAsync(policy, context, ct),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Paddock/1.0 (reference fetcher)");
    }

    /// <summary>Fetches and checks every reference of a generation of namespace <paramref name="ns"/>.</summary>
    public async Task<IReadOnlyList<ReferenceImage>> FetchAllAsync(string ns, IReadOnlyList<string> urls, CancellationToken cancellationToken)
    {
        var tasks = urls.Select((url, i) => FetchAsync(ns, i, url, cancellationToken)).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Fetches and checks one reference; <paramref name="position"/> is its 0-based place in <c>reference_images</c>.</summary>
    public async Task<ReferenceImage> FetchAsync(string ns, int position, string url, CancellationToken cancellationToken)
    {
        byte[] bytes;
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            bytes = DecodeDataUrl(position, url);
        else if (_local is not null && await _local.TryReadAsync(position, ParseHttpUrl(position, url), ns, cancellationToken).ConfigureAwait(false) is { } local)
            bytes = local;
        else
            bytes = await DownloadAsync(position, url, cancellationToken).ConfigureAwait(false);

        var header = ImageInspector.Inspect(bytes, out var problem) ?? throw new ReferenceImageException(position, problem!);
        var broken = ReferenceRules.Check(header);
        if (broken is not null) throw new ReferenceImageException(position, broken);
        return new ReferenceImage(position + 1, url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? "data:" : url, bytes, header.MediaType, header.Width, header.Height);
    }

    private static byte[] DecodeDataUrl(int position, string url)
    {
        var comma = url.IndexOf(',');
        if (comma < 0) throw new ReferenceImageException(position, "is a data: URL without a ',' before its data");
        var meta = url.AsSpan(5, comma - 5);
        var payload = url.AsSpan(comma + 1);
        if (payload.Length > ReferenceRules.MaxBytes * 4 / 3 + 4)
            throw new ReferenceImageException(position, $"is larger than {ReferenceRules.MaxBytes} bytes (10 MB)");
        byte[] bytes;
        if (meta.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            try { bytes = Convert.FromBase64String(payload.ToString()); }
            catch (FormatException) { throw new ReferenceImageException(position, "is a data: URL whose base64 data is not valid"); }
        }
        else
        {
            bytes = Encoding.Latin1.GetBytes(Uri.UnescapeDataString(payload.ToString()));
        }
        if (bytes.LongLength > ReferenceRules.MaxBytes)
            throw new ReferenceImageException(position, $"is larger than {ReferenceRules.MaxBytes} bytes (10 MB)");
        return bytes;
    }

    private async Task<byte[]> DownloadAsync(int position, string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.TotalTimeout);
        var current = ParseHttpUrl(position, url);
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    if (hop >= _options.MaxRedirects)
                        throw new ReferenceImageException(position, $"redirected more than {_options.MaxRedirects} times");
                    var location = response.Headers.Location ?? throw new ReferenceImageException(position, "redirected without a Location");
                    current = ParseHttpUrl(position, new Uri(current, location).ToString());
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    throw new ReferenceImageException(position, $"could not be downloaded: {current.Host} answered HTTP {(int)response.StatusCode}");
                if (response.Content.Headers.ContentLength > ReferenceRules.MaxBytes)
                    throw new ReferenceImageException(position, $"is {response.Content.Headers.ContentLength} bytes; at most {ReferenceRules.MaxBytes} bytes (10 MB) are accepted");
                return await ReadCappedAsync(position, response, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ReferenceImageException(position, $"download did not finish within {_options.TotalTimeout.TotalSeconds:0} seconds");
        }
        catch (HttpRequestException e)
        {
            throw new ReferenceImageException(position, "could not be downloaded: " + (e.InnerException is RefusedAddressException r ? r.Message : e.Message));
        }
    }

    private static async Task<byte[]> ReadCappedAsync(int position, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > ReferenceRules.MaxBytes)
                throw new ReferenceImageException(position, $"is larger than {ReferenceRules.MaxBytes} bytes (10 MB)");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static Uri ParseHttpUrl(int position, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ReferenceImageException(position, "must be an http(s) URL or a data: URL");
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
        if (addresses.Length == 0) throw new RefusedAddressException($"{host} has no address");
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

    public void Dispose() => _http.Dispose();

    private sealed class RefusedAddressException(string message) : IOException(message);
}
