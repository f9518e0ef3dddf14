using System.Net;
using System.Net.Sockets;
using Paddock.Core.References;

namespace Paddock.Core.Webhooks;

/// <summary>
/// Where webhooks may go: the reference fetcher's <see cref="NetworkPolicy"/> (loopback, private, link-local and
/// metadata addresses refused) with its own settings, <c>Paddock:Webhooks:AllowPrivateNetworks</c> and
/// <c>Paddock:Webhooks:AllowedHosts</c>. A URL is checked when it is given (every address its name resolves to) and
/// again at every connection (<see cref="ConnectAsync"/>), so a name that later resolves inside the network is refused too.
/// </summary>
public sealed class WebhookReceivers(WebhookOptions options)
{
    private readonly NetworkPolicy _policy = new(options.AllowedHosts, options.AllowPrivateNetworks);

    /// <summary>Null when <paramref name="url"/> may receive webhooks, else why not, naming <paramref name="field"/> and the settings.</summary>
    public async Task<string?> ProblemAsync(string field, string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url)) return $"{field}: is required: the http(s) URL that receives the webhooks";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"{field}: '{url}' is not an absolute http(s) URL";
        if (url.Length > 2048) return $"{field}: is {url.Length} characters; a webhook URL may have at most 2048";
        if (uri.UserInfo.Length > 0) return $"{field}: must not carry a user name or password; put a token in the path or query instead";
        IPAddress[] addresses;
        try
        {
            addresses = await AddressesAsync(uri.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return $"{field}: the host {uri.Host} could not be resolved";
        }
        foreach (var address in addresses)
            if (Refusal(uri.Host, address) is { } refusal) return $"{field}: {refusal}";
        return null;
    }

    /// <summary>Why a connection to <paramref name="address"/> (of <paramref name="host"/>) is refused; null when it is allowed.</summary>
    public string? Refusal(string host, IPAddress address) =>
        _policy.Refusal(host, address) is null
            ? null
            : $"{host} is refused by policy: its address {address} is internal, and this server sends webhooks only to public addresses (so a request cannot reach services inside its network). To allow it, set Paddock:Webhooks:AllowPrivateNetworks=true or list the host in Paddock:Webhooks:AllowedHosts";

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that applies the policy to every address it connects to.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = await AddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new HttpRequestException($"{host} has no address");
        foreach (var address in addresses)
            if (Refusal(host, address) is { } refusal) throw new WebhookRefusedException(refusal);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> AddressesAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
}

/// <summary>A connection the network policy refused (its message names the settings that allow it).</summary>
public sealed class WebhookRefusedException(string message) : IOException(message);
