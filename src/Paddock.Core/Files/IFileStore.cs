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
    /// <summary>Records the files as one commit on the branch (overwriting paths that exist); durable when this returns.</summary>
    Task<FileCommit> CommitAsync(string ns, string repo, string branch, string message, string author,
        IReadOnlyList<CommittedFile> files, CancellationToken cancellationToken = default);

    Task<RepoFile?> GetAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default);

    /// <summary>True when some file lives below <paramref name="path"/> (so the path names a directory).</summary>
    Task<bool> IsDirectoryAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default);
}
