namespace Paddock.Core.Files;

/// <summary>A file at a path of a repository branch; its bytes are the blob of <see cref="ContentHash"/>.</summary>
/// <param name="Pinned">The file never expires, whatever the retention setting.</param>
/// <param name="ExpiredAt">When the retention sweeper expired it (its bytes are gone unless another live file holds them); an upload to the path writes it anew.</param>
public sealed record RepoFile(
    string Namespace, string Repo, string Branch, string Path,
    string ContentHash, long Size, string ContentType, string CommitId, DateTimeOffset UpdatedAt,
    bool Pinned = false, DateTimeOffset? ExpiredAt = null);

/// <summary>One upload: the files it wrote, with a message, as the original file API answers it.</summary>
public sealed record FileCommit(
    string Id, string Namespace, string Repo, string Branch, string Message, string Author, string? ParentId, DateTimeOffset Timestamp);

/// <summary>A file to record in a commit; its bytes are already in the blob store.</summary>
public sealed record CommittedFile(string Path, string ContentHash, long Size, string ContentType);

/// <summary>
/// Which file of which repository holds which content (the bytes live in the blob store, once per
/// content hash). A repository exists from its first upload.
/// </summary>
public interface IFileStore
{
    /// <summary>
    /// Records the files as one commit on the branch (overwriting files that exist); durable when this returns.
    /// A path is either a file or a directory: a file below an existing file, or at a path that holds files,
    /// refuses the whole commit with <see cref="FilePathConflictException"/>, checked atomically with the write.
    /// </summary>
    Task<FileCommit> CommitAsync(string ns, string repo, string branch, string message, string author,
        IReadOnlyList<CommittedFile> files, CancellationToken cancellationToken = default);

    Task<RepoFile?> GetAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default);

    /// <summary>True when some file lives below <paramref name="path"/> (so the path names a directory).</summary>
    Task<bool> IsDirectoryAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pins (or unpins) a file of the namespace and returns it as it is now; null when the namespace has no file there.
    /// An expired file is returned unchanged (it cannot come back by a pin).
    /// </summary>
    Task<RepoFile?> SetPinnedAsync(string ns, string repo, string branch, string path, bool pinned, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a file of the namespace for good and returns what it was; null when the namespace has no file there.
    /// Its bytes stay in the blob store for the caller to delete when <see cref="IsContentInUseAsync"/> says nothing else holds them.
    /// </summary>
    Task<RepoFile?> DeleteAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks expired (now) up to <paramref name="limit"/> files of <paramref name="scope"/> written before its time that
    /// are neither pinned nor expired yet, and returns them. Each file is marked by one caller only, however many
    /// processes sweep one database at once.
    /// </summary>
    Task<IReadOnlyList<RepoFile>> ExpireAsync(Retention.ExpiryScope scope, int limit, CancellationToken cancellationToken = default);

    /// <summary>Whether a file that has not expired, of any namespace, holds the content (identical bytes are stored once).</summary>
    Task<bool> IsContentInUseAsync(string contentHash, CancellationToken cancellationToken = default);
}

/// <summary>A commit would put a file below another file, or at a path that is a directory; nothing was written.</summary>
public sealed class FilePathConflictException(string path, string conflictingPath, bool conflictIsFile)
    : Exception(conflictIsFile
        ? $"path: cannot write {path}: {conflictingPath} is a file, so nothing can be stored below it; choose another path"
        : $"path: cannot write {path}: it is a directory (it holds {conflictingPath}); choose another name, or upload into it with 'files[]'")
{
    /// <summary>The path the commit would have written.</summary>
    public string Path { get; } = path;

    /// <summary>The file that is in the way: an ancestor of <see cref="Path"/>, or a file below it.</summary>
    public string ConflictingPath { get; } = conflictingPath;
}
