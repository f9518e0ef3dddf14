using System.Security.Cryptography;
using Paddock.Core.Blobs;
using Paddock.Core.Maintenance;

namespace Paddock.Core.Files;

public sealed class FileOptions
{
    /// <summary>The most bytes one upload request may carry.</summary>
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;
}

/// <summary>One uploaded part: where it goes and its bytes.</summary>
public sealed record FileUpload(string Path, Stream Content);

/// <summary>Stores uploads content-addressed in the blob store and records them as a commit.</summary>
public sealed class FileService(IFileStore files, IBlobStore blobs, WorkArea work)
{
    public async Task<FileCommit> UploadAsync(string ns, string repo, string branch, string message, string author,
        IReadOnlyList<FileUpload> uploads, CancellationToken cancellationToken)
    {
        var committed = new List<CommittedFile>(uploads.Count);
        foreach (var upload in uploads)
        {
            // In this process's work folder (reclaimed if the process dies), on the blobs' disk as a rule: the move into place is a rename.
            var temp = work.PathFor("upload-" + Guid.NewGuid().ToString("N"));
            try
            {
                string hash;
                long size;
                var head = new byte[64];
                var headLength = 0;
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = await upload.Content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        if (headLength < head.Length)
                        {
                            var take = Math.Min(read, head.Length - headLength);
                            Array.Copy(buffer, 0, head, headLength, take);
                            headLength += take;
                        }
                        sha.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                    size = file.Length;
                    hash = Convert.ToHexStringLower(sha.GetHashAndReset());
                }
                var key = FilePaths.BlobKey(hash);
                if (!await blobs.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
                    await blobs.PutFileAsync(key, temp, cancellationToken).ConfigureAwait(false);
                committed.Add(new CommittedFile(upload.Path, hash, size, FilePaths.ContentTypeOf(upload.Path, head.AsSpan(0, headLength))));
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
        return await files.CommitAsync(ns, repo, branch, message, author, committed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The file and a readable stream of its bytes, or null.</summary>
    public async Task<(RepoFile File, Stream Content)?> OpenAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken)
    {
        var file = await files.GetAsync(ns, repo, branch, path, cancellationToken).ConfigureAwait(false);
        if (file is null) return null;
        // Seekable through the blob contract (length + range reads): the file routes serve HTTP Range from any store.
        var stream = await BlobReadStream.OpenAsync(blobs, FilePaths.BlobKey(file.ContentHash), cancellationToken).ConfigureAwait(false);
        return stream is null ? null : (file, stream);
    }
}
