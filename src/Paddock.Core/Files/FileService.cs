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
        // Contents already stored (so not put again), with their temp copies: kept until the commit, see below.
        var reused = new List<(string Key, string Temp)>();
        var temps = new List<string>(uploads.Count);
        try
        {
            foreach (var upload in uploads)
            {
                // In this process's work folder (reclaimed if the process dies), on the blobs' disk as a rule: the move into place is a rename.
                var temp = work.PathFor("upload-" + Guid.NewGuid().ToString("N"));
                temps.Add(temp);
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
                else
                    reused.Add((key, temp));
                committed.Add(new CommittedFile(upload.Path, hash, size, FilePaths.ContentTypeOf(upload.Path, head.AsSpan(0, headLength))));
            }
            var commit = await files.CommitAsync(ns, repo, branch, message, author, committed, cancellationToken).ConfigureAwait(false);
            // Content found stored may have been deleted by the retention sweep in between (its last other file expired,
            // checked before this commit recorded ours): put it back, so the file just written has its bytes.
            foreach (var (key, temp) in reused)
            {
                if (!await blobs.ExistsAsync(key, CancellationToken.None).ConfigureAwait(false))
                    await blobs.PutFileAsync(key, temp, CancellationToken.None).ConfigureAwait(false);
            }
            return commit;
        }
        finally
        {
            foreach (var temp in temps)
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Deletes a file of the namespace; its bytes go too unless another file that has not expired (of any namespace)
    /// holds the same content. Null when the namespace has no file there.
    /// </summary>
    public async Task<RepoFile?> DeleteAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken)
    {
        var file = await files.DeleteAsync(ns, repo, branch, path, cancellationToken).ConfigureAwait(false);
        if (file is not null && !await files.IsContentInUseAsync(file.ContentHash, cancellationToken).ConfigureAwait(false))
            await blobs.DeleteAsync(FilePaths.BlobKey(file.ContentHash), cancellationToken).ConfigureAwait(false);
        return file;
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
