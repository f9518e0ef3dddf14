using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Files;
using Paddock.Core.Hosting;

namespace Paddock.Server.Hosting;

/// <summary>Teaches <see cref="SelfHosts"/> this API process's listening addresses (the configured URLs are known to every role: <see cref="SelfHosts"/>), so references to its own files are read from storage.</summary>
public sealed class SelfHostsRegistration(SelfHosts hosts, IServer server, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
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
