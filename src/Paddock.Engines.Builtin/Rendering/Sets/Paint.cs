using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Sets;

/// <summary>The planes of a procedural set, back to front, with how strongly the camera moves each.</summary>
internal enum Depth
{
    Sky,
    Far,
    Mid,
    Ground,
    Front,
}

/// <summary>
/// What a set painter draws with: a canvas in world coordinates (frame pixels at zoom 1), the world
/// area being baked (elements outside it are skipped), the horizon, the time of day, and a random
/// stream per element so that what is drawn at a place never depends on how much of the world is baked.
/// </summary>
internal sealed class PaintContext(SKCanvas canvas, SKRect area, int width, int height, float horizon, TimeOfDay time, ulong variant, Depth depth)
{
    public SKCanvas Canvas { get; } = canvas;

    public SKRect Area { get; } = area;

    public int Width { get; } = width;

    public int Height { get; } = height;

    public float Horizon { get; } = horizon;

    public TimeOfDay Time { get; } = time;

    public Depth Depth { get; } = depth;

    public ulong Variant { get; } = variant;

    public bool Night => Time == TimeOfDay.Night;

    /// <summary>A stream for element <paramref name="index"/> of kind <paramref name="purpose"/> in this set.</summary>
    public DeterministicRandom Random(string purpose, int index = 0) =>
        new(Variant ^ StableHash.Of(purpose) ^ ((ulong)(uint)index * 0x9E3779B97F4A7C15UL) ^ ((ulong)Depth << 56));

    /// <summary>One random stream for the set as a whole (its colours, where its sun is).</summary>
    public DeterministicRandom Shared(string purpose) => new(Variant ^ StableHash.Of(purpose));

    /// <summary>Element indices whose slots (each <paramref name="spacing"/> wide) overlap the baked area, with a margin.</summary>
    public IEnumerable<int> Slots(float spacing, float margin = 0f)
    {
        var first = (int)MathF.Floor((Area.Left - margin) / spacing);
        var last = (int)MathF.Ceiling((Area.Right + margin) / spacing);
        for (var i = first; i <= last; i++)
        {
            yield return i;
        }
    }
}

/// <summary>Drawing helpers shared by the sets: gradients, ridges, glows, trees, soft clouds.</summary>
internal static class Paint
{
    public static SKColor Mix(SKColor a, SKColor b, float t) => new(
        (byte)MathF.Round(a.Red + ((b.Red - a.Red) * Math.Clamp(t, 0f, 1f))),
        (byte)MathF.Round(a.Green + ((b.Green - a.Green) * Math.Clamp(t, 0f, 1f))),
        (byte)MathF.Round(a.Blue + ((b.Blue - a.Blue) * Math.Clamp(t, 0f, 1f))),
        (byte)MathF.Round(a.Alpha + ((b.Alpha - a.Alpha) * Math.Clamp(t, 0f, 1f))));

    /// <summary>A colour's hue turned by <paramref name="degrees"/> and its brightness scaled: the seed's variation of a setting's colours.</summary>
    public static SKColor Shift(SKColor color, float degrees, float brightness = 1f)
    {
        color.ToHsv(out var h, out var s, out var v);
        return SKColor.FromHsv(((h + degrees) % 360f + 360f) % 360f, s, Math.Clamp(v * brightness, 0f, 100f)).WithAlpha(color.Alpha);
    }

    public static void VerticalGradient(SKCanvas canvas, SKRect rect, SKColor[] colors, float[]? stops = null)
    {
        using var shader = SKShader.CreateLinearGradient(new SKPoint(0, rect.Top), new SKPoint(0, rect.Bottom), colors, stops, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader, IsDither = true };
        canvas.DrawRect(rect, paint);
    }

