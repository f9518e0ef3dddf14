using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Core.Blobs;
using Paddock.Core.Memory;

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
    /// Replaces, in <paramref name="parameters"/> itself, each decodable <c>data:</c> image by its inline reference. A
    /// data: URL that does not decode stays as it is, for the worker to report with the reason. Base64 is decoded
    /// straight from the request's UTF-8 bytes into native memory, one image at a time: no text copy of the megabytes
    /// is made, and the decoded bytes are freed once stored.
    /// </summary>
    public async ValueTask StoreAsync(string ns, JsonObject parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters["reference_images"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (await StoreOneAsync(ns, list[i], cancellationToken).ConfigureAwait(false) is { } stored) list[i] = stored;
            }
        }
        if (await StoreOneAsync(ns, parameters["input_image"], cancellationToken).ConfigureAwait(false) is { } input)
            parameters["input_image"] = input;
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
        using var bytes = Decode(value);
        if (bytes is null) return null;
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes.Written.Span));
        var key = Key(ns, hex);
        if (!await blobs.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            await using var content = bytes.AsStream();
            await blobs.PutAsync(key, content, cancellationToken).ConfigureAwait(false);
        }
        return Prefix + hex;
    }

    /// <summary>The decoded bytes of a data: URL value, or null when it is not one that decodes.</summary>
    private static NativeBuffer? Decode(JsonNode? value)
    {
        if (value is not JsonValue v) return null;
        // A value that still is the request's JSON: its raw UTF-8, unless escapes need the text form.
        if (v.TryGetValue(out JsonElement element) && element.ValueKind == JsonValueKind.String)
        {
            var raw = JsonMarshal.GetRawUtf8Value(element);
            raw = raw[1..^1]; // the quotes
            if (raw.IndexOf((byte)'\\') < 0) return DecodeUtf8(raw);
        }
        return v.TryGetValue(out string? url) && url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && DataUrls.Decode(url, out var decoded) is null
            ? Copy(decoded)
            : null;
    }

    /// <summary>A base64 data: URL decoded from its UTF-8 bytes; a percent-encoded one through <see cref="DataUrls"/>.</summary>
    private static NativeBuffer? DecodeUtf8(ReadOnlySpan<byte> url)
    {
        if (url.Length < 5 || !System.Text.Ascii.EqualsIgnoreCase(url[..5], "data:"u8)) return null;
        var comma = url.IndexOf((byte)',');
        if (comma < 0 || DataUrls.TooLarge(url.Length - comma - 1)) return null;
        var meta = url[5..comma];
        if (meta.Length < 7 || !System.Text.Ascii.EqualsIgnoreCase(meta[^7..], ";base64"u8))
            return DataUrls.Decode(System.Text.Encoding.UTF8.GetString(url), out var decoded) is null ? Copy(decoded) : null;

        var payload = url[(comma + 1)..];
        var buffer = new NativeBuffer(Math.Max(Base64.GetMaxDecodedFromUtf8Length(payload.Length), 1));
        if (Base64.DecodeFromUtf8(payload, buffer.GetSpan(), out _, out var written) != System.Buffers.OperationStatus.Done || written > ReferenceRules.MaxBytes)
        {
            buffer.Dispose();
            return null;
        }
        buffer.Advance(written);
        return buffer;
    }

    private static NativeBuffer Copy(byte[] bytes)
    {
        var buffer = new NativeBuffer(Math.Max(bytes.Length, 1));
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
        return buffer;
    }

    private static string Key(string ns, string hex) => $"inline/{ns}/{hex}";
}
