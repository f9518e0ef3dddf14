using System.Text.RegularExpressions;

namespace Paddock.Core.Blobs;

/// <summary>
/// Blobs as files under one root folder. Writes go to a temporary name beside the target first
/// (<c>&lt;key&gt;.&lt;32 hex&gt;.tmp</c>), then move into place.
/// </summary>
public sealed partial class LocalDiskBlobStore : IBlobStore
{
    private readonly string _root;

    [GeneratedRegex(@"\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryName();

    public LocalDiskBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public async Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(localPath, target, overwrite: true);
        }
        catch (IOException)
        {
            // Another file system: copy, then move into place so a reader never sees half a file.
            await using var source = File.OpenRead(localPath);
            await PutAsync(key, source, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? new BlobInfo(file.Length) : null);
    }

    public Task<Stream?> OpenReadAsync(string key, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        if (range is null) return Task.FromResult<Stream?>(file);
        var count = range.CountWithin(file.Length);
        file.Position = Math.Min(range.Offset, file.Length);
        return Task.FromResult<Stream?>(new LimitedReadStream(file, count));
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (File.Exists(path)) File.Delete(path);
        return Task.CompletedTask;
    }

    public IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return List(prefix, cancellationToken).ToAsyncEnumerable();
    }

    private IEnumerable<StoredBlob> List(string prefix, CancellationToken cancellationToken)
    {
        // The folder holding the prefix's keys, then a name filter: "outputs/" lists that folder, "outputs/ns/ab" the files starting so.
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        if (!Directory.Exists(folder)) yield break;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None };
        foreach (var path in Directory.EnumerateFiles(folder, "*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || TemporaryName().IsMatch(key)) continue;
            var info = new FileInfo(path);
            if (!info.Exists) continue; // deleted since it was listed
            yield return new StoredBlob(key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
        }
    }

    public Task<int> ReclaimAbandonedWritesAsync(DateTimeOffset untouchedSince, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        var cutoff = untouchedSince.UtcDateTime;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None };
        foreach (var path in Directory.EnumerateFiles(_root, "*.tmp", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A live writer keeps changing its temporary file; one untouched this long belongs to a process that died.
            if (!TemporaryName().IsMatch(path) || File.GetLastWriteTimeUtc(path) > cutoff) continue;
            try
            {
                File.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return Task.FromResult(removed);
    }

    /// <summary>Keys are relative paths of plain segments; anything that could climb out of the root is refused.</summary>
    private string PathOf(string key)
    {
        BlobKeys.Check(key);
        var full = Path.GetFullPath(Path.Combine(_root, key));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"invalid blob key '{key}'", nameof(key));
        return full;
    }
}
