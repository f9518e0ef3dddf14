using System.Globalization;

namespace Paddock.Core.References;

/// <summary>
/// The limits every reference image must meet (docs/API.md, reference image rules), and the one check of an image's
/// bytes against them that the server applies to every reference and the <c>paddock</c> command to a local file before
/// it uploads it: the same rules, in the same order, with the same words.
/// </summary>
public static class ReferenceRules
{
    /// <summary>Why a file of <paramref name="length"/> bytes is too large, or null.</summary>
    public static string? CheckSize(long length) =>
        length > MaxBytes ? $"is {length} bytes; at most {MaxBytes} bytes (10 MB) are accepted" : null;

    /// <summary>
    /// The first problem of an image's bytes, worded for the user (without its field name), or null with its header:
    /// its size, that it is JPEG or PNG by its bytes, the limits its header states — before anything decodes it, so a
    /// decompression bomb is refused by its header — and then that the whole file is intact.
    /// </summary>
    public static string? Check(ReadOnlySpan<byte> bytes, out ImageHeader? header)
    {
        header = null;
        if (CheckSize(bytes.Length) is { } tooLarge) return tooLarge;
        var read = ImageInspector.Inspect(bytes, out var problem);
        if (read is null) return problem;
        if (Check(read) is { } broken) return broken;
        if (ImageIntegrity.Check(bytes, read) is { } damaged) return damaged;
        header = read;
        return null;
    }

    public const long MaxBytes = 10 * 1024 * 1024;
    public const int MinShorterSideExclusive = 400;
    public const double MaxAspect = 2.5;
    public const long MaxPixels = 40_000_000;

    /// <summary>The first rule the header breaks, worded for the user, or null.</summary>
    public static string? Check(ImageHeader header)
    {
        long pixels = (long)header.Width * header.Height;
        if (pixels > MaxPixels)
            return string.Create(CultureInfo.InvariantCulture, $"is {header.Width} × {header.Height} ({pixels / 1e6:0.#} megapixels); at most {MaxPixels / 1_000_000} megapixels are accepted");
        var shorter = Math.Min(header.Width, header.Height);
        var longer = Math.Max(header.Width, header.Height);
        if (shorter <= MinShorterSideExclusive)
            return $"shorter side is {shorter} px; it must be more than {MinShorterSideExclusive} px";
        var aspect = (double)longer / shorter;
        if (aspect > MaxAspect)
            return string.Create(CultureInfo.InvariantCulture, $"aspect ratio is {aspect:0.##}:1 ({header.Width} × {header.Height}); it must be at most {MaxAspect}:1");
        return null;
    }
}
