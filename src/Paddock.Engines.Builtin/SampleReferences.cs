using SkiaSharp;

namespace Paddock.Engines.Builtin;

/// <summary>
/// Sample reference images to try the renderer with, kept beside it because each one shows a case the renderer
/// treats its own way: characters on plain backgrounds (cut out as actors), a landscape (used whole as the set) and
/// a portrait on a busy background (framed as a print). <c>paddock render --sample-image</c> writes them.
/// </summary>
public static class SampleReferences
{
    /// <summary>The subjects <see cref="Draw"/> knows, the first being the default.</summary>
    public static IReadOnlyList<string> Subjects { get; } = ["fox", "robot", "owl", "cat", "astronaut", "landscape", "portrait"];

    /// <summary>Draws <paramref name="subject"/> (one of <see cref="Subjects"/>) as PNG, or JPEG for the photographs (landscape, portrait); the same seed gives the same bytes.</summary>
    /// <exception cref="ArgumentException">The subject is not one of <see cref="Subjects"/>.</exception>
    public static byte[] Draw(string subject, long seed)
    {
        if (!Subjects.Contains(subject))
            throw new ArgumentException($"the sample subject must be one of {string.Join(", ", Subjects)}, not '{subject}'", nameof(subject));
        var (width, height) = subject switch { "landscape" => (1600, 1000), "portrait" => (900, 1200), _ => (900, 1100) };
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        var c = surface.Canvas;
        var random = new Random((int)(seed & 0x7FFFFFFF));
        using var p = new SKPaint { IsAntialias = true };
        switch (subject)
        {
            case "fox":
                c.Clear(new SKColor(248, 247, 244));
                p.Color = new SKColor(196, 88, 28);
                c.DrawOval(610, 830, 170, 62, p);
                p.Color = new SKColor(232, 118, 42);
                c.DrawOval(450, 690, 200, 260, p);
                c.DrawCircle(450, 360, 165, p);
                Triangle(c, p, (320, 290), (345, 110), (420, 240));
                Triangle(c, p, (580, 290), (555, 110), (480, 240));
                p.Color = new SKColor(250, 246, 240);
                c.DrawOval(450, 440, 92, 62, p);
                c.DrawOval(450, 760, 110, 150, p);
                c.DrawOval(680, 840, 40, 30, p);
                p.Color = new SKColor(40, 30, 28);
                c.DrawCircle(390, 335, 20, p);
                c.DrawCircle(510, 335, 20, p);
                c.DrawOval(450, 412, 22, 15, p);
                p.Color = new SKColor(70, 45, 32);
                c.DrawRoundRect(360, 900, 46, 110, 18, 18, p);
                c.DrawRoundRect(494, 900, 46, 110, 18, 18, p);
                break;
            case "robot":
                c.Clear(new SKColor(206, 224, 242));
                p.Color = new SKColor(130, 138, 160);
                c.DrawRoundRect(280, 430, 340, 380, 36, 36, p);
                c.DrawRoundRect(310, 170, 280, 220, 46, 46, p);
                c.DrawRect(440, 110, 20, 70, p);
                p.Color = new SKColor(240, 70, 60);
                c.DrawCircle(450, 100, 22, p);
                p.Color = new SKColor(40, 190, 250);
                c.DrawCircle(390, 275, 32, p);
                c.DrawCircle(510, 275, 32, p);
                p.Color = new SKColor(236, 70, 58);
                c.DrawRect(370, 520, 160, 56, p);
                p.Color = new SKColor(246, 196, 40);
                c.DrawRect(370, 610, 160, 34, p);
                p.Color = new SKColor(90, 96, 116);
                c.DrawRoundRect(330, 810, 70, 220, 20, 20, p);
                c.DrawRoundRect(500, 810, 70, 220, 20, 20, p);
                c.DrawRoundRect(200, 450, 70, 290, 30, 30, p);
                c.DrawRoundRect(630, 450, 70, 290, 30, 30, p);
                break;
            case "owl":
                c.Clear(new SKColor(238, 236, 226));
                p.Color = new SKColor(116, 84, 156);
                c.DrawOval(450, 620, 240, 360, p);
                Triangle(c, p, (270, 330), (300, 200), (370, 300));
                Triangle(c, p, (630, 330), (600, 200), (530, 300));
                p.Color = new SKColor(150, 120, 190);
                c.DrawOval(450, 720, 150, 210, p);
                p.Color = new SKColor(252, 232, 124);
                c.DrawCircle(365, 420, 85, p);
                c.DrawCircle(535, 420, 85, p);
                p.Color = new SKColor(24, 22, 34);
                c.DrawCircle(365, 420, 36, p);
                c.DrawCircle(535, 420, 36, p);
                p.Color = new SKColor(244, 146, 40);
                Triangle(c, p, (430, 480), (470, 480), (450, 545));
                c.DrawOval(390, 985, 40, 18, p);
                c.DrawOval(510, 985, 40, 18, p);
                break;
            case "cat":
                c.Clear(new SKColor(236, 242, 236));
                p.Color = new SKColor(70, 74, 84);
                c.DrawOval(450, 720, 190, 250, p);
                c.DrawCircle(450, 400, 160, p);
                Triangle(c, p, (315, 330), (320, 170), (405, 270));
                Triangle(c, p, (585, 330), (580, 170), (495, 270));
                using (var tail = new SKPaint { Color = new SKColor(70, 74, 84), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 44, StrokeCap = SKStrokeCap.Round })
                using (var builder = new SKPathBuilder())
                {
                    builder.MoveTo(600, 880);
                    builder.QuadTo(780, 860, 740, 650);
                    using var path = builder.Detach();
                    c.DrawPath(path, tail);
                }

                p.Color = new SKColor(160, 220, 110);
                c.DrawOval(390, 390, 30, 36, p);
                c.DrawOval(510, 390, 30, 36, p);
                p.Color = new SKColor(20, 20, 24);
                c.DrawOval(390, 390, 10, 30, p);
                c.DrawOval(510, 390, 10, 30, p);
                p.Color = new SKColor(240, 150, 170);
                Triangle(c, p, (435, 455), (465, 455), (450, 475));
                p.Color = new SKColor(236, 236, 240);
                c.DrawOval(450, 800, 90, 130, p);
                break;
            case "astronaut":
                c.Clear(new SKColor(22, 26, 44));
                p.Color = new SKColor(236, 238, 242);
                c.DrawRoundRect(280, 460, 340, 400, 80, 80, p);
                c.DrawCircle(450, 330, 175, p);
                c.DrawRoundRect(310, 820, 110, 220, 40, 40, p);
                c.DrawRoundRect(480, 820, 110, 220, 40, 40, p);
                c.DrawRoundRect(180, 480, 100, 300, 45, 45, p);
                c.DrawRoundRect(620, 480, 100, 300, 45, 45, p);
                using (var visor = SKShader.CreateLinearGradient(new SKPoint(330, 250), new SKPoint(570, 420), [new SKColor(250, 190, 70), new SKColor(120, 60, 150)], SKShaderTileMode.Clamp))
                {
                    p.Shader = visor;
                    c.DrawRoundRect(320, 250, 260, 170, 70, 70, p);
                    p.Shader = null;
                }

                p.Color = new SKColor(220, 60, 60);
                c.DrawRect(390, 540, 120, 70, p);
                p.Color = new SKColor(60, 120, 220);
                c.DrawRect(390, 630, 120, 30, p);
                break;
            case "portrait":
                // A figure in front of a busy scene: it cannot be cut out, so it is shown framed.
                using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [new SKColor(180, 90, 60), new SKColor(60, 110, 140)], SKShaderTileMode.Clamp))
                {
                    p.Shader = shader;
                    c.DrawRect(0, 0, width, height, p);
                    p.Shader = null;
                }

