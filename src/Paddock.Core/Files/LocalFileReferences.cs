using Paddock.Core.References;
using Paddock.Core.Security;

namespace Paddock.Core.Files;

/// <summary>References at this server's file route (<c>/api/repos/{ns}/{repo}/file/{branch}/{path}</c>), read from storage.</summary>
public sealed class LocalFileReferences(FileService files, IFileStore store, Retention.RetentionPolicy retention, UrlSigner signer, SelfHosts hosts) : ILocalReferenceSource
{
    public async Task<byte[]?> TryReadAsync(int position, Uri url, string ns, CancellationToken cancellationToken)
    {
        if (!hosts.Contains(url) || FileRoute.Parse(url.AbsolutePath) is not { } route) return null;

        // A file of another namespace is readable only through a signed URL; otherwise it does not exist for this caller.
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        var readable = route.Namespace == ns || signer.Verify(FilePaths.DecodeUrlPath(url.AbsolutePath), query["exp"], query["sig"]) is null;
        // Past its retention a file is gone for every reader, the server's own renders included, whether or not the sweep came by.
        if (readable && await store.GetAsync(route.Namespace, route.Repo, route.Branch, route.Path, cancellationToken).ConfigureAwait(false) is { } file && retention.IsExpired(file))
            throw new ReferenceImageException(position, Retention.RetentionPolicy.ExpiredMessage($"the file {route.Namespace}/{route.Repo}/{route.Branch}/{route.Path}", retention.ExpiresAt(file)!.Value) + "; upload it again");
        var opened = readable ? await files.OpenAsync(route.Namespace, route.Repo, route.Branch, route.Path, cancellationToken).ConfigureAwait(false) : null;
        if (opened is not { } found)
            throw new ReferenceImageException(position, $"no file at {route.Namespace}/{route.Repo}/{route.Branch}/{route.Path} on this server (upload it first, or check the namespace)");
        await using var content = found.Content;
        if (ReferenceRules.CheckSize(found.File.Size) is { } tooLarge)
            throw new ReferenceImageException(position, tooLarge);
        using var buffer = new MemoryStream((int)found.File.Size);
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}

/// <summary>The parts of a file route path.</summary>
public sealed record FileRoute(string Namespace, string Repo, string Branch, string Path)
{
    public static FileRoute? Parse(string absolutePath)
    {
        var segments = absolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length < 7 || segments[0] != "api" || segments[1] != "repos" || segments[4] != "file") return null;
        var path = FilePaths.Normalize(string.Join('/', segments[6..]));
        return path is null or "" ? null : new FileRoute(segments[2], segments[3], segments[5], path);
    }

    public string UrlPath => $"/api/repos/{Uri.EscapeDataString(Namespace)}/{Uri.EscapeDataString(Repo)}/file/{Uri.EscapeDataString(Branch)}/{string.Join('/', Path.Split('/').Select(Uri.EscapeDataString))}";
}
