using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Paddock.Core.Blobs;

namespace Paddock.Core.References;

/// <summary>
/// Images sent inline as <c>data:</c> URLs are stored once, by content, in the blob store when a generation is
/// submitted, and the row keeps a short reference (<c>inline:sha256:HEX</c>) in their place: a row that repeated
/// megabytes of base64 would make every poll and every listing carry them. The worker reads them back within the
/// generation's namespace.
/// </summary>
public sealed class InlineImages(IBlobStore blobs)
{
    public const string Prefix = "inline:sha256:";

    public static bool IsInline(string reference) => reference.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// The parameters with each decodable <c>data:</c> image replaced by its inline reference (the same object when
    /// there is none). A data: URL that does not decode stays as it is, for the worker to report with the reason.
    /// </summary>
    public async Task<JsonObject> StoreAsync(string ns, JsonObject parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = parameters;
        if (parameters["reference_images"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (await StoreOneAsync(ns, list[i], cancellationToken).ConfigureAwait(false) is { } stored)
                {
                    result = result == parameters ? (JsonObject)parameters.DeepClone() : result;
                    ((JsonArray)result["reference_images"]!)[i] = stored;
                }
            }
        }
        if (await StoreOneAsync(ns, parameters["input_image"], cancellationToken).ConfigureAwait(false) is { } input)
        {
            result = result == parameters ? (JsonObject)parameters.DeepClone() : result;
            result["input_image"] = input;
        }
        return result;
    }

    /// <summary>The bytes behind an inline reference of namespace <paramref name="ns"/>; null when there are none.</summary>
    public async Task<byte[]?> ReadAsync(string ns, string reference, CancellationToken cancellationToken)
    {
        var hex = reference[Prefix.Length..];
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower)) return null;
        var stream = await blobs.OpenReadAsync(Key(ns, hex), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (stream is null) return null;
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    private async Task<string?> StoreOneAsync(string ns, JsonNode? value, CancellationToken cancellationToken)
    {
        if (value is not JsonValue v || !v.TryGetValue(out string? url) || !url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
            || DataUrls.Decode(url, out var bytes) is not null)
            return null;
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var key = Key(ns, hex);
        if (!await blobs.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            using var content = new MemoryStream(bytes, writable: false);
            await blobs.PutAsync(key, content, cancellationToken).ConfigureAwait(false);
        }
        return Prefix + hex;
    }

    private static string Key(string ns, string hex) => $"inline/{ns}/{hex}";
}
