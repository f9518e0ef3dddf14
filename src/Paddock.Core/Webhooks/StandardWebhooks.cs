using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Paddock.Core.Webhooks;

/// <summary>
/// The Standard Webhooks signature scheme (standardwebhooks.com, spec/standard-webhooks.md): a secret is
/// <c>whsec_</c> + base64 of 24–64 random bytes; a message is signed as HMAC-SHA256 over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c> with the secret's decoded bytes, sent as <c>v1,</c> + base64, several
/// signatures (during a rotation) separated by spaces in one <c>webhook-signature</c> header.
/// </summary>
public static class StandardWebhooks
{
    public const string SecretPrefix = "whsec_";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>A new secret of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> value: one <c>v1,</c> signature per secret, space-separated.</summary>
    public static string Signature(IEnumerable<string> secrets, string messageId, DateTimeOffset timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{Timestamp(timestamp)}.{body}");
        return string.Join(' ', secrets.Select(s => "v1," + Convert.ToBase64String(HMACSHA256.HashData(SecretBytes(s), signed))));
    }

    /// <summary>The <c>webhook-timestamp</c> value: integer Unix seconds.</summary>
    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static byte[] SecretBytes(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
}
