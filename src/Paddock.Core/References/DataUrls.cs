using System.Text;

namespace Paddock.Core.References;

/// <summary>Reading the bytes of a <c>data:</c> URL (RFC 2397): base64 or percent-encoded, at most 10 MB.</summary>
public static class DataUrls
{
    /// <summary>Whether a payload of this many characters holds more than an image may (base64 of 10 MB, with slack).</summary>
    public static bool TooLarge(int payloadLength) => payloadLength > (ReferenceRules.MaxBytes * 4 / 3) + 4;

    /// <summary>Null and the bytes when the URL decodes; otherwise what is wrong with it, worded to follow a field name.</summary>
    public static string? Decode(string url, out byte[] bytes)
    {
        bytes = [];
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0) return "is a data: URL without a ',' before its data";
        var meta = url.AsSpan(5, comma - 5);
        var payload = url.AsSpan(comma + 1);
        if (TooLarge(payload.Length))
            return $"is larger than {ReferenceRules.MaxBytes} bytes (10 MB)";
        if (meta.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            try { bytes = Convert.FromBase64String(payload.ToString()); }
            catch (FormatException) { return "is a data: URL whose base64 data is not valid"; }
        }
        else
        {
            bytes = Encoding.Latin1.GetBytes(Uri.UnescapeDataString(payload.ToString()));
        }
        return bytes.LongLength > ReferenceRules.MaxBytes ? $"is larger than {ReferenceRules.MaxBytes} bytes (10 MB)" : null;
    }
}
