using Paddock.Core.Engines;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// Cut-outs keep only what belongs to the subject, and subjects occupy space: a ball's soft shadow on
/// the backdrop of its photo stays behind (the renderer draws a shadow of its own on the ground, which
/// does not turn with the ball), and two subjects never slide through each other: they keep apart, or
/// the nearer (lower on the ground) is drawn over the farther, every frame the same way.
/// </summary>
public sealed class CompositingTests
{
    private const int Width = 320;
    private const int Height = 180;

    private static readonly SKColor Backdrop = new(236, 236, 230);

    [Theory]
    [InlineData("rolls")]
    [InlineData("spins")]
    [InlineData("bounces")]
    public void A_balls_baked_in_shadow_does_not_travel_with_it(string verb)
    {
        var ball = ShadowedBall();
        var frames = Enumerable.Range(0, 12).Select(i => (i * 6) + 2).ToList();
        var with = TestMedia.Frames(TestMedia.Job(Width, Height, 3, [ball], $"Image 1 {verb} in the studio, static shot", seed: 4), frames);
        var without = TestMedia.Frames(TestMedia.Job(Width, Height, 3, [], "The studio, static shot", seed: 4), frames);

        var halos = new List<string>();
        var lowest = with.Select(f => Measure.ColourBox(f, Width, Height, Blue).Bottom).Max();
        for (var i = 0; i < frames.Count; i++)
        {
            var blue = Measure.ColourBox(with[i], Width, Height, Blue);
            Assert.True(blue.Weight > 100, $"frame {frames[i]}: the ball is not on screen");
            var foreground = Measure.Foreground(with[i], without[i], Width, Height);
            // What is added round the ball, other than the ball's blue: beside it or above its lowest point.
            // (Below it is the ground, where the renderer's own contact shadow belongs.)
            var halo = 0;
            for (var p = 0; p < foreground.Mask.Length; p++)
            {
                var (x, y) = (p % Width, p / Width);
                var insideBall = x >= blue.Left - 2 && x < blue.Right + 2 && y >= blue.Top - 2 && y < blue.Bottom + 2;
                if (foreground.Mask[p] && !insideBall && y < blue.Bottom - 2 && Blue(with[i][p * 4], with[i][(p * 4) + 1], with[i][(p * 4) + 2]) < 0.2)
                {
                    halo++;
                }
            }

            if (halo > blue.Weight * 0.03)
            {
                halos.Add($"frame {frames[i]}: {halo} px beside a ball of {blue.Weight:F0}");
            }

            // Up in the air, nothing hangs under the ball: its shadow is down on the ground.
            var band = 0;
            for (var y = (int)blue.Bottom + 1; y < Math.Min(Height, blue.Bottom + (blue.Height * 0.1)); y++)
            {
                for (var x = (int)blue.Left; x < blue.Right; x++)
                {
                    band += foreground.Mask[(y * Width) + x] ? 1 : 0;
                }
            }

            var lift = lowest - blue.Bottom;
            if (lift > blue.Height * 0.18 && band > blue.Width * 2)
            {
                halos.Add($"frame {frames[i]}: {band} px hang under the ball {lift:F0} px up in the air");
            }
        }

        Assert.True(halos.Count == 0, $"'{verb}': a grey halo goes round with the ball: {string.Join("; ", halos)}");
    }

    [Fact]
    public void A_soft_shadow_on_the_backdrop_is_left_out_of_the_cut_out()
    {
        using var member = Rendering.ReferenceDecoder.Decode(ShadowedBall(), 1280, 720);

        // The ball is a circle: cut out without its shadow, the cut-out is as tall as it is wide...
        var sprite = Assert.IsType<Rendering.CutOut>(member.CutOut).Sprite;
        Assert.InRange(sprite.Height / (double)sprite.Width, 0.95, 1.05);
        // ...and holds no grey: the shadow's shade of the backdrop is not in it.
        using var bitmap = SKBitmap.FromImage(sprite);
        var opaque = 0;
        var grey = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Alpha < 128)
                {
                    continue;
                }

