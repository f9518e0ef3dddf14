using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Paddock.Core.Hosting;

namespace Paddock.Core.Files;

/// <summary>
/// The authorities (host:port) this deployment answers at: its public base URL and its API processes' base URLs (both
/// configured, so a worker knows them too), and an API process's own listening addresses. A reference URL at one of these
/// is this deployment's own file and is read from storage.
/// </summary>
public sealed class SelfHosts
{
    private readonly ConcurrentDictionary<string, byte> _authorities = new(StringComparer.OrdinalIgnoreCase);

    public SelfHosts(IOptions<PublicUrlOptions> options)
    {
        if (options.Value.BaseUrl is { } publicUrl) AddUrl(publicUrl);
        foreach (var api in options.Value.ApiBaseUrls) AddUrl(api.Trim());
    }

    public void Add(string authority)
    {
        if (!string.IsNullOrWhiteSpace(authority) && _authorities.Count < 1000) _authorities.TryAdd(authority, 0);
    }

    public void AddUrl(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri)) Add(Authority(uri));
    }

    public bool Contains(Uri url) => _authorities.ContainsKey(Authority(url));

    private static string Authority(Uri uri) => $"{uri.Host}:{uri.Port}";
}
