namespace Paddock.Core.Webhooks;

/// <summary>The signed output URL a delivery of a success carries, made afresh at each attempt; null when this process knows no base URL.</summary>
public interface IWebhookOutputLinks
{
    string? OutputUrl(string ns, Guid generationId);
}

/// <summary>Without the HTTP surface (a worker): outputs are linked only under a configured <c>Paddock:PublicBaseUrl</c> or <c>Paddock:ApiBaseUrls:0</c>.</summary>
public sealed class ConfiguredOutputLinks(Security.UrlSigner signer, Microsoft.Extensions.Options.IOptions<Hosting.PublicUrlOptions> options) : IWebhookOutputLinks
{
    public string? OutputUrl(string ns, Guid generationId)
    {
        var settings = options.Value;
        var baseUrl = settings.BaseUrl ?? settings.ApiBaseUrls.Select(u => u.Trim().TrimEnd('/')).FirstOrDefault();
        if (baseUrl is null) return null;
        var path = $"/api/outputs/{Uri.EscapeDataString(ns)}/{generationId}.mp4";
        var (query, _) = signer.Sign($"/api/outputs/{ns}/{generationId}.mp4", TimeSpan.FromDays(1));
        return $"{baseUrl}{path}?{query}";
    }
}
