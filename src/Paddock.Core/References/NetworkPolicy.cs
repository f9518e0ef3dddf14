using System.Net;
using System.Net.Sockets;

namespace Paddock.Core.References;

/// <summary>
/// Which addresses the server may connect to when it fetches a URL a client gave it. Loopback,
/// private, link-local (cloud metadata), multicast and unspecified addresses are refused unless
/// the host or address is on the allow-list.
/// </summary>
public sealed class NetworkPolicy(IReadOnlyCollection<string> allowedHosts, bool allowPrivateNetworks)
{
    public static NetworkPolicy PublicOnly { get; } = new([], false);

    public bool IsHostAllowListed(string host) =>
        allowedHosts.Any(h => string.Equals(h.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Null when the connection may go ahead, else why not.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        if (allowPrivateNetworks || IsHostAllowListed(host) || IsHostAllowListed(address.ToString())) return null;
        return IsInternal(address)
            ? $"is refused by policy: the address {address} of {host} is internal, and this server fetches references only from public addresses (so a request cannot reach services inside its network)"
            : null;
    }

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0 || b[0] == 10 || b[0] == 127
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)      // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                    // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) // IETF protocol assignments, TEST-NET-1
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))     // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)      // TEST-NET-2
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)       // TEST-NET-3
                || b[0] >= 224                                     // multicast and reserved
                || IsOwnAddress(address);
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0    // IPv4-compatible ::a.b.c.d (deprecated; may reach IPv4)
                || (b[0] & 0xFE) == 0xFC                           // unique local fc00::/7
                || (b[0] == 0x20 && b[1] == 0x02)                  // 6to4 can wrap an internal IPv4
                || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) // NAT64
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) // documentation 2001:db8::/32
                || IsOwnAddress(address);
        }
        return true;
    }

    /// <summary>
    /// Whether the address is one of this machine's own interfaces: a public address of the server itself reaches
    /// services bound to all interfaces (an admin port, a database) as surely as loopback does.
    /// </summary>
    private static bool IsOwnAddress(IPAddress address)
    {
        var now = Environment.TickCount64;
        var known = _own;
        if (known is null || now - _ownReadAt > 30_000)
        {
            try
            {
                known = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                    .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                    .Select(a => a.Address)
                    .ToHashSet();
            }
            catch (System.Net.NetworkInformation.NetworkInformationException)
            {
                known = [];
            }
            (_own, _ownReadAt) = (known, now);
        }
        return known.Contains(address);
    }

    private static HashSet<IPAddress>? _own;
    private static long _ownReadAt;
}
