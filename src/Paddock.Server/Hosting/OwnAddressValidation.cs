using Microsoft.Extensions.Options;

namespace Paddock.Server.Hosting;

/// <summary>Checks at start the settings that say where this server is reached, so a typo stops it with the setting named.</summary>
public sealed class OwnAddressValidation : IValidateOptions<PaddockOptions>
{
    public ValidateOptionsResult Validate(string? name, PaddockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.PublicBaseUrl is { } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0))
            problems.Add($"Paddock:PublicBaseUrl: '{url}' must be an absolute http(s) URL without query, e.g. https://video.example.com");
        for (var i = 0; i < options.ServerNames.Count; i++)
        {
            var serverName = options.ServerNames[i];
            if (string.IsNullOrWhiteSpace(serverName) || !Uri.TryCreate($"http://{serverName}/", UriKind.Absolute, out var parsed) || parsed.PathAndQuery != "/" || parsed.UserInfo.Length > 0)
                problems.Add($"Paddock:ServerNames:{i}: '{serverName}' must be a host name or address, optionally with :port (e.g. video.example.com or 10.0.0.5:8080)");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
