using System.Globalization;

namespace Paddock.Core.References;

/// <summary>The limits every reference image must meet (docs/API.md, reference image rules).</summary>
public static class ReferenceRules
{
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