                opaque++;
                grey += Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) < 25 ? 1 : 0;
            }
        }

        Assert.True(grey < opaque * 0.01, $"{grey} grey pixels of {opaque}");
    }

    [Fact]
    public void A_grey_subject_on_a_light_backdrop_is_not_mistaken_for_a_shadow()
    {
        // The robot is grey-blue on pale blue: a darker shade of its backdrop, but with hard edges.
        using var member = Rendering.ReferenceDecoder.Decode(TestMedia.Character("robot", 1), 1280, 720);

        var sprite = Assert.IsType<Rendering.CutOut>(member.CutOut).Sprite;
        // Its legs reach the bottom of the figure: 940 of 1000 px, from the head at 150.
        Assert.InRange(sprite.Height / (double)sprite.Width, 1.6, 2.0);
    }

    [Theory]
    [InlineData("Image 1 walks. Image 2 stands.", 1)]
    [InlineData("Image 1 runs and Image 2 dances", 3)]
    [InlineData("Image 1 and Image 2 walk", 5)]
    [InlineData("Image 2 walks while Image 1 waves", 7)]
    public void Two_subjects_keep_apart_or_the_nearer_is_drawn_over_the_farther(string prompt, int seed)
    {
        IReadOnlyList<ReferenceImage> references = [Creature(1, new SKColor(220, 40, 40)), Creature(2, new SKColor(40, 80, 220))];
        var problems = new List<string>();
        foreach (var s in new[] { seed, seed + 1, seed + 2 })
        {
            var job = TestMedia.Job(Width, Height, 3, references, $"{prompt.Replace(". Image 2 stands.", " and Image 2 stands")} in the studio, static shot", seed: s);
            var frames = TestMedia.Frames(job, Enumerable.Range(0, 18).Select(i => i * 4));
            int? over = null;
            foreach (var (frame, index) in frames.Select((f, i) => (f, i * 4)))
            {
                var red = Measure.ColourBox(frame, Width, Height, Red);
                var blue = Measure.ColourBox(frame, Width, Height, Blue);
                if (red.Weight < 30 || blue.Weight < 30)
                {
                    continue;
                }

                var left = Math.Max(red.Left, blue.Left);
                var right = Math.Min(red.Right, blue.Right);
                var top = Math.Max(red.Top, blue.Top);
                var bottom = Math.Min(red.Bottom, blue.Bottom);
                if (right - left < 3 || bottom - top < 3)
                {
                    continue;
                }

                // They overlap on screen: they must stand at clearly different depths, the nearer one in front.
                var (redPixels, bluePixels) = Count(frame, (int)left, (int)top, (int)right, (int)bottom);
                var nearer = red.Bottom > blue.Bottom ? 0 : 1;
                var drawnOver = redPixels > bluePixels ? 0 : 1;
                var apart = Math.Abs(red.Bottom - blue.Bottom);
                if (apart < Height * 0.04)
                {
                    problems.Add($"seed {s} frame {index}: overlapping at the same depth (feet {red.Bottom:F0} and {blue.Bottom:F0})");
                }
                else if (nearer != drawnOver)
                {
                    problems.Add($"seed {s} frame {index}: the farther one is drawn over the nearer");
                }

                if (over is { } before && before != drawnOver)
                {
                    problems.Add($"seed {s} frame {index}: the one in front changed");
                }

                over = drawnOver;
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(12)));
    }

    /// <summary>
    /// A chase across the studio is two subjects going one way with the chased ahead. Placed a third of the frame
    /// apart, the pair had only the room left between them and the edges: each went about half the width. Starting
    /// close, one behind the other, both go more than half the way across, the same way, and stay in order.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void In_a_chase_both_cover_ground_the_same_way_with_the_chased_ahead(int seed)
    {
        IReadOnlyList<ReferenceImage> references = [Creature(1, new SKColor(220, 40, 40)), Creature(2, new SKColor(40, 80, 220))];
        var job = TestMedia.Job(Width, Height, 4, references, "Image 1 chases Image 2 across the studio, static shot", seed: seed);
        var frames = TestMedia.Frames(job, Enumerable.Range(0, 12).Select(i => (i * 8) + 2));
        var red = frames.Select(f => Measure.ColourBox(f, Width, Height, Red)).ToList();
        var blue = frames.Select(f => Measure.ColourBox(f, Width, Height, Blue)).ToList();
        Assert.All(red.Concat(blue), box => Assert.True(box.Weight > 30, "a subject left the frame"));

        var chaser = red[^1].CentreX - red[0].CentreX;
        var chased = blue[^1].CentreX - blue[0].CentreX;
        Assert.True(Math.Sign(chaser) == Math.Sign(chased), $"the chaser went {chaser:F0} px, the chased {chased:F0} px");
        Assert.True(Math.Abs(chaser) > Width * 0.55 && Math.Abs(chased) > Width * 0.55, $"the chaser went {chaser:F0} px, the chased {chased:F0} px of {Width}");
        var ahead = red.Zip(blue, (r, b) => Math.Sign(b.CentreX - r.CentreX) == Math.Sign(chaser)).Count(a => a);
        Assert.True(ahead >= frames.Count - 1, $"the chased was ahead in {ahead} of {frames.Count} frames");
    }

    private static (int Red, int Blue) Count(byte[] frame, int left, int top, int right, int bottom)
    {
        int red = 0, blue = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                var i = ((y * Width) + x) * 4;
                red += Red(frame[i], frame[i + 1], frame[i + 2]) > 0.5 ? 1 : 0;
                blue += Blue(frame[i], frame[i + 1], frame[i + 2]) > 0.5 ? 1 : 0;
            }
        }

        return (red, blue);
    }

    private static double Blue(byte b, byte g, byte r) => Math.Clamp((b - Math.Max(r, g) - 50) / 40.0, 0, 1);

    private static double Red(byte b, byte g, byte r) => Math.Clamp((r - Math.Max(g, b) - 50) / 40.0, 0, 1);

    /// <summary>A blue ball on a light backdrop, with the soft grey contact shadow a photo of one has.</summary>
    private static ReferenceImage ShadowedBall()
    {
        using var surface = SKSurface.Create(new SKImageInfo(800, 800, SKColorType.Bgra8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(Backdrop);
        using (var blur = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 22f))
        using (var shadow = new SKPaint { Color = SKColors.Black.WithAlpha(110), MaskFilter = blur, IsAntialias = true })
        {
            canvas.DrawOval(410, 600, 230, 42, shadow);
        }

        using (var paint = new SKPaint { Color = new SKColor(40, 90, 220), IsAntialias = true })
        {
            canvas.DrawCircle(400, 380, 220, paint);
            // A yellow band, so a turn shows.
            paint.Color = new SKColor(240, 200, 40);
            canvas.DrawRect(230, 355, 340, 50, paint);
        }

        return TestMedia.Reference(1, TestMedia.Encode(surface, SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 800, 800);
    }

    /// <summary>A round-bodied creature of one strong colour on white, to tell two subjects apart by colour.</summary>
    private static ReferenceImage Creature(int index, SKColor color)
    {
        using var surface = SKSurface.Create(new SKImageInfo(600, 900, SKColorType.Bgra8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor(248, 248, 246));
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawOval(300, 520, 190, 300, paint);
        canvas.DrawCircle(300, 190, 120, paint);
        paint.Color = SKColors.White;
        canvas.DrawCircle(260, 170, 30, paint);
        canvas.DrawCircle(340, 170, 30, paint);
        return TestMedia.Reference(index, TestMedia.Encode(surface, SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 600, 900);
    }
}
