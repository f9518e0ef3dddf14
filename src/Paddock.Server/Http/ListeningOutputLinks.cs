using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Paddock.Core.Hosting;
using Paddock.Core.Webhooks;

namespace Paddock.Server.Http;

/// <summary>
/// The output URL in a webhook of a success, signed as the API signs every output URL: under <c>Paddock:PublicBaseUrl</c>
/// (or <c>Paddock:ApiBaseUrls:0</c>) when set, else at the first address this server listens on.
/// </summary>
public sealed class ListeningOutputLinks(SignedUrls signed, IServer server, IOptions<PublicUrlOptions> options) : IWebhookOutputLinks
{
    public string? OutputUrl(string ns, Guid generationId)
    {
        var baseUrl = options.Value.BaseUrl
            ?? options.Value.ApiBaseUrls.Select(u => u.Trim().TrimEnd('/')).FirstOrDefault()
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => a.TrimEnd('/')).FirstOrDefault(a => !a.Contains("://0.0.0.0", StringComparison.Ordinal) && !a.Contains("://[::]", StringComparison.Ordinal) && !a.Contains("://+", StringComparison.Ordinal) && !a.Contains("://*", StringComparison.Ordinal));
        return baseUrl is null ? null : signed.Sign(baseUrl, SignedUrls.OutputPath(ns, generationId)).Url;
    }
}
