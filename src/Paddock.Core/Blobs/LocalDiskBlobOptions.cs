using Paddock.Core.Hosting;

namespace Paddock.Core.Blobs;

/// <summary>Where the local-disk blob store keeps its files (section <c>Paddock:Blobs:Local</c>).</summary>
public sealed class LocalDiskBlobOptions
{
    /// <summary>The folder; <c>blobs</c> in the data directory when not set.</summary>
    public string? Directory { get; set; }

    public string DirectoryUnder(DataDirectoryOptions data) => Path.GetFullPath(Directory ?? Path.Combine(data.DataDirectory, "blobs"));
}
