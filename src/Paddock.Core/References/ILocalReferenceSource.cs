namespace Paddock.Core.References;

/// <summary>
/// Reads references that point at this server itself (its file routes) straight from storage,
/// with the rights of the generation's namespace, instead of fetching them over HTTP.
/// </summary>
public interface ILocalReferenceSource
{
    /// <summary>The bytes when <paramref name="url"/> is this server's own file; null when it is not ours.</summary>
    /// <exception cref="ReferenceImageException">Ours, but missing or not readable by <paramref name="ns"/>.</exception>
    Task<byte[]?> TryReadAsync(int position, Uri url, string ns, CancellationToken cancellationToken);
}
