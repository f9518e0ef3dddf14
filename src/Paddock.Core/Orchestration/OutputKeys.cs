using System.Globalization;

namespace Paddock.Core.Orchestration;

/// <summary>
/// Where an attempt stores its video: <c>outputs/{namespace}/{id:N}-{attempt}.mp4</c>. The attempt is the lease's
/// fencing token, so each claim writes its own key, and a key names the one attempt that may commit it.
/// </summary>
public static class OutputKeys
{
    public const string Prefix = "outputs/";

    public static string For(string ns, Guid generationId, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{ns}/{generationId:N}-{attempt}.mp4");

    /// <summary>The attempt a key was written by; null for a key not of this shape.</summary>
    public static OutputOwner? Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        if (parts.Length != 3 || parts[0] + "/" != Prefix || !parts[2].EndsWith(".mp4", StringComparison.Ordinal)) return null;
        var name = parts[2][..^4];
        var dash = name.LastIndexOf('-');
        return dash == 32 && Guid.TryParseExact(name[..dash], "N", out var id)
            && int.TryParse(name[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var attempt)
            ? new OutputOwner(parts[1], id, attempt)
            : null;
    }
}

/// <summary>The attempt whose output a key holds.</summary>
public sealed record OutputOwner(string Namespace, Guid GenerationId, int Attempt);
