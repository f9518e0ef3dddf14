using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Paddock.Core.Hosting;

namespace Paddock.Core.Security;

/// <summary>The secret behind signed URLs: configured, or created once in the data directory (shared by every process using it).</summary>
public sealed class SigningKey
{
    public SigningKey(IOptions<SigningOptions> signing, IOptions<DataDirectoryOptions> data)
    {
        var configured = signing.Value.SigningKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Bytes = Convert.FromHexString(configured.Trim());
            return;
        }
        var folder = data.Value.DataDirectory;
        var path = Path.Combine(folder, "signing.key");
        Directory.CreateDirectory(folder);
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
