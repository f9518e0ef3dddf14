using System.Security.Cryptography;
using System.Text;
using Paddock.Core.Configuration;

namespace Paddock.Core.Auth;

/// <summary>
/// The admin key (section <c>Paddock:Admin</c>): the one credential of the admin API under <c>/api/admin</c>, apart from
/// every namespace's keys. Give it as <see cref="Key"/> (the key itself) or, to keep it out of configuration files, as
/// <see cref="KeyHash"/> (its SHA-256 in hex; <c>paddock admin new-key</c> prints a key and its hash). Neither set: the
/// admin API is off and answers 403 saying how to turn it on.
/// </summary>
public sealed class AdminOptions : IValidatedSettings
{
    public const string Section = "Paddock:Admin";

    /// <summary>The shortest admin key accepted: long enough that guessing is hopeless even with a fast hash.</summary>
    public const int MinKeyLength = 32;

    public string? Key { get; set; }

    public string? KeyHash { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(Key) || !string.IsNullOrEmpty(KeyHash);

    /// <summary>Whether <paramref name="presentedHash"/> (<see cref="ApiKeyFormat.Hash"/> of a presented key) is the admin key's, compared in constant time.</summary>
    public bool MatchesHash(string presentedHash)
    {
        ArgumentNullException.ThrowIfNull(presentedHash);
        var expected = !string.IsNullOrEmpty(Key) ? ApiKeyFormat.Hash(Key) : KeyHash?.ToLowerInvariant();
        if (expected is null) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presentedHash), Encoding.ASCII.GetBytes(expected));
    }

    /// <summary>A new admin key: recognisable by its prefix, 32 random bytes.</summary>
    public static string NewKey() => "pdk_admin_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public void Validate(string section, ICollection<string> problems)
    {
        if (!string.IsNullOrEmpty(Key) && !string.IsNullOrEmpty(KeyHash))
            problems.Add($"{section}:Key and {section}:KeyHash are both set; give one of them (KeyHash keeps the key itself out of the configuration)");
        if (!string.IsNullOrEmpty(Key) && (Key.Length < MinKeyLength || Key.Any(char.IsWhiteSpace)))
            problems.Add($"{section}:Key must be at least {MinKeyLength} characters without spaces; 'paddock admin new-key' prints a good one");
        if (!string.IsNullOrEmpty(KeyHash) && (KeyHash.Length != 64 || !KeyHash.All(char.IsAsciiHexDigit)))
            problems.Add($"{section}:KeyHash must be the key's SHA-256 as 64 hex digits; 'paddock admin new-key' prints a key and its hash");
    }
}
