using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Sets;

/// <summary>What one baked plane holds: the depths painted into it, and how strongly the camera moves it.</summary>
internal sealed record Plane(Depth[] Depths, float Parallax)
{
    public bool BehindActors => Parallax <= 1f;
}

/// <summary>
/// The procedural sets, each painted as up to five planes (sky, far, middle, ground, front) that the
/// camera moves at different speeds. A set's colours and layout come from its variant (the seed), so
/// another seed is another garden. Painting happens once per set, never per frame.
/// </summary>
internal static class Scenery
{
    public static float Parallax(Depth depth) => depth switch
    {
        Depth.Sky => 0.1f,
        Depth.Far => 0.3f,
        Depth.Mid => 0.6f,
        Depth.Ground => 1f,
        _ => 1.45f,
    };

    /// <summary>
    /// The planes a setting is baked into, back to front. The sky and the far distance share one plane:
    /// they move almost alike (parallax 0.1 and 0.3), and one plane fewer is one blend fewer per frame.
    /// </summary>
    public static Plane[] Planes(SettingKind setting) => setting switch
    {
        SettingKind.Studio => [new([Depth.Sky], 0.1f), new([Depth.Ground], 1f)],
        SettingKind.Room => [new([Depth.Sky], 0.1f), new([Depth.Mid], 0.6f), new([Depth.Ground], 1f), new([Depth.Front], 1.45f)],
        _ => [new([Depth.Sky, Depth.Far], 0.15f), new([Depth.Mid], 0.6f), new([Depth.Ground], 1f), new([Depth.Front], 1.45f)],
    };

    /// <summary>Paints one plane of a setting in world coordinates.</summary>
    public static void Paint(SettingKind setting, PaintContext c)
    {
        switch (setting)
        {
            case SettingKind.Garden: Garden(c); break;
            case SettingKind.Forest: Forest(c); break;
            case SettingKind.Beach: Beach(c); break;
            case SettingKind.Ocean: Ocean(c); break;
            case SettingKind.City: City(c); break;
            case SettingKind.Desert: Desert(c); break;
            case SettingKind.Snow: Snow(c); break;
            case SettingKind.Mountains: Mountains(c); break;
            case SettingKind.Space: Space(c); break;
            case SettingKind.Studio: Studio(c); break;
            default: Room(c); break;
        }
    }

    /// <summary>
    /// The rows of world a depth can paint in, when it shares a plane with the sky: the far distance
    /// stays in a band round the horizon (its tallest peaks and towers, and its fill below).
    /// </summary>
    public static SKRect Band(Depth depth, SKRect area, int height, float horizon) => depth == Depth.Far
        ? SKRect.Intersect(area, new SKRect(area.Left, horizon - (height * FarReach), area.Right, horizon + (height * 0.32f)))
        : area;

    /// <summary>How far above the horizon the far distance may reach, as a share of the height: what it paints stays below.</summary>
    private const float FarReach = 0.45f;

    /// <summary>Whether <see cref="Lights"/> draws anything for this plane: the extra pass is skipped when not.</summary>
    public static bool HasLights(SettingKind setting, Depth depth, TimeOfDay time, bool neon)
    {
        var night = time == TimeOfDay.Night;
        return setting switch
        {
            SettingKind.Space => depth == Depth.Sky,
            SettingKind.Studio => false,
            SettingKind.Room => depth == Depth.Sky && (night || time == TimeOfDay.Sunset),
            SettingKind.City => (depth == Depth.Sky && night) || (depth is Depth.Far or Depth.Mid or Depth.Front && (night || time == TimeOfDay.Sunset || neon)),
            _ => depth == Depth.Sky && (night || neon),
        } || (neon && depth == Depth.Sky && setting != SettingKind.City);
    }

    /// <summary>What shines by itself (stars, windows, lamps, neon): painted after the grade.</summary>
    public static void Lights(SettingKind setting, PaintContext c, bool neon)
    {
        switch (setting)
        {
            case SettingKind.Space when c.Depth == Depth.Sky:
                Sky.Stars(c, c.Horizon, 2.2f);
                break;
            case SettingKind.Studio or SettingKind.Room:
                if (setting == SettingKind.Room && c.Depth == Depth.Sky)
                {
                    RoomLights(c);
                }

                break;
            case SettingKind.City:
                if (c.Depth == Depth.Sky)
                {
                    Sky.Lights(c, 0.5f);
                }

                CityLights(c, neon);
                break;
            default:
                if (c.Depth == Depth.Sky)
                {
                    Sky.Lights(c);
                }

                break;
        }

        if (neon && c.Depth == Depth.Sky && setting != SettingKind.City)
        {
            // Neon anywhere: coloured glows low in the sky, as from signs out of frame.
            var random = c.Shared("neon");
            Sets.Paint.Glow(c.Canvas, c.Width * random.Range(0.1f, 0.4f), c.Horizon, c.Width * 0.35f, new SKColor(255, 40, 200), 0.45f);
            Sets.Paint.Glow(c.Canvas, c.Width * random.Range(0.6f, 0.9f), c.Horizon * 0.9f, c.Width * 0.3f, new SKColor(40, 220, 255), 0.4f);
        }
    }

    private static float Unit(PaintContext c) => MathF.Min(c.Width, c.Height);

    /// <summary>Whether a tall foreground prop at world x stays clear of the middle of the frame, where the subjects are.</summary>
    private static bool Aside(PaintContext c, float x) => x < c.Width * 0.16f || x > c.Width * 0.84f;

    private static float Hue(PaintContext c, float range) => c.Shared("hue").Range(-range, range);

    /// <summary>
    /// Rocks at random places along the layer, one chance per slot <paramref name="spacing"/> × width apart: each
    /// slot draws its x, then <paramref name="y"/>, then <paramref name="size"/> from the slot's own random stream.
    /// </summary>
    private static void ScatterRocks(PaintContext c, string purpose, float spacing, float margin, float chance,
        Func<DeterministicRandom, float> y, Func<DeterministicRandom, float> size, SKColor color)
    {
        foreach (var slot in c.Slots(c.Width * spacing, margin))
        {
            var r = c.Random(purpose, slot);
            if (r.Chance(chance))
            {
                Sets.Paint.Rock(c.Canvas, (slot + r.NextSingle()) * c.Width * spacing, y(r), size(r), color, r);
            }
        }
    }

    private static void GroundFill(PaintContext c, float top, SKColor near, SKColor far, float wavelength = 1.4f, float amplitude = 0.008f)
    {
        using var ridge = Sets.Paint.Ridge(c, "ground-edge", top, c.Height * amplitude, c.Width * wavelength, c.Area.Bottom + 2f);
        using var shader = SKShader.CreateLinearGradient(new SKPoint(0, top), new SKPoint(0, c.Height * 1.05f), [far, near], SKShaderTileMode.Clamp);
        Sets.Paint.Fill(c.Canvas, ridge, shader);
    }

