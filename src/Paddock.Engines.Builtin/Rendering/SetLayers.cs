using System.Runtime.CompilerServices;
using Paddock.Engines.Builtin.Rendering.Sets;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// One baked plane of a set: an image covering <see cref="World"/> (world coordinates at its own
/// parallax), graded already. Its rows from <see cref="OpaqueFrom"/> to <see cref="OpaqueTo"/> are
/// fully opaque, so planes behind it need not be drawn there.
/// </summary>
internal sealed class Layer : IDisposable
{
    private readonly SKPixmap _pixmap;

    public Layer(SKImage image, SKRect world, float parallax, bool behindActors)
    {
        Image = image;
        Pixels = RasterPixels.Of(image, out _pixmap);
        World = world;
        Parallax = parallax;
        BehindActors = behindActors;
        (OpaqueFrom, OpaqueTo) = FindOpaqueBand(Pixels);
        Opaque = OpaqueFrom == 0 && OpaqueTo == Pixels.Height;
        Tiles = Opaque ? null : TileMap.Of(Pixels);
    }

    /// <summary>Which runs of each row are empty, opaque or mixed; null for an opaque layer.</summary>
    public TileMap? Tiles { get; }

    public SKImage Image { get; }

    public RasterPixels Pixels { get; }

    public SKRect World { get; }

    public float Parallax { get; }

    /// <summary>False for foreground planes, drawn over the subjects.</summary>
    public bool BehindActors { get; }

    /// <summary>The longest band of fully opaque image rows starts here (see <see cref="OpaqueTo"/>).</summary>
    public int OpaqueFrom { get; }

    /// <summary>The end (exclusive) of the opaque band; equal to <see cref="OpaqueFrom"/> when there is none.</summary>
    public int OpaqueTo { get; }

    /// <summary>No transparency at all: drawn with the plain blit.</summary>
    public bool Opaque { get; }

    public void Dispose()
    {
        _pixmap.Dispose();
        Image.Dispose();
    }

    /// <summary>The longest run of fully opaque rows, [from, to); empty when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe (int From, int To) FindOpaqueBand(RasterPixels pixels)
    {
        var best = (From: 0, To: 0);
        var start = -1;
        for (var y = 0; y <= pixels.Height; y++)
        {
            var opaque = y < pixels.Height;
            if (opaque)
            {
                var row = (uint*)(pixels.Address + ((nint)y * pixels.RowBytes));
                for (var x = 0; x < pixels.Width && opaque; x++)
                {
                    opaque = row[x] >= 0xFF000000u;
                }
            }

            if (opaque && start < 0)
            {
                start = y;
            }
            else if (!opaque && start >= 0)
            {
                if (y - start > best.To - best.From)
                {
                    best = (start, y);
                }

                start = -1;
            }
        }

        return best;
    }
}

/// <summary>
/// Bakes the planes of a set once per set and look: procedural sets painted at the resolution the
/// camera needs, image sets scaled and graded. Every plane covers exactly the world its shots' cameras
/// can see (measured from the camera curves), so no edge ever shows and nothing is baked for nothing.
/// </summary>
internal static class SetLayers
{
    /// <summary>More pixels per world unit than this and a plane costs more to bake than upsampling ever shows.</summary>
    private const float MaxResolution = 1.3f;

    /// <summary>Distant planes take a little of the haze colour even in clear air: depth without fog.</summary>
    private static float BaseHaze(Depth depth) => depth switch
    {
        Depth.Far => 0.22f,
        Depth.Mid => 0.1f,
        _ => 0f,
    };

    /// <summary>How much of a foggy look reaches each plane: the far ones almost vanish, the near ones barely change.</summary>
    internal static float FogWeight(Depth depth) => depth switch
    {
        Depth.Sky => 0.55f,
        Depth.Far => 0.85f,
        Depth.Mid => 0.65f,
        Depth.Ground => 0.35f,
        _ => 0.15f,
    };

    /// <summary>The fog subjects get: a little, so they sit in the same air as the ground they stand on.</summary>
    internal const float ActorFog = 0.3f;