                for (var i = 0; i < 260; i++)
                {
                    p.Color = new SKColor((byte)random.Next(60, 250), (byte)random.Next(60, 220), (byte)random.Next(40, 200), 170);
                    c.DrawRect(random.Next(width), random.Next(height), random.Next(20, 120), random.Next(20, 120), p);
                }

                p.Color = new SKColor(36, 40, 60);
                c.DrawOval(450, 1050, 300, 260, p);
                p.Color = new SKColor(230, 190, 160);
                c.DrawOval(450, 560, 170, 210, p);
                p.Color = new SKColor(60, 40, 30);
                c.DrawOval(450, 420, 190, 120, p);
                p.Color = new SKColor(30, 30, 40);
                c.DrawCircle(395, 560, 14, p);
                c.DrawCircle(505, 560, 14, p);
                p.Color = new SKColor(190, 80, 80);
                c.DrawOval(450, 660, 46, 16, p);
                break;
            default:
                // A landscape photograph: a scene to be used whole as the set.
                using (var sky = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, height * 0.6f), [new SKColor(70, 120, 200), new SKColor(250, 200, 150)], SKShaderTileMode.Clamp))
                {
                    p.Shader = sky;
                    c.DrawRect(0, 0, width, height, p);
                    p.Shader = null;
                }

                p.Color = new SKColor(255, 236, 190);
                c.DrawCircle(width * 0.72f, height * 0.36f, 70, p);
                for (var layer = 0; layer < 4; layer++)
                {
                    using var builder = new SKPathBuilder();
                    var baseline = height * (0.55f + (layer * 0.1f));
                    builder.MoveTo(0, height);
                    for (var x = 0; x <= width; x += 20)
                    {
                        builder.LineTo(x, baseline - (float)(Math.Sin((x / (180.0 + (layer * 70))) + (layer * 1.7) + random.NextDouble() * 0.05) * (70 - (layer * 12))));
                    }

                    builder.LineTo(width, height);
                    builder.Close();
                    using var path = builder.Detach();
                    p.Color = new SKColor((byte)(60 + (layer * 10)), (byte)(120 - (layer * 18)), (byte)(110 - (layer * 25)));
                    c.DrawPath(path, p);
                }

                for (var i = 0; i < 120; i++)
                {
                    p.Color = new SKColor((byte)random.Next(20, 60), (byte)random.Next(70, 110), (byte)random.Next(30, 60));
                    var x = random.Next(width);
                    var y = (int)(height * 0.75) + random.Next((int)(height * 0.25));
                    c.DrawCircle(x, y, random.Next(10, 40), p);
                }

                break;
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(subject is "landscape" or "portrait" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
        return data.ToArray();
    }

    private static void Triangle(SKCanvas canvas, SKPaint paint, (float X, float Y) a, (float X, float Y) b, (float X, float Y) c)
    {
        using var builder = new SKPathBuilder();
        builder.MoveTo(a.X, a.Y);
        builder.LineTo(b.X, b.Y);
        builder.LineTo(c.X, c.Y);
        builder.Close();
        using var path = builder.Detach();
        canvas.DrawPath(path, paint);
    }
}
