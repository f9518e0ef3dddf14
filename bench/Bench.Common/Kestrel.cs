using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Paddock.Bench;

public static class Kestrel
{
    /// <summary>The address a started app bound (it was asked for port 0), with a trailing slash.</summary>
    public static Uri ListeningAddress(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server reports no listening address");
        return new Uri(address.TrimEnd('/') + "/");
    }
}
