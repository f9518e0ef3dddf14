using System.Collections.Concurrent;

namespace Paddock.Core.Files;

/// <summary>
/// The authorities (host:port) this deployment answers at: its public base URL, its listening
/// addresses, and the Host of requests that reached it. A reference URL at one of these is this
/// server's own file and is read from storage.
/// </summary>
public sealed class SelfHosts
{
    private readonly ConcurrentDictionary<string, byte> _authorities = new(StringComparer.OrdinalIgnoreCase);

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
