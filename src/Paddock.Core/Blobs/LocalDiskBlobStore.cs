namespace Paddock.Core.Blobs;

/// <summary>Blobs as files under one root folder. Writes go to a temporary name first, then move into place.</summary>
public sealed class LocalDiskBlobStore : IBlobStore
{
    private readonly string _root;

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
