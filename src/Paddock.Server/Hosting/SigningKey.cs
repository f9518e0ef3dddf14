using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Paddock.Server.Hosting;

/// <summary>The secret behind signed output URLs: configured, or created once in the data directory.</summary>
public sealed class SigningKey
{
    public SigningKey(IOptions<PaddockOptions> options)
    {
        var configured = options.Value.SigningKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Bytes = Convert.FromHexString(configured.Trim());
            return;
        }
        var path = Path.Combine(options.Value.DataDirectory, "signing.key");
        Directory.CreateDirectory(options.Value.DataDirectory);
        if (!File.Exists(path))
        {
            var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                using var writer = new StreamWriter(file);
                writer.Write(fresh);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }
        Bytes = Convert.FromHexString(File.ReadAllText(path).Trim());
    }

    public byte[] Bytes { get; }
}
