using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Files;
using Paddock.Core.Hosting;

namespace Paddock.Server.Hosting;

/// <summary>
/// Tells <see cref="SelfHosts"/> this server's own addresses, from configuration and the listening sockets only: the
/// public base URL, <see cref="PublicUrlOptions.ServerNames"/>, and each listening address (a loopback one also as
/// <c>localhost</c>; a wildcard one as every address of this machine's interfaces and its host name). Warns once at
/// start when no public base URL is set.
/// </summary>
public sealed partial class SelfHostsRegistration(
    SelfHosts hosts, IServer server, IHostApplicationLifetime lifetime, IOptions<PublicUrlOptions> options, ILogger<SelfHostsRegistration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.BaseUrl is { } publicUrl) hosts.AddUrl(publicUrl);
        else LogNoPublicBaseUrl();
        lifetime.ApplicationStarted.Register(() =>
        {
            var listening = (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(ListeningAddress.Parse).OfType<ListeningAddress>().ToList();
            foreach (var address in listening)
            {
                foreach (var host in address.Hosts()) hosts.Add($"{host}:{address.Port}");
            }
            foreach (var name in settings.ServerNames)
            {
                // A name with a port is that authority; without one, it is reached at the default ports or a listening one.
                if (name.LastIndexOf(':') > name.LastIndexOf(']')) hosts.Add(name);
                else foreach (var port in listening.Select(a => a.Port).Append(80).Append(443).Distinct()) hosts.Add($"{name}:{port}");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>An address from the server's list, e.g. <c>http://127.0.0.1:8080</c> or <c>http://[::]:8080</c>.</summary>
    private sealed record ListeningAddress(string Host, int Port)
    {
        public static ListeningAddress? Parse(string address)
        {
            var rest = address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
            var colon = rest.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], out var port)) return null;
            return new ListeningAddress(rest[..colon], port);
        }

        public IEnumerable<string> Hosts()
        {
            var bare = Host.Trim('[', ']');
            if (Host is "*" or "+" || (IPAddress.TryParse(bare, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))))
            {
                // Every address of this machine, and its names.
                yield return "localhost";
                yield return Dns.GetHostName();
                foreach (var unicast in NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses))
                    yield return Format(unicast.Address);
                yield break;
            }
            yield return Host;
            if (Host == "localhost" || (ip is not null && IPAddress.IsLoopback(ip)))
            {
                // Loopback listeners are reached as localhost (and localhost as either loopback address).
                yield return "localhost";
                yield return "127.0.0.1";
                yield return "[::1]";
            }
        }

        private static string Format(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{(ip.ScopeId != 0 ? new IPAddress(ip.GetAddressBytes()) : ip)}]"
            : ip.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Paddock:PublicBaseUrl is not set: returned URLs use the address each request reached (its Host header only when it names one of this server's own addresses or Paddock:ServerNames). Set Paddock:PublicBaseUrl to the URL clients use, e.g. behind a proxy.")]
    private partial void LogNoPublicBaseUrl();
}
