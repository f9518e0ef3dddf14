using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Files;
using Paddock.Core.Hosting;

namespace Paddock.Server.Hosting;

/// <summary>Teaches <see cref="SelfHosts"/> this server's public URL and listening addresses, so references to its own files are read from storage.</summary>
public sealed class SelfHostsRegistration(SelfHosts hosts, IServer server, IHostApplicationLifetime lifetime, IOptions<PublicUrlOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.BaseUrl is { } publicUrl) hosts.AddUrl(publicUrl);
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            {
                hosts.AddUrl(address);
                // Loopback listeners are reached as localhost too.
                if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.IsLoopback) hosts.Add($"localhost:{uri.Port}");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