    public static void Fill(SKCanvas canvas, SKPath path, SKColor color)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawPath(path, paint);
    }

    public static void Fill(SKCanvas canvas, SKPath path, SKShader shader)
    {
        using var paint = new SKPaint { Shader = shader, IsAntialias = true, IsDither = true };
        canvas.DrawPath(path, paint);
    }

    /// <summary>A soft radial glow (sun halo, lamp light, spotlight): a small pre-rendered falloff stretched into place.</summary>
    public static void Glow(SKCanvas canvas, float x, float y, float radius, SKColor color, float alpha)
    {
        if (radius <= 0f)
        {
            return;
        }

        using var blob = new SoftBlob(color, alpha, core: 0f);
        blob.Draw(canvas, x, y, radius, radius);
    }

    public static void Disc(SKCanvas canvas, float x, float y, float radius, SKColor color)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawCircle(x, y, radius, paint);
    }

    public static void Ellipse(SKCanvas canvas, float x, float y, float rx, float ry, SKColor color)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawOval(x, y, rx, ry, paint);
    }

    public static void Rect(SKCanvas canvas, SKRect rect, SKColor color, float radius = 0f)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        if (radius > 0f)
        {
            canvas.DrawRoundRect(rect, radius, radius, paint);
        }
        else
        {
            canvas.DrawRect(rect, paint);
        }
    }

    /// <summary>
    /// A silhouette across the baked area: a ridge line of a few octaves of smooth noise around
    /// <paramref name="baseline"/>, filled down to <paramref name="bottom"/>. The noise is a function of world x, so it continues seamlessly.
    /// </summary>
    public static SKPath Ridge(PaintContext c, string purpose, float baseline, float amplitude, float wavelength, float bottom, float sharpness = 0f)
    {
        var random = c.Shared(purpose);
        var phases = new float[4];
        for (var i = 0; i < phases.Length; i++)
        {
            phases[i] = random.Range(0f, MathF.Tau);
        }

        using var builder = new SKPathBuilder();
        var left = c.Area.Left - 4f;
        var right = c.Area.Right + 4f;
        var step = MathF.Max(2f, wavelength / 48f);
        builder.MoveTo(left, bottom);
        for (var x = left; x <= right + step; x += step)
        {
            var u = x / wavelength;
            var n = (0.5f * MathF.Sin((MathF.Tau * u) + phases[0]))
                + (0.28f * MathF.Sin((MathF.Tau * 2.13f * u) + phases[1]))
                + (0.14f * MathF.Sin((MathF.Tau * 4.37f * u) + phases[2]))
                + (0.08f * MathF.Sin((MathF.Tau * 9.1f * u) + phases[3]));
            if (sharpness > 0f)
            {
                // Folded noise makes peaks: mountains rather than hills.
                n = Easing.Lerp(n, 1f - (2f * MathF.Abs(n)), sharpness);
            }

            builder.LineTo(x, baseline - (amplitude * n));
        }

        builder.LineTo(right + step, bottom);
        builder.Close();
        return builder.Detach();
    }

    /// <summary>Where <see cref="Ridge"/> puts its line at <paramref name="x"/> (for placing things on it).</summary>
    public static float RidgeAt(PaintContext c, string purpose, float x, float baseline, float amplitude, float wavelength, float sharpness = 0f)
    {
        var random = c.Shared(purpose);
        var phases = new float[4];
        for (var i = 0; i < phases.Length; i++)
        {
            phases[i] = random.Range(0f, MathF.Tau);
        }

        var u = x / wavelength;
        var n = (0.5f * MathF.Sin((MathF.Tau * u) + phases[0]))
            + (0.28f * MathF.Sin((MathF.Tau * 2.13f * u) + phases[1]))
            + (0.14f * MathF.Sin((MathF.Tau * 4.37f * u) + phases[2]))
            + (0.08f * MathF.Sin((MathF.Tau * 9.1f * u) + phases[3]));
        if (sharpness > 0f)
        {
            n = Easing.Lerp(n, 1f - (2f * MathF.Abs(n)), sharpness);
        }

        return baseline - (amplitude * n);
    }

    /// <summary>A conifer: stacked triangles on a short trunk, its base at (x, y).</summary>
    public static void Conifer(SKCanvas canvas, float x, float y, float height, SKColor leaves, SKColor trunk, SKColor? snow = null)
    {
        var width = height * 0.42f;
        Rect(canvas, new SKRect(x - (width * 0.07f), y - (height * 0.16f), x + (width * 0.07f), y), trunk);
        for (var tier = 0; tier < 3; tier++)
        {
            var bottom = y - (height * (0.12f + (tier * 0.24f)));
            var top = bottom - (height * 0.46f);
            var half = width * (0.5f - (tier * 0.12f));
            using var builder = new SKPathBuilder();
            builder.MoveTo(x, top);
            builder.LineTo(x + half, bottom);
            builder.QuadTo(x, bottom + (height * 0.04f), x - half, bottom);
            builder.Close();
            using var path = builder.Detach();
            Fill(canvas, path, tier == 0 ? leaves : Mix(leaves, SKColors.White, 0.04f * tier));
            if (snow is { } white)
            {
                using var capBuilder = new SKPathBuilder();
                capBuilder.MoveTo(x, top);
                capBuilder.LineTo(x + (half * 0.45f), top + ((bottom - top) * 0.42f));
                capBuilder.QuadTo(x, top + ((bottom - top) * 0.5f), x - (half * 0.45f), top + ((bottom - top) * 0.42f));
                capBuilder.Close();
                using var cap = capBuilder.Detach();
                Fill(canvas, cap, white);
            }
        }
    }

    /// <summary>A broadleaf tree: a trunk and a crown of overlapping discs, lit from above.</summary>
    public static void RoundTree(SKCanvas canvas, float x, float y, float height, SKColor leaves, SKColor trunk, DeterministicRandom random)
    {
        var crown = height * 0.32f;
        Rect(canvas, new SKRect(x - (height * 0.035f), y - (height * 0.55f), x + (height * 0.035f), y), trunk);
        var cy = y - (height * 0.66f);
        for (var i = 0; i < 6; i++)
        {
            var angle = random.Range(0f, MathF.Tau);
            var distance = random.Range(0.15f, 0.55f) * crown;
            var shade = Mix(leaves, i < 3 ? SKColors.Black : SKColors.White, i < 3 ? 0.12f : 0.08f);
            Disc(canvas, x + (MathF.Cos(angle) * distance), cy + (MathF.Sin(angle) * distance * 0.8f), crown * random.Range(0.5f, 0.75f), shade);
        }

        Disc(canvas, x - (crown * 0.15f), cy - (crown * 0.25f), crown * 0.45f, Mix(leaves, SKColors.White, 0.14f));
    }

    /// <summary>A low rounded bush of a few discs.</summary>
    public static void Bush(SKCanvas canvas, float x, float y, float size, SKColor color, DeterministicRandom random, SKColor? flowers = null)
    {
        for (var i = 0; i < 4; i++)
        {
            Disc(canvas, x + (random.Range(-0.6f, 0.6f) * size), y - (random.Range(0.2f, 0.55f) * size), size * random.Range(0.4f, 0.65f),
                Mix(color, SKColors.White, random.Range(0f, 0.12f)));
        }

        if (flowers is { } bloom)
        {
            for (var i = 0; i < 7; i++)
            {
                Disc(canvas, x + (random.Range(-0.75f, 0.75f) * size), y - (random.Range(0.2f, 0.9f) * size), size * 0.07f, bloom);
            }
        }
    }

    /// <summary>A soft cloud: a cluster of translucent soft-edged ellipses, all drawn with one <paramref name="blob"/>.</summary>
    public static void Cloud(SKCanvas canvas, SoftBlob blob, float x, float y, float size, DeterministicRandom random)
    {
        for (var i = 0; i < 5; i++)
        {
            blob.Draw(canvas, x + (random.Range(-1f, 1f) * size), y + (random.Range(-0.2f, 0.2f) * size), size * random.Range(0.6f, 1f), size * random.Range(0.3f, 0.45f));
        }
    }

    /// <summary>Grass blades: thin curved strokes rising from a baseline.</summary>
    public static void Tuft(SKCanvas canvas, float x, float y, float height, SKColor color, DeterministicRandom random)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = MathF.Max(1f, height * 0.06f), StrokeCap = SKStrokeCap.Round };
        for (var i = 0; i < 7; i++)
        {
            var bend = random.Range(-0.35f, 0.35f) * height;
            var h = height * random.Range(0.6f, 1f);
            var start = x + (random.Range(-0.3f, 0.3f) * height);
            using var builder = new SKPathBuilder();
            builder.MoveTo(start, y);
            builder.QuadTo(start + (bend * 0.3f), y - (h * 0.6f), start + bend, y - h);
            using var path = builder.Detach();
            canvas.DrawPath(path, paint);
        }
    }

    /// <summary>A rock: an irregular rounded polygon, lit from above.</summary>
    public static void Rock(SKCanvas canvas, float x, float y, float size, SKColor color, DeterministicRandom random)
    {
        using var builder = new SKPathBuilder();
        const int points = 7;
        for (var i = 0; i <= points; i++)
        {
            var angle = MathF.PI + (MathF.PI * i / points);
            var r = size * random.Range(0.75f, 1.05f);
            var px = x + (MathF.Cos(angle) * r);
            var py = y + (MathF.Sin(angle) * r * 0.7f);
            if (i == 0)
            {
                builder.MoveTo(px, y);
            }

            builder.LineTo(px, MathF.Min(py, y));
        }

        builder.Close();
        using var path = builder.Detach();
        Fill(canvas, path, color);
        Ellipse(canvas, x - (size * 0.2f), y - (size * 0.45f), size * 0.35f, size * 0.18f, Mix(color, SKColors.White, 0.18f));
    }
}
