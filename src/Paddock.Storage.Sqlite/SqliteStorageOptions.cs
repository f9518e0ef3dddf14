using Paddock.Core.Hosting;

namespace Paddock.Storage.Sqlite;

/// <summary>The embedded database (section <c>Paddock:Storage:Sqlite</c>).</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>The database file; <c>paddock.db</c> in the data directory when not set.</summary>
    public string? Path { get; set; }

    public string FileUnder(DataDirectoryOptions data) => System.IO.Path.GetFullPath(Path ?? System.IO.Path.Combine(data.DataDirectory, "paddock.db"));
}
