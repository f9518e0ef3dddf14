using System.Runtime.InteropServices;
using Paddock.Engines.Builtin.Rendering;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>How references are read: subjects on a plain backdrop are cut out with a soft matte, scenes are used whole.</summary>
public sealed class ReferenceTests
{
    [Theory]
    [InlineData("fox")]
    [InlineData("robot")]
    [InlineData("owl")]
    public void A_subject_on_a_plain_backdrop_is_cut_out_with_a_soft_edge(string kind)
    {
        using var member = ReferenceDecoder.Decode(TestMedia.Character(kind, 1), 1280, 720);

        var cutOut = Assert.IsType<CutOut>(member.CutOut);
        var pixels = Pixels(cutOut.Sprite);
        var alpha = pixels.Select(p => (int)(p >> 24)).ToList();
        // Transparent round it, solid inside, and a soft (partly transparent) rim between.
        Assert.Equal(0, alpha[0]);
        Assert.Equal(255, alpha[(cutOut.Sprite.Height / 2 * cutOut.Sprite.Width) + (cutOut.Sprite.Width / 2)]);
        Assert.True(alpha.Count(a => a is > 20 and < 235) > 50, "no soft edge");
        // Cropped to the subject: the backdrop is mostly gone.
        Assert.True(cutOut.Sprite.Width < member.Image.Width * 0.85 && cutOut.Sprite.Height < member.Image.Height * 0.95);
    }

    [Fact]
    public void The_backdrops_colour_does_not_leave_a_halo()
    {
        using var member = ReferenceDecoder.Decode(TestMedia.Character("robot", 1), 1280, 720);
        var background = TestMedia.CharacterBackground("robot");

        // Edge pixels, unpremultiplied, should look like the robot's grey, not the pale blue backdrop.
        var edges = Pixels(member.CutOut!.Sprite).Where(p => (p >> 24) is > 60 and < 200).Select(Unpremultiply).ToList();
        Assert.NotEmpty(edges);
        var towardBackdrop = edges.Average(c => Math.Abs(c.R - background.Red) + Math.Abs(c.G - background.Green) + Math.Abs(c.B - background.Blue));
        Assert.True(towardBackdrop > 60, $"edge pixels are only {towardBackdrop:F0} levels from the backdrop");
    }

    [Fact]
    public void White_inside_a_subject_on_white_is_kept()
    {
        // The fox's belly is the backdrop's colour, but enclosed by the fox.
        using var member = ReferenceDecoder.Decode(TestMedia.Character("fox", 1), 1280, 720);
        var sprite = member.CutOut!.Sprite;
        var pixels = Pixels(sprite);

        // The belly sits at about 70% down, in the middle.
        var belly = pixels[((int)(sprite.Height * 0.7f) * sprite.Width) + (sprite.Width / 2)];
        Assert.Equal(255u, belly >> 24);
    }

    [Fact]
    public void A_gradient_studio_backdrop_is_removed_too()
    {
        using var surface = SKSurface.Create(new SKImageInfo(900, 900, SKColorType.Bgra8888, SKAlphaType.Premul));
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, 900), [new SKColor(60, 60, 70), new SKColor(170, 170, 180)], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader })
        {
            surface.Canvas.DrawPaint(paint);
        }

        using (var paint = new SKPaint { Color = new SKColor(230, 40, 90), IsAntialias = true })
        {
            surface.Canvas.DrawCircle(450, 450, 250, paint);
        }

        var reference = TestMedia.Reference(1, TestMedia.Encode(surface, SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 900, 900);
        using var member = ReferenceDecoder.Decode(reference, 1280, 720);

        var cutOut = Assert.IsType<CutOut>(member.CutOut);
        Assert.InRange(cutOut.Aspect, 0.9f, 1.1f);
        Assert.InRange(cutOut.Sprite.Width, member.Image.Width * 0.5f, member.Image.Width * 0.62f);
    }

    [Fact]
    public void A_transparent_png_is_its_own_matte()
    {
        using var surface = SKSurface.Create(new SKImageInfo(800, 600, SKColorType.Bgra8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.Transparent);
        using (var paint = new SKPaint { Color = new SKColor(240, 200, 0), IsAntialias = true })
        {
            surface.Canvas.DrawCircle(400, 300, 250, paint);
        }

        var reference = TestMedia.Reference(1, TestMedia.Encode(surface, SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 800, 600);
        using var member = ReferenceDecoder.Decode(reference, 1280, 720);

        Assert.NotNull(member.CutOut);
        Assert.InRange(member.CutOut!.Aspect, 0.95f, 1.05f);
    }

    [Fact]
    public void A_subject_cut_by_the_bottom_edge_stands_on_the_bottom_of_the_frame()
    {
        using var surface = SKSurface.Create(new SKImageInfo(800, 1000, SKColorType.Bgra8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        using (var paint = new SKPaint { Color = new SKColor(40, 90, 200), IsAntialias = true })
        {
            surface.Canvas.DrawCircle(400, 380, 170, paint);
            surface.Canvas.DrawOval(400, 1000, 300, 380, paint);
        }

        var reference = TestMedia.Reference(1, TestMedia.Encode(surface, SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 800, 1000);
        using var member = ReferenceDecoder.Decode(reference, 1280, 720);

        Assert.True(member.CutOut?.Bust, "a head and shoulders, cut by the image's bottom edge");
    }

    [Fact]
    public void Scenes_and_plain_colours_are_used_whole()
    {
        using var photo = ReferenceDecoder.Decode(TestMedia.Photo(1), 1280, 720);
        using var stripes = ReferenceDecoder.Decode(TestMedia.TwoReferences()[0], 1280, 720);
        using var solid = ReferenceDecoder.Decode(TestMedia.Reference(1, TestMedia.Solid(800, 600, SKColors.Teal, SKEncodedImageFormat.Png), SKEncodedImageFormat.Png, 800, 600), 1280, 720);

        Assert.Null(photo.CutOut);
        Assert.Null(stripes.CutOut);
        Assert.Null(solid.CutOut);
    }

    private static uint[] Pixels(SKImage image)
    {
        using var pixmap = image.PeekPixels();
        var pixels = new uint[pixmap.Width * pixmap.Height];
        for (var y = 0; y < pixmap.Height; y++)
        {
            var row = new int[pixmap.Width];
            Marshal.Copy(pixmap.GetPixels() + (y * pixmap.RowBytes), row, 0, pixmap.Width);
            for (var x = 0; x < pixmap.Width; x++)
            {
                pixels[(y * pixmap.Width) + x] = (uint)row[x];
            }
        }

        return pixels;
    }

    private static (double R, double G, double B) Unpremultiply(uint pixel)
    {
        var a = (pixel >> 24) / 255.0;
        return (((pixel >> 16) & 0xFF) / a, ((pixel >> 8) & 0xFF) / a, (pixel & 0xFF) / a);
    }
}
