using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>The colours of one take, chosen from the seed.</summary>
internal sealed record Palette(SKColor Deep, SKColor Middle, SKColor Light, SKColor Accent1, SKColor Accent2, SKColor Accent3)
{
    public SKColor Accent(int i) => (i % 3) switch { 0 => Accent1, 1 => Accent2, _ => Accent3 };

    public static Palette From(DeterministicRandom random)
    {
        var hue = random.Range(0f, 360f);
        // Analogous, split-complementary or complementary accents: all read as a designed palette.
        var spread = random.Next(3) switch { 0 => 35f, 1 => 150f, _ => 180f };
        var deep = SKColor.FromHsv(hue, random.Range(45f, 75f), random.Range(14f, 24f));
        var middle = SKColor.FromHsv(Wrap(hue + random.Range(-20f, 20f)), random.Range(40f, 65f), random.Range(38f, 52f));
        var light = SKColor.FromHsv(Wrap(hue + random.Range(-15f, 15f)), random.Range(15f, 35f), random.Range(80f, 92f));
        var accent1 = SKColor.FromHsv(Wrap(hue + spread), random.Range(55f, 80f), random.Range(75f, 95f));
        var accent2 = SKColor.FromHsv(Wrap(hue - spread), random.Range(50f, 75f), random.Range(70f, 95f));
        var accent3 = SKColor.FromHsv(Wrap(hue + 180f + random.Range(-30f, 30f)), random.Range(40f, 70f), random.Range(80f, 98f));
        return new Palette(deep, middle, light, accent1, accent2, accent3);
    }

    private static float Wrap(float hue) => ((hue % 360f) + 360f) % 360f;
}
