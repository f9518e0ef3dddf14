using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Paddock.Core.Hosting;

namespace Paddock.Core.Files;

/// <summary>
/// The authorities (host:port) this deployment answers at: its public base URL, its API processes' base URLs and the
/// names configured for it (all configured, so a worker knows them too), and an API process's own listening addresses.
/// Never learned from traffic: a Host header is the client's word, and a set fed by it could be filled, or pointed at
/// any host, by anyone with a key. A reference URL at one of these is this deployment's own file and is read from
/// storage; a Host header naming one of these may go into the URLs the server returns.
/// </summary>
public sealed class SelfHosts
{
    private readonly ConcurrentDictionary<string, byte> _authorities = new(StringComparer.OrdinalIgnoreCase);

    public SelfHosts(IOptions<PublicUrlOptions> options)
    {
        if (options.Value.BaseUrl is { } publicUrl) AddUrl(publicUrl);
        foreach (var api in options.Value.ApiBaseUrls) AddUrl(api.Trim());
    }

    /// <summary>Adds <c>host:port</c> (an IPv6 host in brackets).</summary>
    public void Add(string authority)
    {
        if (!string.IsNullOrWhiteSpace(authority)) _authorities.TryAdd(authority, 0);
    }

    public void AddUrl(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri)) Add(Authority(uri));
    }

    public bool Contains(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return _authorities.ContainsKey(Authority(url));
    }

    /// <summary>Whether a request's <c>Host</c> (with the scheme it came in on, for the default port) names this server.</summary>
    public bool Contains(string scheme, string host) =>
        !string.IsNullOrEmpty(host) && Uri.TryCreate($"{scheme}://{host}/", UriKind.Absolute, out var uri) && uri.PathAndQuery == "/" && Contains(uri);

    private static string Authority(Uri uri) => $"{uri.Host}:{uri.Port}";
}
