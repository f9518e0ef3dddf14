using System.Text.Json;
using Paddock.Client;

namespace Paddock.Cli.Remote;

/// <summary>
/// The namespace files are uploaded into: <c>--namespace</c> when given, else what the server says the key belongs to
/// (<c>GET /api/whoami</c>, a Paddock route read through the SDK's download call so it carries the key), else
/// <c>default</c> for servers without that route.
/// </summary>
internal static class KeyNamespace
{
    public const string Fallback = "default";

    public static async Task<string> ResolveAsync(PaddockClient client, string? given, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given;
        using var body = new MemoryStream();
        try
        {
            await client.DownloadAsync(new Uri("api/whoami", UriKind.Relative), body, cancellationToken);
        }
        catch (PaddockException e) when (e.Status is 404 or 405)
        {
            return Fallback;
        }
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("namespace", out var ns)
                && ns.ValueKind == JsonValueKind.String && ns.GetString() is { Length: > 0 } name
                ? name
                : Fallback;
        }
        catch (JsonException)
        {
            return Fallback;
        }
    }
}
