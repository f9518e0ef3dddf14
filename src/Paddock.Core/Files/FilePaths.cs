namespace Paddock.Core.Files;

/// <summary>Rules for repository names, branches and file paths: plain segments, nothing that climbs out.</summary>
public static class FilePaths
{
    public static string? ProblemWithName(string what, string value) =>
        value.Length is 0 or > 128 || value is "." or ".." || value.Any(c => c is '/' or '\\' || char.IsControl(c))
            ? $"{what}: '{value}' must be 1-128 characters without '/', '\\' or control characters"
            : null;

    /// <summary>The path normalised (no leading or trailing '/', no empty, '.' or '..' segments), or null when it cannot be.</summary>
    public static string? Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".." || s.Any(c => c == '\\' || char.IsControl(c)) || s.Length > 255)) return null;
        var joined = string.Join('/', segments);
        return joined.Length > 1024 ? null : joined;
    }

    /// <summary>
    /// An escaped URL path as the server routes it (ASP.NET's <c>Request.Path</c>): each segment percent-decoded.
    /// Signatures cover this form, so a client that re-encodes a URL (<c>%c3%a9</c> for <c>%C3%A9</c>, <c>~</c> for
    /// <c>%7E</c>) still matches. Segments of the paths we sign never hold '/', so decoding <c>%2F</c> cannot differ
    /// from the server's (which keeps it encoded).
    /// </summary>
    public static string DecodeUrlPath(string escapedPath) => string.Join('/', escapedPath.Split('/').Select(Uri.UnescapeDataString));

    /// <summary>Blob key of content: the same bytes are stored once, whoever uploads them where.</summary>
    public static string BlobKey(string contentHash) => $"files/sha256/{contentHash[..2]}/{contentHash}";

    public static string ContentTypeOf(string path, ReadOnlySpan<byte> head)
    {
        if (References.ImageInspector.SniffMediaType(head) is { } sniffed) return sniffed;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".mp4" => "video/mp4",
            ".webm" => "video/webm",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            ".json" => "application/json",
            ".txt" or ".md" => "text/plain; charset=utf-8",
            ".csv" => "text/csv; charset=utf-8",
            _ => "application/octet-stream",
        };
    }
}
