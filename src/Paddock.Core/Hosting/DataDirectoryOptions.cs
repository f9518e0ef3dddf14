using Paddock.Core.Configuration;

namespace Paddock.Core.Hosting;

/// <summary>Where this deployment keeps what it stores on the local disk (section <c>Paddock</c>, key <c>DataDirectory</c>).</summary>
public sealed class DataDirectoryOptions : IValidatedSettings
{
    /// <summary>The embedded database, outputs, uploads and the signing key live here unless their own settings say otherwise.</summary>
    public string DataDirectory { get; set; } = ".paddock";

    public string FullPath => Path.GetFullPath(DataDirectory);

    /// <summary>Where each process keeps its files in the making, one locked folder per process (<c>work</c> in the data directory).</summary>
    public string WorkDirectory => Path.Combine(FullPath, "work");

    public void Validate(string section, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            problems.Add($"{section}:DataDirectory is empty; give a folder (e.g. --data-dir /var/lib/paddock)");
        else if (DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            problems.Add($"{section}:DataDirectory '{DataDirectory}' is not a usable path");
    }
}
