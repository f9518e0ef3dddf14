using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Paddock.Core.Security;

/// <summary>
/// Signs paths of this server (outputs, hosted files) so a URL can be used without the Bearer key
/// until it expires: HMAC-SHA256 over the path and the expiry.
/// </summary>
public sealed class UrlSigner(byte[] key, TimeProvider time)
{
    /// <summary>The query string (<c>exp=…&amp;sig=…</c>) that makes <paramref name="path"/> readable until <paramref name="lifetime"/> from now.</summary>
    public (string Query, DateTimeOffset Expires) Sign(string path, TimeSpan lifetime)
    {
        var exp = (time.GetUtcNow() + lifetime).ToUnixTimeSeconds();
        return ($"exp={exp.ToString(CultureInfo.InvariantCulture)}&sig={Signature(path, exp)}", DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    /// <summary>Null when the signature is good and unexpired, else why not.</summary>
    public string? Verify(string path, string? exp, string? sig)
    {
        if (!long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expSeconds) || string.IsNullOrEmpty(sig))
            return "this URL is not signed; ask the API for a fresh one";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(path, expSeconds)), Encoding.ASCII.GetBytes(sig)))
            return "this URL's signature is not valid; ask the API for a fresh one";
        if (time.GetUtcNow().ToUnixTimeSeconds() > expSeconds)
            return "this URL has expired; ask the API for a fresh one";
        return null;
    }

    private string Signature(string path, long exp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{path}\n{exp.ToString(CultureInfo.InvariantCulture)}")));
}