    /// <summary>Bands across the ground that widen towards the viewer: mown stripes, ripples, tiles.</summary>
    private static void Bands(PaintContext c, float top, SKColor color, int count, float thickness)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        for (var i = 1; i <= count; i++)
        {
            // Perspective: equal steps on the ground get further apart on screen nearer the camera.
            var t = i / (float)count;
            var y = top + ((c.Height * 1.08f - top) * t * t);
            var h = thickness * (0.3f + (1.5f * t));
            c.Canvas.DrawRect(c.Area.Left, y, c.Area.Width, h, paint);
        }
    }

    private static void Garden(PaintContext c)
    {
        var hue = Hue(c, 14f);
        var h = c.Height;
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c);
                break;
            case Depth.Far:
            {
                using var hills = Sets.Paint.Ridge(c, "far-hills", c.Horizon - (h * 0.03f), h * 0.05f, c.Width * 1.3f, c.Horizon + (h * 0.3f));
                Sets.Paint.Fill(c.Canvas, hills, Sets.Paint.Shift(new SKColor(138, 178, 128), hue));
                foreach (var slot in c.Slots(c.Width * 0.05f, c.Width * 0.05f))
                {
                    var r = c.Random("far-trees", slot);
                    if (r.Chance(0.45f))
                    {
                        var x = (slot + r.NextSingle()) * c.Width * 0.05f;
                        var y = Sets.Paint.RidgeAt(c, "far-hills", x, c.Horizon - (h * 0.03f), h * 0.05f, c.Width * 1.3f) + (h * 0.01f);
                        Sets.Paint.RoundTree(c.Canvas, x, y, h * r.Range(0.06f, 0.1f), Sets.Paint.Shift(new SKColor(104, 150, 104), hue), new SKColor(110, 100, 90), r);
                    }
                }

                break;
            }

            case Depth.Mid:
            {
                var leaves = Sets.Paint.Shift(new SKColor(62, 128, 64), hue);
                foreach (var slot in c.Slots(c.Width * 0.3f, c.Width * 0.2f))
                {
                    var r = c.Random("mid-trees", slot);
                    if (r.Chance(0.6f))
                    {
                        Sets.Paint.RoundTree(c.Canvas, (slot + r.NextSingle()) * c.Width * 0.3f, c.Horizon + (h * 0.02f), h * r.Range(0.26f, 0.4f), leaves, new SKColor(98, 72, 52), r);
                    }
                }

                var flowers = new[] { new SKColor(244, 120, 160), new SKColor(255, 214, 80), new SKColor(250, 250, 250), new SKColor(180, 120, 230) };
                foreach (var slot in c.Slots(c.Width * 0.07f))
                {
                    var r = c.Random("hedge", slot);
                    Sets.Paint.Bush(c.Canvas, (slot + 0.5f) * c.Width * 0.07f, c.Horizon + (h * 0.03f), h * r.Range(0.035f, 0.055f),
                        Sets.Paint.Shift(new SKColor(72, 140, 70), hue + r.Range(-8f, 8f)), r, r.Chance(0.5f) ? flowers[r.Next(flowers.Length)] : null);
                }

                break;
            }

            case Depth.Ground:
            {
                var top = c.Horizon + (h * 0.025f);
                GroundFill(c, top, Sets.Paint.Shift(new SKColor(72, 138, 54), hue), Sets.Paint.Shift(new SKColor(128, 178, 92), hue));
                Bands(c, top, new SKColor(255, 255, 255, 18), 7, h * 0.03f);
                using var paint = new SKPaint { IsAntialias = true };
                var flowers = new[] { new SKColor(250, 250, 250), new SKColor(255, 220, 90), new SKColor(240, 110, 150) };
                foreach (var slot in c.Slots(c.Width * 0.02f))
                {
                    var r = c.Random("lawn-flowers", slot);
                    for (var i = 0; i < 2; i++)
                    {
                        var t = r.NextSingle();
                        var y = top + ((h * 1.05f - top) * t * t);
                        paint.Color = flowers[r.Next(flowers.Length)];
                        c.Canvas.DrawCircle((slot + r.NextSingle()) * c.Width * 0.02f, y, h * (0.002f + (0.005f * t)), paint);
                    }
                }

                break;
            }

            default:
            {
                foreach (var slot in c.Slots(c.Width * 0.16f, c.Width * 0.1f))
                {
                    var r = c.Random("front", slot);
                    if (r.Chance(0.55f))
                    {
                        var x = (slot + r.NextSingle()) * c.Width * 0.16f;
                        Sets.Paint.Tuft(c.Canvas, x, h * 1.04f, h * r.Range(0.06f, 0.11f), Sets.Paint.Shift(new SKColor(56, 118, 46), hue), r);
                        if (r.Chance(0.5f))
                        {
                            Sets.Paint.Disc(c.Canvas, x + (h * 0.02f), h * r.Range(0.95f, 0.99f), h * 0.012f, new SKColor(255, 200, 70));
                        }
                    }
                }

                break;
            }
        }
    }

    private static void Forest(PaintContext c)
    {
        var hue = Hue(c, 12f);
        var h = c.Height;
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c, cloudiness: 0.5f);
                break;
            case Depth.Far:
            {
                var color = Sets.Paint.Shift(new SKColor(96, 132, 124), hue);
                Sets.Paint.Rect(c.Canvas, new SKRect(c.Area.Left, c.Horizon - (h * 0.05f), c.Area.Right, c.Horizon + (h * 0.3f)), color);
                foreach (var slot in c.Slots(c.Width * 0.028f, c.Width * 0.05f))
                {
                    var r = c.Random("far-pines", slot);
                    Sets.Paint.Conifer(c.Canvas, (slot + r.NextSingle()) * c.Width * 0.028f, c.Horizon, h * r.Range(0.14f, 0.3f), color, color);
                }

                break;
            }

            case Depth.Mid:
            {
                var color = Sets.Paint.Shift(new SKColor(44, 86, 66), hue);
                foreach (var slot in c.Slots(c.Width * 0.085f, c.Width * 0.1f))
                {
                    var r = c.Random("mid-pines", slot);
                    var x = (slot + r.NextSingle()) * c.Width * 0.085f;
                    if (r.Chance(0.7f))
                    {
                        Sets.Paint.Conifer(c.Canvas, x, c.Horizon + (h * 0.04f), h * r.Range(0.32f, 0.55f), Sets.Paint.Mix(color, SKColors.Black, r.Range(0f, 0.2f)), new SKColor(70, 50, 36));
                    }
                    else
                    {
                        Sets.Paint.RoundTree(c.Canvas, x, c.Horizon + (h * 0.04f), h * r.Range(0.3f, 0.45f), Sets.Paint.Shift(new SKColor(60, 104, 58), hue), new SKColor(78, 58, 42), r);
                    }
                }

                break;
            }

            case Depth.Ground:
            {
                var top = c.Horizon + (h * 0.035f);
                GroundFill(c, top, Sets.Paint.Shift(new SKColor(58, 70, 36), hue), Sets.Paint.Shift(new SKColor(92, 108, 60), hue));
                using var paint = new SKPaint { IsAntialias = true };
                foreach (var slot in c.Slots(c.Width * 0.03f))
                {
                    var r = c.Random("litter", slot);
                    for (var i = 0; i < 3; i++)
                    {
                        var t = r.NextSingle();
                        var y = top + ((h * 1.05f - top) * t);
                        paint.Color = r.Chance(0.5f) ? new SKColor(150, 104, 50, 150) : new SKColor(120, 140, 70, 140);
                        c.Canvas.DrawOval((slot + r.NextSingle()) * c.Width * 0.03f, y, h * (0.004f + (0.01f * t)), h * (0.002f + (0.004f * t)), paint);
                    }

                    if (r.Chance(0.2f))
                    {
                        // Patches of light through the canopy.
                        paint.Color = new SKColor(230, 230, 160, 40);
                        c.Canvas.DrawOval((slot + r.NextSingle()) * c.Width * 0.03f, top + ((h - top) * r.NextSingle()), h * 0.08f, h * 0.015f, paint);
                    }
                }

                break;
            }

            default:
            {
                foreach (var slot in c.Slots(c.Width * 0.7f, c.Width * 0.2f))
                {
                    var r = c.Random("trunks", slot);
                    var trunkX = (slot + r.NextSingle()) * c.Width * 0.7f;
                    if (r.Chance(0.5f) && Aside(c, trunkX))
                    {
                        var x = trunkX;
                        var half = h * r.Range(0.035f, 0.06f);
                        using var shader = SKShader.CreateLinearGradient(new SKPoint(x - half, 0), new SKPoint(x + half, 0),
                            [new SKColor(40, 30, 24), new SKColor(74, 56, 40), new SKColor(34, 26, 20)], SKShaderTileMode.Clamp);
                        using var paint = new SKPaint { Shader = shader, IsAntialias = true };
                        c.Canvas.DrawRect(x - half, c.Area.Top, half * 2f, c.Area.Bottom - c.Area.Top, paint);
                    }

                    foreach (var k in new[] { 0.2f, 0.6f })
                    {
                        if (r.Chance(0.6f))
                        {
                            Sets.Paint.Tuft(c.Canvas, (slot + k + (r.NextSingle() * 0.2f)) * c.Width * 0.7f, h * 1.04f, h * r.Range(0.08f, 0.14f), Sets.Paint.Shift(new SKColor(40, 96, 44), hue), r);
                        }
                    }
                }

                break;
            }
        }
    }

    private static void Beach(PaintContext c)
    {
        var hue = Hue(c, 10f);
        var h = c.Height;
        var shore = c.Horizon + (h * 0.1f);
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c, cloudiness: 0.7f);
                break;
            case Depth.Far:
            {
                Sets.Paint.VerticalGradient(c.Canvas, new SKRect(c.Area.Left, c.Horizon, c.Area.Right, shore + (h * 0.2f)),
                    [Sets.Paint.Shift(new SKColor(36, 92, 160), hue), Sets.Paint.Shift(new SKColor(40, 170, 190), hue)], [0f, 0.4f]);
                using var paint = new SKPaint { Color = new SKColor(255, 255, 255, 60), IsAntialias = true };
                foreach (var slot in c.Slots(c.Width * 0.04f))
                {
                    var r = c.Random("glints", slot);
                    for (var i = 0; i < 3; i++)
                    {
                        var t = r.NextSingle();
                        c.Canvas.DrawRect((slot + r.NextSingle()) * c.Width * 0.04f, c.Horizon + ((shore - c.Horizon) * t), h * (0.01f + (0.03f * t)), MathF.Max(1f, h * 0.002f), paint);
                    }
                }

                var island = c.Shared("island");
                if (island.Chance(0.6f))
                {
                    var x = c.Width * island.Range(0.1f, 0.9f);
                    Sets.Paint.Ellipse(c.Canvas, x, c.Horizon, h * 0.15f, h * 0.033f, new SKColor(92, 132, 140));
                }

                break;
            }

            case Depth.Mid:
            {
                using var surf = Sets.Paint.Ridge(c, "surf", shore, h * 0.006f, c.Width * 0.5f, shore + (h * 0.05f));
                Sets.Paint.Fill(c.Canvas, surf, new SKColor(245, 250, 250, 230));
                using var wet = Sets.Paint.Ridge(c, "wet", shore + (h * 0.02f), h * 0.006f, c.Width * 0.6f, shore + (h * 0.2f));
                Sets.Paint.Fill(c.Canvas, wet, Sets.Paint.Shift(new SKColor(196, 176, 136), hue * 0.3f));
                break;
            }

            case Depth.Ground:
            {
                var top = shore + (h * 0.035f);
                GroundFill(c, top, Sets.Paint.Shift(new SKColor(224, 190, 136), hue * 0.3f), Sets.Paint.Shift(new SKColor(236, 214, 170), hue * 0.3f), 0.8f, 0.006f);
                Bands(c, top, new SKColor(180, 140, 90, 40), 9, h * 0.008f);
                using var paint = new SKPaint { IsAntialias = true };
                foreach (var slot in c.Slots(c.Width * 0.05f))
                {
                    var r = c.Random("shells", slot);
                    var t = r.NextSingle();
                    paint.Color = r.Chance(0.5f) ? new SKColor(250, 240, 230) : new SKColor(200, 160, 130);
                    c.Canvas.DrawOval((slot + r.NextSingle()) * c.Width * 0.05f, top + ((h * 1.05f - top) * t * t), h * (0.003f + (0.008f * t)), h * (0.002f + (0.005f * t)), paint);
                }

                break;
            }

            default:
            {
                foreach (var slot in c.Slots(c.Width * 0.9f, c.Width * 0.3f))
                {
                    var r = c.Random("palms", slot);
                    var chance = r.Chance(0.55f);
                    var x = (slot + r.NextSingle()) * c.Width * 0.9f;
                    if (!chance || !Aside(c, x))
                    {
                        continue;
                    }

                    var lean = r.Sign() * h * 0.12f;
                    var topX = x + lean;
                    var topY = h * 0.18f;
                    using (var trunk = new SKPaint { Color = new SKColor(120, 92, 62), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = h * 0.028f, StrokeCap = SKStrokeCap.Round })
                    using (var builder = new SKPathBuilder())
                    {
                        builder.MoveTo(x, h * 1.1f);
                        builder.QuadTo(x + (lean * 0.2f), h * 0.5f, topX, topY);
                        using var path = builder.Detach();
                        c.Canvas.DrawPath(path, trunk);
                    }

                    using var frond = new SKPaint { Color = Sets.Paint.Shift(new SKColor(46, 120, 60), hue), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = h * 0.018f, StrokeCap = SKStrokeCap.Round };
                    for (var i = 0; i < 7; i++)
                    {
                        var angle = MathF.PI * (-0.95f + (i * 0.3f)) + r.Range(-0.1f, 0.1f);
                        var length = h * r.Range(0.16f, 0.24f);
                        using var builder = new SKPathBuilder();
                        builder.MoveTo(topX, topY);
                        builder.QuadTo(topX + (MathF.Cos(angle) * length * 0.6f), topY + (MathF.Sin(angle) * length * 0.6f) - (h * 0.03f),
                            topX + (MathF.Cos(angle) * length), topY + (MathF.Sin(angle) * length) + (h * 0.05f));
                        using var path = builder.Detach();
                        c.Canvas.DrawPath(path, frond);
                    }
                }

                break;
            }
        }
    }

    private static void Ocean(PaintContext c)
    {
        var hue = Hue(c, 10f);
        var h = c.Height;
        var deep = Sets.Paint.Shift(new SKColor(22, 72, 132), hue);
        var light = Sets.Paint.Shift(new SKColor(70, 140, 190), hue);
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c, cloudiness: 0.8f);
                break;
            case Depth.Far:
            {
                Sets.Paint.VerticalGradient(c.Canvas, new SKRect(c.Area.Left, c.Horizon, c.Area.Right, c.Horizon + (h * 0.35f)), [light, deep], [0f, 0.6f]);
                var land = c.Shared("land");
                var x = c.Width * land.Range(0f, 1f);
                using var island = Sets.Paint.Ridge(c, "islands", c.Horizon - (h * 0.012f), h * 0.025f, c.Width * 0.25f, c.Horizon + 1f, 0.3f);
                c.Canvas.Save();
                c.Canvas.ClipRect(new SKRect(x - (c.Width * 0.25f), c.Area.Top, x + (c.Width * 0.25f), c.Area.Bottom));
                Sets.Paint.Fill(c.Canvas, island, new SKColor(86, 112, 130));
                c.Canvas.Restore();
                break;
            }

            case Depth.Mid:
            {
                for (var row = 0; row < 6; row++)
                {
                    var y = c.Horizon + (h * (0.045f + (row * 0.03f)));
                    using var wave = Sets.Paint.Ridge(c, $"wave{row}", y, h * 0.006f * (1 + row), c.Width * (0.12f + (row * 0.03f)), c.Horizon + (h * 0.5f));
                    Sets.Paint.Fill(c.Canvas, wave, Sets.Paint.Mix(light, deep, 0.3f + (row * 0.1f)));
                    using var crest = new SKPaint { Color = new SKColor(230, 244, 250, 110), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = MathF.Max(1f, h * 0.0025f) };
                    c.Canvas.DrawPath(wave, crest);
                }

                break;
            }

            case Depth.Ground:
            {
                var top = c.Horizon + (h * 0.22f);
                for (var row = 0; row < 7; row++)
                {
                    var y = top + (h * row * row * 0.012f);
                    using var wave = Sets.Paint.Ridge(c, $"near{row}", y, h * (0.01f + (row * 0.004f)), c.Width * (0.2f + (row * 0.05f)), c.Area.Bottom + 2f);
                    Sets.Paint.Fill(c.Canvas, wave, Sets.Paint.Mix(Sets.Paint.Mix(light, deep, 0.5f), deep, row / 7f));
                    using var foam = new SKPaint { Color = new SKColor(240, 248, 252, 150), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = h * (0.002f + (row * 0.001f)) };
                    c.Canvas.DrawPath(wave, foam);
                }

                break;
            }

            default:
            {
                using var crest = Sets.Paint.Ridge(c, "front-wave", h * 1.0f, h * 0.03f, c.Width * 0.7f, c.Area.Bottom + 2f);
                Sets.Paint.Fill(c.Canvas, crest, new SKColor(20, 70, 120, 200));
                using var foam = new SKPaint { Color = new SKColor(245, 250, 252, 220), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = h * 0.008f };
                c.Canvas.DrawPath(crest, foam);
                break;
            }
        }
    }

    private static void City(PaintContext c)
    {
        var hue = Hue(c, 20f);
        var h = c.Height;
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c, 0.1f, 0.6f);
                break;
            case Depth.Far:
            {
                var color = Sets.Paint.Shift(new SKColor(128, 144, 170), hue);
                foreach (var slot in c.Slots(c.Width * 0.05f, c.Width * 0.1f))
                {
                    var r = c.Random("skyline", slot);
                    var x = slot * c.Width * 0.05f;
                    var top = c.Horizon - (h * r.Range(0.1f, 0.36f));
                    var w = c.Width * r.Range(0.035f, 0.07f);
                    Sets.Paint.Rect(c.Canvas, new SKRect(x, top, x + w, c.Horizon + (h * 0.2f)), Sets.Paint.Mix(color, SKColors.White, r.Range(0f, 0.12f)));
                    if (r.Chance(0.25f))
                    {
                        Sets.Paint.Rect(c.Canvas, new SKRect(x + (w * 0.45f), top - (h * 0.05f), x + (w * 0.55f), top), color);
                    }
                }

                break;
            }

            case Depth.Mid:
            {
                var facades = new[] { new SKColor(150, 84, 70), new SKColor(176, 170, 160), new SKColor(110, 120, 140), new SKColor(200, 180, 150), new SKColor(90, 96, 110) };
                foreach (var slot in c.Slots(c.Width * 0.2f, c.Width * 0.2f))
                {
                    var r = c.Random("buildings", slot);
                    var x = slot * c.Width * 0.2f;
                    // Facades abut, as in a street: no sky between them (and nothing behind them to draw).
                    var w = c.Width * 0.2f * r.Range(1.01f, 1.03f);
                    var top = c.Horizon - (h * r.Range(0.25f, 0.6f));
                    var facade = Sets.Paint.Shift(facades[r.Next(facades.Length)], hue * 0.5f);
                    Sets.Paint.Rect(c.Canvas, new SKRect(x, top, x + w, c.Horizon + (h * 0.05f)), facade);
                    Sets.Paint.Rect(c.Canvas, new SKRect(x, top, x + w, top + (h * 0.012f)), Sets.Paint.Mix(facade, SKColors.Black, 0.25f));
                    Windows(c, x, top, w, r, (rect, _) => Sets.Paint.Rect(c.Canvas, rect, Sets.Paint.Mix(facade, new SKColor(40, 50, 70), 0.55f)));
                }

                break;
            }

            case Depth.Ground:
            {
                var road = c.Horizon + (h * 0.03f);
                var curb = c.Horizon + (h * 0.12f);
                // The pavement first, under everything: bands painted edge to edge would leave a
                // half-covered row at each seam, and the plane would not count as opaque there.
                Sets.Paint.VerticalGradient(c.Canvas, new SKRect(c.Area.Left, road, c.Area.Right, c.Area.Bottom + 2f),
                    [Sets.Paint.Shift(new SKColor(168, 164, 158), hue * 0.3f), Sets.Paint.Shift(new SKColor(138, 134, 128), hue * 0.3f)]);
                Sets.Paint.VerticalGradient(c.Canvas, new SKRect(c.Area.Left, road, c.Area.Right, curb), [new SKColor(70, 72, 78), new SKColor(54, 56, 62)]);
                using (var dash = new SKPaint { Color = new SKColor(236, 220, 150), IsAntialias = true })
                {
                    foreach (var slot in c.Slots(c.Width * 0.12f))
                    {
                        c.Canvas.DrawRect(slot * c.Width * 0.12f, (road + curb) * 0.5f, c.Width * 0.06f, h * 0.006f, dash);
                    }
                }

                Sets.Paint.Rect(c.Canvas, new SKRect(c.Area.Left, curb, c.Area.Right, curb + (h * 0.015f)), new SKColor(190, 190, 186));
                using var joint = new SKPaint { Color = new SKColor(110, 108, 104, 120), IsAntialias = true, StrokeWidth = MathF.Max(1f, h * 0.002f) };
                Bands(c, curb + (h * 0.015f), joint.Color, 5, h * 0.002f);
                foreach (var slot in c.Slots(c.Width * 0.11f))
                {
                    var x = slot * c.Width * 0.11f;
                    c.Canvas.DrawLine(x, curb + (h * 0.015f), x + ((x - (c.Width * 0.5f)) * 0.3f), h * 1.1f, joint);
                }

                break;
            }

            default:
            {
                foreach (var slot in c.Slots(c.Width * 0.75f, c.Width * 0.2f))
                {
                    var r = c.Random("lamps", slot);
                    var lit = r.Chance(0.6f);
                    var x = (slot + r.NextSingle()) * c.Width * 0.75f;
                    if (!lit || !Aside(c, x))
                    {
                        continue;
                    }

                    var pole = new SKColor(40, 44, 50);
                    Sets.Paint.Rect(c.Canvas, new SKRect(x - (h * 0.007f), h * 0.14f, x + (h * 0.007f), h * 1.1f), pole);
                    Sets.Paint.Rect(c.Canvas, new SKRect(x - (h * 0.035f), h * 0.12f, x + (h * 0.035f), h * 0.15f), pole, h * 0.01f);
                }

                break;
            }
        }
    }

    /// <summary>A grid of windows on a facade; <paramref name="draw"/> gets each window and whether it is lit.</summary>
    private static void Windows(PaintContext c, float x, float top, float width, DeterministicRandom r, Action<SKRect, bool> draw)
    {
        var h = c.Height;
        var columns = Math.Max(2, (int)(width / (h * 0.045f)));
        var rows = Math.Max(2, (int)((c.Horizon - top) / (h * 0.06f)));
        var cell = width / columns;
        var lit = new DeterministicRandom(r.NextUInt64());
        for (var row = 0; row < rows - 1; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                var wx = x + (column * cell) + (cell * 0.25f);
                var wy = top + (h * 0.03f) + (row * h * 0.06f);
                draw(new SKRect(wx, wy, wx + (cell * 0.5f), wy + (h * 0.035f)), lit.Chance(0.45f));
            }
        }
    }

    private static void CityLights(PaintContext c, bool neon)
    {
        if (c.Time is not (TimeOfDay.Night or TimeOfDay.Sunset) && !neon)
        {
            return;
        }

        var h = c.Height;
        if (c.Depth == Depth.Mid)
        {
            var warm = new SKColor(255, 214, 140);
            foreach (var slot in c.Slots(c.Width * 0.2f, c.Width * 0.2f))
            {
                var r = c.Random("buildings", slot);
                var x = slot * c.Width * 0.2f;
                var w = c.Width * 0.2f * r.Range(1.01f, 1.03f);
                var top = c.Horizon - (h * r.Range(0.25f, 0.6f));
                r.Next(5);
                Windows(c, x, top, w, r, (rect, on) =>
                {
                    if (on)
                    {
                        Sets.Paint.Rect(c.Canvas, rect, warm);
                    }
                });

                if (neon && r.Chance(0.6f))
                {
                    var sign = r.Chance(0.5f) ? new SKColor(255, 60, 200) : new SKColor(60, 230, 255);
                    var sx = x + (w * r.Range(0.15f, 0.5f));
                    var sy = c.Horizon - (h * r.Range(0.08f, 0.2f));
                    var rect = new SKRect(sx, sy, sx + (w * 0.35f), sy + (h * 0.05f));
                    Sets.Paint.Glow(c.Canvas, rect.MidX, rect.MidY, w * 0.4f, sign, 0.35f);
                    using var tube = new SKPaint { Color = sign, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = h * 0.005f };
                    c.Canvas.DrawRoundRect(rect, h * 0.01f, h * 0.01f, tube);
                }
            }
        }
        else if (c.Depth == Depth.Front)
        {
            foreach (var slot in c.Slots(c.Width * 0.75f, c.Width * 0.2f))
            {
                var r = c.Random("lamps", slot);
                var lit = r.Chance(0.6f);
                var x = (slot + r.NextSingle()) * c.Width * 0.75f;
                if (!lit || !Aside(c, x))
                {
                    continue;
                }

                Sets.Paint.Glow(c.Canvas, x, h * 0.16f, h * 0.25f, new SKColor(255, 220, 150), 0.5f);
                Sets.Paint.Rect(c.Canvas, new SKRect(x - (h * 0.03f), h * 0.15f, x + (h * 0.03f), h * 0.16f), new SKColor(255, 240, 200));
            }
        }
        else if (c.Depth == Depth.Far)
        {
            using var paint = new SKPaint { Color = new SKColor(255, 220, 160, 200), IsAntialias = true };
            foreach (var slot in c.Slots(c.Width * 0.05f, c.Width * 0.1f))
            {
                var r = c.Random("skyline", slot);
                var x = slot * c.Width * 0.05f;
                var top = c.Horizon - (h * r.Range(0.1f, 0.36f));
                var w = c.Width * r.Range(0.035f, 0.07f);
                var dots = new DeterministicRandom(r.NextUInt64());
                for (var i = 0; i < 8; i++)
                {
                    c.Canvas.DrawRect(x + (w * dots.Range(0.1f, 0.85f)), Easing.Lerp(top, c.Horizon, dots.NextSingle()), h * 0.004f, h * 0.005f, paint);
                }
            }
        }
    }

    private static void Desert(PaintContext c)
    {
        var hue = Hue(c, 8f);
        var h = c.Height;
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c, 0.6f, 0.4f);
                break;
            case Depth.Far:
            {
                var color = Sets.Paint.Shift(new SKColor(196, 120, 90), hue);
                foreach (var slot in c.Slots(c.Width * 0.45f, c.Width * 0.3f))
                {
                    var r = c.Random("mesas", slot);
                    if (!r.Chance(0.6f))
                    {
                        continue;
                    }

                    var x = (slot + r.NextSingle()) * c.Width * 0.45f;
                    var w = c.Width * r.Range(0.12f, 0.3f);
                    var top = c.Horizon - (h * r.Range(0.06f, 0.16f));
                    using var builder = new SKPathBuilder();
                    builder.MoveTo(x - (w * 0.7f), c.Horizon + (h * 0.1f));
                    builder.LineTo(x - (w * 0.5f), top);
                    builder.LineTo(x + (w * 0.5f), top);
                    builder.LineTo(x + (w * 0.7f), c.Horizon + (h * 0.1f));
                    builder.Close();
                    using var path = builder.Detach();
                    Sets.Paint.Fill(c.Canvas, path, Sets.Paint.Mix(color, SKColors.White, r.Range(0f, 0.15f)));
                }

                break;
            }

            case Depth.Mid:
            {
                using var dunes = Sets.Paint.Ridge(c, "dunes", c.Horizon + (h * 0.01f), h * 0.04f, c.Width * 0.8f, c.Horizon + (h * 0.4f));
                using var shader = SKShader.CreateLinearGradient(new SKPoint(0, c.Horizon - (h * 0.04f)), new SKPoint(0, c.Horizon + (h * 0.1f)),
                    [Sets.Paint.Shift(new SKColor(236, 176, 110), hue), Sets.Paint.Shift(new SKColor(206, 140, 82), hue)], SKShaderTileMode.Clamp);
                Sets.Paint.Fill(c.Canvas, dunes, shader);
                break;
            }

            case Depth.Ground:
            {
                var top = c.Horizon + (h * 0.05f);
                GroundFill(c, top, Sets.Paint.Shift(new SKColor(214, 160, 100), hue), Sets.Paint.Shift(new SKColor(236, 192, 132), hue), 0.9f, 0.012f);
                using var ripple = new SKPaint { Color = new SKColor(170, 110, 60, 60), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = MathF.Max(1f, h * 0.002f) };
                for (var i = 1; i < 10; i++)
                {
                    var t = i / 10f;
                    using var line = Sets.Paint.Ridge(c, $"ripple{i}", top + ((h * 1.05f - top) * t * t), h * 0.006f * (1f + (3f * t)), c.Width * 0.15f, top - 1f);
                    c.Canvas.DrawPath(line, ripple);
                }

                break;
            }

            default:
            {
                foreach (var slot in c.Slots(c.Width * 0.6f, c.Width * 0.2f))
                {
                    var r = c.Random("cacti", slot);
                    var x = (slot + r.NextSingle()) * c.Width * 0.6f;
                    if (!Aside(c, x))
                    {
                        continue;
                    }

                    if (r.Chance(0.5f))
                    {
                        Cactus(c.Canvas, x, h * 1.03f, h * r.Range(0.25f, 0.38f), Sets.Paint.Shift(new SKColor(70, 128, 74), hue));
                    }
                    else
                    {
                        Sets.Paint.Rock(c.Canvas, x, h * 1.02f, h * r.Range(0.04f, 0.08f), new SKColor(150, 100, 70), r);
                    }
                }

                break;
            }
        }
    }

    private static void Cactus(SKCanvas canvas, float x, float y, float height, SKColor color)
    {
        var w = height * 0.14f;
        Sets.Paint.Rect(canvas, new SKRect(x - (w / 2), y - height, x + (w / 2), y), color, w / 2);
        Sets.Paint.Rect(canvas, new SKRect(x - (w * 1.9f), y - (height * 0.62f), x - (w * 1.1f), y - (height * 0.3f)), color, w * 0.4f);
        Sets.Paint.Rect(canvas, new SKRect(x - (w * 1.9f), y - (height * 0.38f), x, y - (height * 0.3f)), color, w * 0.04f);
        Sets.Paint.Rect(canvas, new SKRect(x + (w * 1.1f), y - (height * 0.75f), x + (w * 1.9f), y - (height * 0.42f)), color, w * 0.4f);
        Sets.Paint.Rect(canvas, new SKRect(x, y - (height * 0.5f), x + (w * 1.9f), y - (height * 0.42f)), color, w * 0.04f);
        Sets.Paint.Rect(canvas, new SKRect(x - (w * 0.15f), y - height, x + (w * 0.1f), y), Sets.Paint.Mix(color, SKColors.White, 0.15f), w * 0.1f);
    }

    private static void Snow(PaintContext c)
    {
        var hue = Hue(c, 8f);
        var h = c.Height;
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c, -0.2f, 0.9f);
                break;
            case Depth.Far:
            {
                using var peaks = Sets.Paint.Ridge(c, "snow-peaks", c.Horizon - (h * 0.1f), h * 0.12f, c.Width * 0.9f, c.Horizon + (h * 0.3f), 0.7f);
                using var shader = SKShader.CreateLinearGradient(new SKPoint(0, c.Horizon - (h * 0.25f)), new SKPoint(0, c.Horizon),
                    [new SKColor(248, 250, 255), Sets.Paint.Shift(new SKColor(170, 190, 220), hue)], SKShaderTileMode.Clamp);
                Sets.Paint.Fill(c.Canvas, peaks, shader);
                break;
            }

            case Depth.Mid:
            {
                foreach (var slot in c.Slots(c.Width * 0.06f, c.Width * 0.1f))
                {
                    var r = c.Random("snow-pines", slot);
                    if (r.Chance(0.65f))
                    {
                        Sets.Paint.Conifer(c.Canvas, (slot + r.NextSingle()) * c.Width * 0.06f, c.Horizon + (h * 0.03f), h * r.Range(0.16f, 0.34f),
                            Sets.Paint.Shift(new SKColor(40, 78, 70), hue), new SKColor(70, 56, 46), new SKColor(245, 248, 255));
                    }
                }

                break;
            }

            case Depth.Ground:
            {
                var top = c.Horizon + (h * 0.025f);
                GroundFill(c, top, Sets.Paint.Shift(new SKColor(214, 226, 244), hue), new SKColor(244, 247, 252), 1.1f, 0.01f);
                using var paint = new SKPaint { IsAntialias = true };
                foreach (var slot in c.Slots(c.Width * 0.25f))
                {
                    var r = c.Random("drift-shadows", slot);
                    var t = r.NextSingle();
                    paint.Color = new SKColor(170, 190, 225, 50);
                    c.Canvas.DrawOval((slot + r.NextSingle()) * c.Width * 0.25f, top + ((h - top) * t), h * (0.08f + (0.1f * t)), h * (0.01f + (0.015f * t)), paint);
                }

                break;
            }

            default:
            {
                foreach (var slot in c.Slots(c.Width * 0.5f, c.Width * 0.2f))
                {
                    var r = c.Random("drifts", slot);
                    if (r.Chance(0.6f))
                    {
                        var x = (slot + r.NextSingle()) * c.Width * 0.5f;
                        Sets.Paint.Ellipse(c.Canvas, x, h * 1.06f, h * r.Range(0.12f, 0.22f), h * r.Range(0.05f, 0.08f), new SKColor(250, 252, 255));
                        Sets.Paint.Ellipse(c.Canvas, x + (h * 0.03f), h * 1.08f, h * 0.1f, h * 0.04f, new SKColor(222, 232, 248));
                    }
                }

                break;
            }
        }
    }

    private static void Mountains(PaintContext c)
    {
        var hue = Hue(c, 12f);
        var h = c.Height;
        switch (c.Depth)
        {
            case Depth.Sky:
                Sky.Paint(c, cloudiness: 0.8f);
                break;
            case Depth.Far:
            {
                var baseline = c.Horizon - (h * 0.16f);
                using var peaks = Sets.Paint.Ridge(c, "peaks", baseline, h * 0.2f, c.Width * 1.1f, c.Horizon + (h * 0.3f), 0.85f);
                var rock = Sets.Paint.Shift(new SKColor(120, 124, 156), hue);
                Sets.Paint.Fill(c.Canvas, peaks, rock);
                // Snow caps: the same ridge, clipped to the band above the snow line.
                c.Canvas.Save();
                c.Canvas.ClipRect(new SKRect(c.Area.Left, c.Area.Top, c.Area.Right, baseline - (h * 0.05f)));
                Sets.Paint.Fill(c.Canvas, peaks, new SKColor(240, 244, 252));
                c.Canvas.Restore();
                using var nearer = Sets.Paint.Ridge(c, "ridges", c.Horizon - (h * 0.05f), h * 0.07f, c.Width * 0.7f, c.Horizon + (h * 0.3f), 0.5f);
                Sets.Paint.Fill(c.Canvas, nearer, Sets.Paint.Shift(new SKColor(84, 100, 120), hue));
                break;
            }

            case Depth.Mid:
            {
                var baseline = c.Horizon + (h * 0.01f);
                using var slope = Sets.Paint.Ridge(c, "slopes", baseline, h * 0.04f, c.Width * 0.9f, c.Horizon + (h * 0.3f));
                var green = Sets.Paint.Shift(new SKColor(52, 92, 64), hue);
                Sets.Paint.Fill(c.Canvas, slope, green);
                foreach (var slot in c.Slots(c.Width * 0.025f, c.Width * 0.05f))
                {
                    var r = c.Random("slope-pines", slot);
                    if (r.Chance(0.6f))
                    {
                        var x = (slot + r.NextSingle()) * c.Width * 0.025f;
                        var y = Sets.Paint.RidgeAt(c, "slopes", x, baseline, h * 0.04f, c.Width * 0.9f) + (h * 0.02f);
                        Sets.Paint.Conifer(c.Canvas, x, y, h * r.Range(0.05f, 0.09f), Sets.Paint.Mix(green, SKColors.Black, 0.25f), green);
                    }
                }

                break;
            }

            case Depth.Ground:
            {
                var top = c.Horizon + (h * 0.04f);
                GroundFill(c, top, Sets.Paint.Shift(new SKColor(104, 130, 62), hue), Sets.Paint.Shift(new SKColor(146, 164, 90), hue), 1f, 0.012f);
                foreach (var slot in c.Slots(c.Width * 0.12f))
                {
                    var r = c.Random("meadow", slot);
                    var t = r.NextSingle();
                    var y = top + ((h * 1.05f - top) * t * t);
                    if (r.Chance(0.4f))
                    {
                        Sets.Paint.Rock(c.Canvas, (slot + r.NextSingle()) * c.Width * 0.12f, y, h * (0.01f + (0.03f * t)), new SKColor(140, 138, 130), r);
                    }
                    else
                    {
                        Sets.Paint.Tuft(c.Canvas, (slot + r.NextSingle()) * c.Width * 0.12f, y, h * (0.01f + (0.03f * t)), Sets.Paint.Shift(new SKColor(90, 120, 50), hue), r);
                    }
                }

                break;
            }

            default:
            {
                ScatterRocks(c, "boulders", 0.55f, c.Width * 0.2f, 0.5f, _ => h * 1.04f, r => h * r.Range(0.07f, 0.12f), new SKColor(118, 114, 108));

                break;
            }
        }
    }

    private static void Space(PaintContext c)
    {
        var hue = Hue(c, 40f);
        var h = c.Height;
        var unit = Unit(c);
        switch (c.Depth)
        {
            case Depth.Sky:
            {
                Sets.Paint.VerticalGradient(c.Canvas, c.Area, [new SKColor(4, 4, 14), new SKColor(14, 10, 34)]);
                foreach (var slot in c.Slots(c.Width * 0.5f, c.Width * 0.3f))
                {
                    var r = c.Random("nebula", slot);
                    var x = (slot + r.NextSingle()) * c.Width * 0.5f;
                    var y = c.Horizon * r.Range(0.1f, 0.8f);
                    Sets.Paint.Glow(c.Canvas, x, y, unit * r.Range(0.3f, 0.6f), Sets.Paint.Shift(new SKColor(150, 60, 200), hue + r.Range(-60f, 60f)), 0.28f);
                }

                break;
            }

            case Depth.Far:
            {
                var random = c.Shared("planet");
                var x = c.Width * random.Range(0.15f, 0.85f);
                var y = c.Horizon * random.Range(0.25f, 0.5f);
                var radius = unit * random.Range(0.14f, 0.24f);
                // Whole, inside the far band: a planet sliced flat along the band's top edge looks broken.
                y = MathF.Max(y, c.Horizon - (h * FarReach) + (radius * 1.1f));
                var color = Sets.Paint.Shift(new SKColor(210, 140, 90), hue * 3f);
                using (var shader = SKShader.CreateRadialGradient(new SKPoint(x - (radius * 0.4f), y - (radius * 0.4f)), radius * 1.6f,
                           [Sets.Paint.Mix(color, SKColors.White, 0.35f), color, Sets.Paint.Mix(color, SKColors.Black, 0.85f)], [0f, 0.45f, 1f], SKShaderTileMode.Clamp))
                using (var paint = new SKPaint { Shader = shader, IsAntialias = true })
                {
                    c.Canvas.DrawCircle(x, y, radius, paint);
                }

                using (var ring = new SKPaint { Color = Sets.Paint.Mix(color, SKColors.White, 0.5f).WithAlpha(150), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = radius * 0.08f })
                {
                    c.Canvas.Save();
                    c.Canvas.RotateDegrees(random.Range(-20f, 20f), x, y);
                    c.Canvas.DrawOval(x, y, radius * 1.7f, radius * 0.35f, ring);
                    c.Canvas.Restore();
                }

                var moonX = x + (radius * random.Range(1.8f, 2.6f) * random.Sign());
                Sets.Paint.Disc(c.Canvas, moonX, y + (radius * 0.6f), radius * 0.18f, new SKColor(190, 190, 200));
                break;
            }

            case Depth.Mid:
            {
                ScatterRocks(c, "asteroids", 0.22f, c.Width * 0.1f, 0.55f, r => c.Horizon * r.Range(0.2f, 0.85f), r => unit * r.Range(0.015f, 0.04f), new SKColor(120, 112, 110));

                break;
            }

            case Depth.Ground:
            {
                var top = c.Horizon;
                GroundFill(c, top, new SKColor(96, 94, 100), new SKColor(150, 148, 152), 0.6f, 0.015f);
                foreach (var slot in c.Slots(c.Width * 0.1f))
                {
                    var r = c.Random("craters", slot);
                    var t = r.NextSingle();
                    var y = top + ((h * 1.05f - top) * t * t);
                    var rx = h * (0.01f + (0.07f * t));
                    var cx = (slot + r.NextSingle()) * c.Width * 0.1f;
                    Sets.Paint.Ellipse(c.Canvas, cx, y, rx, rx * 0.28f, new SKColor(80, 78, 84));
                    Sets.Paint.Ellipse(c.Canvas, cx, y + (rx * 0.05f), rx * 0.85f, rx * 0.2f, new SKColor(110, 108, 114));
                }

                break;
            }

            default:
            {
                ScatterRocks(c, "moon-rocks", 0.6f, c.Width * 0.2f, 0.5f, _ => h * 1.04f, r => h * r.Range(0.06f, 0.1f), new SKColor(110, 108, 112));

                break;
            }
        }
    }

    private static void Studio(PaintContext c)
    {
        var random = c.Shared("studio");
        var hue = random.Range(0f, 360f);
        var wall = SKColor.FromHsv(hue, random.Range(10f, 35f), random.Range(55f, 80f));
        var floor = Sets.Paint.Mix(wall, SKColors.Black, 0.2f);
        var light = Sets.Paint.Mix(wall, SKColors.White, 0.55f);
        var h = c.Height;
        if (c.Depth == Depth.Sky)
        {
            Sets.Paint.VerticalGradient(c.Canvas, c.Area, [Sets.Paint.Mix(wall, SKColors.Black, 0.35f), wall, Sets.Paint.Mix(wall, SKColors.White, 0.1f)], [0f, 0.6f, 1f]);
            Sets.Paint.Glow(c.Canvas, c.Width * 0.5f, c.Horizon * 0.8f, MathF.Max(c.Width, h) * 0.55f, light, 0.55f);
        }
        else if (c.Depth == Depth.Ground)
        {
            // The seamless backdrop's curve into the floor: a soft gradient, no edge.
            var top = c.Horizon - (h * 0.06f);
            using var shader = SKShader.CreateLinearGradient(new SKPoint(0, top), new SKPoint(0, h * 1.05f),
                [wall.WithAlpha(0), Sets.Paint.Mix(wall, SKColors.White, 0.05f), floor], [0f, 0.2f, 1f], SKShaderTileMode.Clamp);
            using var paint = new SKPaint { Shader = shader, IsDither = true };
            c.Canvas.DrawRect(new SKRect(c.Area.Left, top, c.Area.Right, c.Area.Bottom + 2f), paint);
            Sets.Paint.Glow(c.Canvas, c.Width * 0.5f, h * 0.88f, c.Width * 0.4f, light, 0.35f);
        }
    }

    private static void Room(PaintContext c)
    {
        var random = c.Shared("room");
        var wall = SKColor.FromHsv(random.Range(15f, 55f), random.Range(15f, 40f), random.Range(65f, 85f));
        var h = c.Height;
        switch (c.Depth)
        {
            case Depth.Sky:
            {
                Sets.Paint.VerticalGradient(c.Canvas, c.Area, [Sets.Paint.Mix(wall, SKColors.Black, 0.15f), wall]);
                Sets.Paint.Rect(c.Canvas, new SKRect(c.Area.Left, c.Horizon - (h * 0.14f), c.Area.Right, c.Horizon), Sets.Paint.Mix(wall, SKColors.Black, 0.12f));
                Sets.Paint.Rect(c.Canvas, new SKRect(c.Area.Left, c.Horizon - (h * 0.145f), c.Area.Right, c.Horizon - (h * 0.135f)), Sets.Paint.Mix(wall, SKColors.White, 0.4f));
                var window = WindowRect(c);
                var (top, _, horizon) = Sky.Colors(c.Time);
                Sets.Paint.VerticalGradient(c.Canvas, window, [top, horizon]);
                using (var frame = new SKPaint { Color = new SKColor(245, 242, 236), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = h * 0.012f })
                {
                    c.Canvas.DrawRect(window, frame);
                    c.Canvas.DrawLine(window.MidX, window.Top, window.MidX, window.Bottom, frame);
                    c.Canvas.DrawLine(window.Left, window.MidY, window.Right, window.MidY, frame);
                }

                var picture = new SKRect(c.Width * 0.66f, h * 0.2f, c.Width * 0.66f + (h * 0.22f), h * 0.36f);
                Sets.Paint.Rect(c.Canvas, picture, new SKColor(90, 64, 44));
                picture.Inflate(-h * 0.012f, -h * 0.012f);
                Sets.Paint.VerticalGradient(c.Canvas, picture, [SKColor.FromHsv(random.Range(0f, 360f), 40f, 80f), SKColor.FromHsv(random.Range(0f, 360f), 50f, 50f)]);
                break;
            }

            case Depth.Mid:
            {
                var floorLine = c.Horizon;
                var shelf = new SKRect(c.Width * 0.04f, floorLine - (h * 0.42f), c.Width * 0.04f + (h * 0.3f), floorLine + (h * 0.01f));
                Sets.Paint.Rect(c.Canvas, shelf, new SKColor(110, 78, 52));
                var books = new DeterministicRandom(random.NextUInt64());
                for (var row = 0; row < 3; row++)
                {
                    var y = shelf.Top + (h * 0.02f) + (row * h * 0.135f);
                    for (var x = shelf.Left + (h * 0.015f); x < shelf.Right - (h * 0.03f);)
                    {
                        var w = h * books.Range(0.015f, 0.03f);
                        Sets.Paint.Rect(c.Canvas, new SKRect(x, y + (h * books.Range(0f, 0.02f)), x + w, y + (h * 0.11f)), SKColor.FromHsv(books.Range(0f, 360f), 45f, books.Range(40f, 75f)));
                        x += w + (h * 0.003f);
                    }
                }

                var sofa = SKColor.FromHsv(random.Range(0f, 360f), random.Range(25f, 50f), random.Range(40f, 65f));
                var sx = c.Width * 0.62f;
                Sets.Paint.Rect(c.Canvas, new SKRect(sx, floorLine - (h * 0.2f), sx + (h * 0.55f), floorLine + (h * 0.01f)), sofa, h * 0.03f);
                Sets.Paint.Rect(c.Canvas, new SKRect(sx - (h * 0.03f), floorLine - (h * 0.12f), sx + (h * 0.58f), floorLine + (h * 0.01f)), Sets.Paint.Mix(sofa, SKColors.White, 0.1f), h * 0.03f);
                break;
            }

            case Depth.Ground:
            {
                var wood = SKColor.FromHsv(random.Range(20f, 35f), random.Range(40f, 60f), random.Range(45f, 65f));
                Sets.Paint.VerticalGradient(c.Canvas, new SKRect(c.Area.Left, c.Horizon, c.Area.Right, c.Area.Bottom + 2f), [Sets.Paint.Mix(wood, SKColors.Black, 0.2f), wood]);
                Bands(c, c.Horizon, new SKColor(60, 40, 24, 70), 9, h * 0.003f);
                var rug = SKColor.FromHsv(random.Range(0f, 360f), 45f, 60f);
                Sets.Paint.Ellipse(c.Canvas, c.Width * 0.5f, h * 0.88f, c.Width * 0.32f, h * 0.08f, rug);
                using var trim = new SKPaint { Color = Sets.Paint.Mix(rug, SKColors.White, 0.4f), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = h * 0.006f };
                c.Canvas.DrawOval(c.Width * 0.5f, h * 0.88f, c.Width * 0.29f, h * 0.065f, trim);
                break;
            }

            default:
            {
                var side = random.Chance(0.5f) ? 0.04f : 0.9f;
                var x = c.Width * side;
                Sets.Paint.Rect(c.Canvas, new SKRect(x - (h * 0.05f), h * 0.92f, x + (h * 0.05f), h * 1.06f), new SKColor(170, 90, 60), h * 0.01f);
                var leaves = new DeterministicRandom(random.NextUInt64());
                for (var i = 0; i < 9; i++)
                {
                    var angle = -MathF.PI * leaves.Range(0.1f, 0.9f);
                    Sets.Paint.Ellipse(c.Canvas, x + (MathF.Cos(angle) * h * 0.08f), h * 0.9f + (MathF.Sin(angle) * h * 0.12f), h * 0.035f, h * 0.015f, new SKColor(60, 130, 70));
                }

                break;
            }
        }
    }

    private static SKRect WindowRect(PaintContext c) =>
        new(c.Width * 0.3f, c.Height * 0.12f, (c.Width * 0.3f) + (c.Height * 0.34f), c.Height * 0.12f + (c.Height * 0.3f));

    private static void RoomLights(PaintContext c)
    {
        if (c.Time == TimeOfDay.Night)
        {
            var window = WindowRect(c);
            c.Canvas.Save();
            c.Canvas.ClipRect(window);
            var inner = new PaintContext(c.Canvas, window, c.Width, c.Height, window.Bottom, c.Time, c.Variant, c.Depth);
            Sky.Stars(inner, window.Bottom, 0.6f);
            c.Canvas.Restore();
        }

        if (c.Time is TimeOfDay.Night or TimeOfDay.Sunset)
        {
            var x = c.Width * 0.2f;
            Sets.Paint.Glow(c.Canvas, x, c.Height * 0.3f, c.Height * 0.3f, new SKColor(255, 214, 150), 0.45f);
            Sets.Paint.Disc(c.Canvas, x, c.Height * 0.3f, c.Height * 0.02f, new SKColor(255, 244, 214));
        }
    }
}
