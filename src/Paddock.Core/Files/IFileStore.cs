namespace Paddock.Core.Files;

/// <summary>A file at a path of a repository branch; its bytes are the blob of <see cref="ContentHash"/>.</summary>
public sealed record RepoFile(
    string Namespace, string Repo, string Branch, string Path,
    string ContentHash, long Size, string ContentType, string CommitId, DateTimeOffset UpdatedAt);

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
