using System.Text.Json;
using Paddock.Client.Internal;

namespace Paddock.Client;

/// <summary>The answer of a file upload: the commit that stored the files, and where each one can be read.</summary>
public sealed class FileUploadResult
{
    internal FileUploadResult(JsonElement json, IReadOnlyList<UploadedFile> files)
    {
        Json = json;
        var commit = Internal.Json.Property(json, "commit");
        CommitId = commit is { } c ? Internal.Json.String(c, "id") : null;
        Message = commit is { } m ? Internal.Json.String(m, "message") : null;
        Files = files;
    }

    /// <summary>The commit's id.</summary>
    public string? CommitId { get; }

    /// <summary>The commit's message.</summary>
    public string? Message { get; }

    /// <summary>The files written, in the order they were sent.</summary>
    public IReadOnlyList<UploadedFile> Files { get; }

    /// <summary>The answer exactly as the server sent it.</summary>
    public JsonElement Json { get; }
}

/// <summary>One file written by an upload.</summary>
public sealed class UploadedFile
{
    internal UploadedFile(string path, Uri url, Uri? signedUrl, long? size, string? contentType, string? hash, DateTimeOffset? expiresAt = null, bool pinned = false)
    {
        ExpiresAt = expiresAt;
        Pinned = pinned;
        Path = path;
        Url = url;
        SignedUrl = signedUrl;
        Size = size;
        ContentType = contentType;
        Hash = hash;
    }

    /// <summary>The file's path in the repository.</summary>
    public string Path { get; }

    /// <summary>
    /// The file's URL on the file route (<c>/api/repos/{namespace}/{repo}/file/{branch}/{path}</c>): usable as a reference
    /// image of this server's generations, and readable with the API key.
    /// </summary>
    public Uri Url { get; }

    /// <summary>A signed, expiring URL that reads the file without a key (a Paddock extension; null elsewhere).</summary>
    public Uri? SignedUrl { get; }

    /// <summary>When the file expires under the server's retention setting; null while the namespace keeps files forever, or when pinned.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Whether the file is pinned (it never expires; <see cref="PaddockClient.PinFileAsync"/>).</summary>
    public bool Pinned { get; }

    /// <summary>The file's size in bytes, when the server says.</summary>
    public long? Size { get; }

    /// <summary>The content type the server stored, when it says.</summary>
    public string? ContentType { get; }

    /// <summary>The content hash the server stored, when it says.</summary>
    public string? Hash { get; }

    /// <inheritdoc/>
    public override string ToString() => Url.ToString();
}
