namespace Paddock.Core.Security;

/// <summary>The secret behind signed URLs (key <c>Paddock:SigningKey</c>).</summary>
public sealed class SigningOptions : Configuration.IValidatedSettings
{
    /// <summary>The key as hex; every process of one deployment needs the same. Generated into the data directory when absent.</summary>
    public string? SigningKey { get; set; }

    public void Validate(string section, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(SigningKey)) return;
        var key = SigningKey.Trim();
        if (key.Length < 32 || key.Length % 2 != 0 || !key.All(char.IsAsciiHexDigit))
            problems.Add($"{section}:SigningKey must be at least 16 bytes written as hex (32 or more hex digits, e.g. from 'openssl rand -hex 32')");
    }
}