    /// <summary>
    /// Bakes one plane of a procedural set: each of its depths painted and graded (with its own
    /// haze), its lights painted over with the look's colour only, the depths stacked far to near.
    /// </summary>
    public static Layer? BakePlane(SetPlan set, Look look, Plane plane, int width, int height, SKRect area, float scale)
    {
        var haze = Sky.Haze(look.Time);
        var resolution = Math.Clamp(scale, 0.5f, plane.Parallax < 0.5f ? 1.1f : MaxResolution);
        var (pixelWidth, pixelHeight) = Size(area, ref resolution);
        using var surface = NewSurface(pixelWidth, pixelHeight);
        // Painters fill "the area" a little beyond the surface, so its last column and row are covered too.
        var painted = area;
        painted.Inflate(2f / resolution, 2f / resolution);
        for (var i = 0; i < plane.Depths.Length; i++)
        {
            var depth = plane.Depths[i];
            // The first depth paints the plane itself; nearer ones (the far distance over the sky) are
            // painted apart, on a band round the horizon where they can be, and laid over it.
            var band = i == 0 ? area : Scenery.Band(depth, area, height, height * set.Horizon);
            var bandTop = (int)MathF.Floor((band.Top - area.Top) * resolution);
            var bandRows = Math.Min(pixelHeight - bandTop, (int)MathF.Ceiling(band.Height * resolution) + 2);
            if (bandRows <= 0)
            {
                continue;
            }

            var bandArea = new SKRect(area.Left, area.Top + (bandTop / resolution), area.Right, area.Top + ((bandTop + bandRows) / resolution));
            using var own = i == 0 ? null : NewSurface(pixelWidth, bandRows);
            var target = own ?? surface;
            Paint(target, resolution, bandArea, canvas => Scenery.Paint(set.Setting, Context(canvas, depth)));
            ColorGrade.Apply(target, look.Matrix(BaseHaze(depth) + (look.Fog * FogWeight(depth)), haze));
            if (Scenery.HasLights(set.Setting, depth, look.Time, look.Neon))
            {
                // Lights shine at their own brightness: only the colour of the look reaches them.
                using var lights = NewSurface(pixelWidth, i == 0 ? pixelHeight : bandRows);
                Paint(lights, resolution, bandArea, canvas => Scenery.Lights(set.Setting, Context(canvas, depth), look.Neon));
                ColorGrade.Apply(lights, look.ChromaMatrix());
                Stack(lights, target, 0);
            }

            if (own is not null)
            {
                Stack(own, surface, bandTop);
            }
        }

        Soften(surface, look.Depth * MathF.Abs(1f - plane.Parallax) * DepthBlur * height * resolution);
        var cropped = Crop(surface, pixelWidth, pixelHeight, area, resolution, plane.Depths[0] == Depth.Sky);
        return cropped is { } c ? new Layer(c.Image, c.World, plane.Parallax, plane.BehindActors) : null;

        PaintContext Context(SKCanvas canvas, Depth depth) => new(canvas, painted, width, height, height * set.Horizon, look.Time, set.Variant, depth);
    }

    /// <summary>How soft a plane far from the subjects gets under a full "depth" look: a share of the frame's height, per unit of parallax away from them.</summary>
    private const float DepthBlur = 0.009f;

