using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Sets;

/// <summary>Outdoor skies by time of day: a gradient, the sun with its halo, clouds; stars and moon at night (as lights, so the night grade does not dim them).</summary>
internal static class Sky
{
    public static (SKColor Top, SKColor Middle, SKColor Horizon) Colors(TimeOfDay time, float warmth = 0f) => time switch
    {
        TimeOfDay.Golden => (new SKColor(84, 118, 186), new SKColor(236, 186, 128), new SKColor(255, 214, 146)),
        TimeOfDay.Sunset => (new SKColor(52, 46, 116), new SKColor(214, 98, 96), new SKColor(255, 166, 82)),
        TimeOfDay.Sunrise => (new SKColor(104, 138, 204), new SKColor(236, 168, 170), new SKColor(255, 214, 172)),
        TimeOfDay.Night => (new SKColor(12, 18, 52), new SKColor(28, 40, 88), new SKColor(58, 74, 120)),
        _ => (Sets.Paint.Mix(new SKColor(66, 128, 212), new SKColor(120, 150, 200), warmth), new SKColor(130, 180, 232), Sets.Paint.Mix(new SKColor(204, 226, 246), new SKColor(240, 224, 200), warmth)),
    };

    /// <summary>The colour haze takes at this time of day; fog fades distant layers towards it.</summary>
    public static SKColor Haze(TimeOfDay time) => time switch
    {
        TimeOfDay.Golden => new SKColor(240, 214, 178),
        TimeOfDay.Sunset => new SKColor(226, 156, 136),
        TimeOfDay.Sunrise => new SKColor(232, 204, 204),
        TimeOfDay.Night => new SKColor(44, 54, 80),
        _ => new SKColor(206, 218, 230),
    };

    public static void Paint(PaintContext c, float warmth = 0f, float cloudiness = 1f)
    {
        var (top, middle, horizon) = Colors(c.Time, warmth);
        var random = c.Shared("sky");
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, -0.25f * c.Height), new SKPoint(0, c.Horizon),
                   [top, middle, horizon], [0f, 0.62f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader, IsDither = true })
        {
            c.Canvas.DrawRect(c.Area, paint);
        }

        var unit = MathF.Min(c.Width, c.Height);
        if (c.Time != TimeOfDay.Night)
        {
            var sunX = c.Width * random.Range(0.15f, 0.85f);
            var sunY = c.Horizon * c.Time switch
            {
                TimeOfDay.Golden => 0.72f,
                TimeOfDay.Sunset => 0.97f,
                TimeOfDay.Sunrise => 0.9f,
                _ => 0.22f,
            };
            var sun = c.Time switch
            {
                TimeOfDay.Golden => new SKColor(255, 226, 160),
                TimeOfDay.Sunset => new SKColor(255, 150, 80),
                TimeOfDay.Sunrise => new SKColor(255, 220, 190),
                _ => new SKColor(255, 250, 232),
            };
            Sets.Paint.Glow(c.Canvas, sunX, sunY, unit * 0.55f, sun, c.Time == TimeOfDay.Day ? 0.45f : 0.7f);
            Sets.Paint.Disc(c.Canvas, sunX, sunY, unit * (c.Time == TimeOfDay.Day ? 0.045f : 0.065f), Sets.Paint.Mix(sun, SKColors.White, 0.5f));
        }

        var cloud = c.Time switch
        {
            TimeOfDay.Golden => new SKColor(255, 228, 200, 190),
            TimeOfDay.Sunset => new SKColor(240, 150, 150, 170),
            TimeOfDay.Sunrise => new SKColor(255, 214, 214, 180),
            TimeOfDay.Night => new SKColor(70, 84, 130, 90),
            _ => new SKColor(255, 255, 255, 200),
        };
        using var blob = new SoftBlob(cloud, cloud.Alpha / 255f, core: 0.45f);
        foreach (var slot in c.Slots(c.Width * 0.45f, c.Width * 0.3f))
        {
            var r = c.Random("cloud", slot);
            if (r.NextSingle() > 0.75f * cloudiness)
            {
                continue;
            }

            var x = (slot + r.NextSingle()) * c.Width * 0.45f;
            var y = c.Horizon * r.Range(0.12f, 0.7f);
            Sets.Paint.Cloud(c.Canvas, blob, x, y, unit * r.Range(0.08f, 0.16f), r);
        }
    }

    /// <summary>Stars and the moon, drawn after the grade so they keep shining at night.</summary>
    public static void Lights(PaintContext c, float density = 1f, bool moon = true)
    {
        if (c.Time != TimeOfDay.Night)
        {
            return;
        }

        Stars(c, c.Horizon * 0.95f, density);
        if (moon)
        {
            var random = c.Shared("moon");
            var unit = MathF.Min(c.Width, c.Height);
            var x = c.Width * random.Range(0.2f, 0.8f);
            var y = c.Horizon * random.Range(0.2f, 0.45f);
            Sets.Paint.Glow(c.Canvas, x, y, unit * 0.3f, new SKColor(180, 200, 255), 0.35f);
            Sets.Paint.Disc(c.Canvas, x, y, unit * 0.05f, new SKColor(242, 244, 232));
            Sets.Paint.Disc(c.Canvas, x + (unit * 0.015f), y - (unit * 0.01f), unit * 0.012f, new SKColor(220, 222, 212));
            Sets.Paint.Disc(c.Canvas, x - (unit * 0.018f), y + (unit * 0.015f), unit * 0.008f, new SKColor(222, 224, 214));
        }
    }

    public static void Stars(PaintContext c, float lowest, float density = 1f)
    {
        var scale = c.Height / 1080f;
        using var paint = new SKPaint { IsAntialias = true };
        foreach (var slot in c.Slots(c.Width / 24f))
        {
            var r = c.Random("stars", slot);
            var count = (int)(9 * density);
            for (var i = 0; i < count; i++)
            {
                var x = (slot + r.NextSingle()) * c.Width / 24f;
                var y = Easing.Lerp(c.Area.Top, lowest, r.NextSingle());
                var bright = r.NextSingle();
                paint.Color = new SKColor(255, 250, (byte)r.Range(220, 255), (byte)(90 + (165 * bright * bright)));
                c.Canvas.DrawCircle(x, y, scale * (0.7f + (1.6f * bright * bright * bright)), paint);
            }
        }
    }
}