    /// <summary>A shallow depth of field, baked: the plane blurred in place (edges clamped, so no border darkens).</summary>
    private static void Soften(SKSurface surface, float sigma)
    {
        if (sigma < 0.4f)
        {
            return;
        }

        using var sharp = surface.Snapshot();
        using var blur = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { ImageFilter = blur, BlendMode = SKBlendMode.Src };
        surface.Canvas.DrawImage(sharp, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
    }

    private static SKSurface NewSurface(int width, int height)
    {
        var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Skia could not create a {width}x{height} surface.");
        surface.Canvas.Clear(SKColors.Transparent);
        return surface;
    }

    private static void Paint(SKSurface surface, float resolution, SKRect area, Action<SKCanvas> paint)
    {
        var canvas = surface.Canvas;
        canvas.Save();
        canvas.Scale(resolution);
        canvas.Translate(-area.Left, -area.Top);
        paint(canvas);
        canvas.Restore();
    }

    private static void Stack(SKSurface top, SKSurface under, int row)
    {
        using var paint = new SKPaint();
        top.Draw(under.Canvas, 0, row, paint);
    }

    /// <summary>
    /// A reference used whole as the set: scaled to cover the frame (more when the camera needs
    /// room), graded. An image far from the frame's shape is shown whole over a blurred, dimmed
    /// copy of itself instead of being cropped to a sliver.
    /// </summary>
    public static Layer BakeImage(CastMember member, Look look, int width, int height, float parallax, SKRect area, float scale)
    {
        var aspect = member.Aspect;
        var frameAspect = width / (float)height;
        var crop = MathF.Max(aspect / frameAspect, frameAspect / aspect);
        var (coverWidth, coverHeight) = aspect > frameAspect ? (height * aspect, (float)height) : (width, width / aspect);
        if (crop > 1.45f)
        {
            (coverWidth, coverHeight) = (width, height);
        }

        // Grown about the frame's centre until it holds everything the camera sees.
        var cx = width * 0.5f;
        var cy = height * 0.5f;
        var grow = MathF.Max(1f, 1.004f * MathF.Max(
            MathF.Max((cx - area.Left) / (coverWidth * 0.5f), (area.Right - cx) / (coverWidth * 0.5f)),
            MathF.Max((cy - area.Top) / (coverHeight * 0.5f), (area.Bottom - cy) / (coverHeight * 0.5f))));
        var world = new SKRect(cx - (coverWidth * grow * 0.5f), cy - (coverHeight * grow * 0.5f), cx + (coverWidth * grow * 0.5f), cy + (coverHeight * grow * 0.5f));
        // No more pixels than the image has to give, nor than the camera needs.
        var resolution = MathF.Min(Math.Clamp(scale, 0.5f, MaxResolution), MathF.Max(member.Image.Width / world.Width, member.Image.Height / world.Height));
        resolution = MathF.Max(resolution, 0.25f);
        var (pixelWidth, pixelHeight) = Size(world, ref resolution);
        using var surface = SKSurface.Create(new SKImageInfo(pixelWidth, pixelHeight, SKColorType.Bgra8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Skia could not create a {pixelWidth}x{pixelHeight} surface.");
        var canvas = surface.Canvas;
        var target = new SKRect(0, 0, pixelWidth, pixelHeight);
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        {
            canvas.Clear(new SKColor(24, 24, 28));
            if (crop > 1.45f)
            {
                // Blurred and dimmed cover behind the whole image, which sits in front with a shadow.
                var (fillWidth, fillHeight) = aspect > frameAspect ? (pixelHeight * aspect, (float)pixelHeight) : (pixelWidth, pixelWidth / aspect);
                using (var blur = SKImageFilter.CreateBlur(pixelWidth * 0.03f, pixelWidth * 0.03f))
                using (var dim = SKColorFilter.CreateColorMatrix([0.6f, 0, 0, 0, 0, 0, 0.6f, 0, 0, 0, 0, 0, 0.6f, 0, 0, 0, 0, 0, 1, 0]))
                using (var back = new SKPaint { ImageFilter = blur, ColorFilter = dim })
                {
                    canvas.DrawImage(member.Image, SKRect.Create((pixelWidth - fillWidth) / 2f, (pixelHeight - fillHeight) / 2f, fillWidth, fillHeight), sampling, back);
                }

                var fit = MathF.Min(pixelWidth * 0.84f / grow / aspect, pixelHeight * 0.84f / grow);
                var inner = SKRect.Create((pixelWidth - (fit * aspect)) / 2f, (pixelHeight - fit) / 2f, fit * aspect, fit);
                using (var shadowBlur = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, pixelHeight * 0.015f))
                using (var shadow = new SKPaint { Color = SKColors.Black.WithAlpha(150), MaskFilter = shadowBlur })
                {
                    canvas.DrawRect(inner.Left, inner.Top + (pixelHeight * 0.012f), inner.Width, inner.Height, shadow);
                }

                using var plain = new SKPaint();
                canvas.DrawImage(member.Image, inner, sampling, plain);
            }
            else
            {
                using var plain = new SKPaint();
                canvas.DrawImage(member.Image, target, sampling, plain);
            }
        }

        ColorGrade.Apply(surface, look.Matrix(0f, SKColors.Black));
        return new Layer(surface.Snapshot(), world, parallax, behindActors: true);
    }

    private static (int Width, int Height) Size(SKRect area, ref float resolution)
    {
        const int largest = 8192;
        var longest = MathF.Max(area.Width, area.Height) * resolution;
        if (longest > largest)
        {
            resolution *= largest / longest;
        }

        return (Math.Max(1, (int)MathF.Ceiling(area.Width * resolution)), Math.Max(1, (int)MathF.Ceiling(area.Height * resolution)));
    }

    /// <summary>Keeps only the rows that hold something, and says which world area they cover.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe (SKImage Image, SKRect World)? Crop(SKSurface surface, int width, int height, SKRect area, float resolution, bool whole)
    {
        using var pixmap = surface.PeekPixels();
        var top = 0;
        var bottom = height;
        if (!whole)
        {
            bool Empty(int y)
            {
                var row = (uint*)(pixmap.GetPixels() + ((nint)y * pixmap.RowBytes));
                for (var x = 0; x < width; x++)
                {
                    if (row[x] > 0x00FFFFFFu)
                    {
                        return false;
                    }
                }

                return true;
            }

            while (top < height && Empty(top))
            {
                top++;
            }

            while (bottom > top && Empty(bottom - 1))
            {
                bottom--;
            }

            if (top >= bottom)
            {
                return null;
            }
        }

        var image = surface.Snapshot(new SKRectI(0, top, width, bottom));
        var world = new SKRect(area.Left, area.Top + (top / resolution), area.Left + (width / resolution), area.Top + (bottom / resolution));
        return (image, world);
    }
}
