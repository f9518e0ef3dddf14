using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Cuts a subject out of a reference image, or says it cannot. The background is estimated from the
/// image's border: each side's colour along its length (a median across a thin band, smoothed),
/// blended inwards as a Coons patch, so plain and gradient studio backdrops both work. Pixels far
/// enough from that estimate are the subject; its largest pieces are kept, small holes filled, and
/// the edge is a soft matte from the colour distance, with the background's colour taken back out of
/// the edge pixels so no halo of the old backdrop remains. A soft shadow the subject casts on the
/// backdrop (a ball's grey contact shadow) belongs to the backdrop and is left out: otherwise it would
/// turn with the subject as a halo, and the renderer draws a shadow of its own on the ground. A border
/// that is not uniform (a photo of a scene), a subject that fills almost everything or almost
/// nothing, or one that touches three sides means the image cannot be cut out: it is used whole.
/// </summary>
internal static class Matte
{
    /// <summary>The analysis copy's long side: enough to find the subject, cheap to flood-fill.</summary>
    private const int AnalysisSize = 256;

    private const float MinimumShare = 0.015f;
    private const float MaximumShare = 0.85f;

    /// <summary>A cut-out, premultiplied and cropped to the subject; null when the image cannot be cut out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static CutOut? Extract(SKImage image)
    {
        using var pixmap = image.PeekPixels() ?? throw new InvalidOperationException("The image is not a raster image.");
        var width = pixmap.Width;
        var height = pixmap.Height;
        if (width < 8 || height < 8)
        {
            return null;
        }

        var scale = MathF.Min(1f, AnalysisSize / (float)Math.Max(width, height));
        var aw = Math.Max(4, (int)MathF.Round(width * scale));
        var ah = Math.Max(4, (int)MathF.Round(height * scale));
        var small = Downscale(image, aw, ah);
        var alphaMask = TransparencyMask(small, aw, ah);
        if (alphaMask is not null)
        {
            return FromAlpha(ReadPixels(pixmap), width, height, alphaMask, aw, ah);
        }

        var border = Border.Measure(small, aw, ah);
        if (!border.Uniform)
        {
            return null;
        }

        var (low, high) = border.Thresholds;
        var mask = new bool[aw * ah];
        // The background estimate's column terms once per column, its row terms once per row (see Border.Patch).
        var columns = new (Rgb Top, Rgb Bottom, float U)[aw];
        for (var x = 0; x < aw; x++)
        {
            columns[x] = border.Columns(x + 0.5f, aw);
        }

        for (var y = 0; y < ah; y++)
        {
            var (left, right, v) = border.Rows(y + 0.5f, ah);
            for (var x = 0; x < aw; x++)
            {
                var (top, bottom, u) = columns[x];
                mask[(y * aw) + x] = Distance(small[(y * aw) + x], border.Patch(top, bottom, u, left, right, v)) > (low + high) * 0.5f;
            }
        }

        mask = Open(mask, aw, ah);
        if (!Clean(mask, aw, ah, out var bust))
        {
            return null;
        }

        var shadow = BakedShadow(small, mask, aw, ah, border);
        if (shadow is not null)
        {
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] &= !shadow[i];
            }

            bust = TouchedSides(mask, aw, ah, out var bottom) <= 2 && bottom;
        }

        return Cut(ReadPixels(pixmap), width, height, mask, aw, ah, border, bust, shadow is null ? null : ToFloat(Dilate(shadow, aw, ah, 3)));
    }

    /// <summary>
    /// The parts of the subject that are a soft shadow on the backdrop, or null: pixels that are the
    /// backdrop's own colour darkened (every channel by about the same factor), in pieces in the lower
    /// part of the subject whose darkness fades in gradually from the backdrop (a penumbra; a grey
    /// object's edge is sharp). At most half the subject: what remains must still be a subject.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool[]? BakedShadow(uint[] small, bool[] mask, int w, int h, Border border)
    {
        var darkness = new float[mask.Length];
        var candidate = new bool[mask.Length];
        int top = h, bottom = -1, total = 0;
        for (var y = 0; y < h; y++)
        {
            var (left, right, v) = border.Rows(y + 0.5f, h);
            for (var x = 0; x < w; x++)
            {
                var i = (y * w) + x;
                if (!mask[i])
                {
                    continue;
                }

                total++;
                (top, bottom) = (Math.Min(top, y), Math.Max(bottom, y));
                var (columnTop, columnBottom, u) = border.Columns(x + 0.5f, w);
                if (ShadeOf(small[i], border.Patch(columnTop, columnBottom, u, left, right, v)) is { } shade and > 0.03f and < 0.75f)
                {
                    candidate[i] = true;
                    darkness[i] = shade;
                }
            }
        }

        var labels = new int[mask.Length];
        var queue = new Queue<int>();
        var regions = new List<List<int>> { new() };
        for (var start = 0; start < mask.Length; start++)
        {
            if (candidate[start] && labels[start] == 0)
            {
                Flood(candidate, labels, w, h, start, regions.Count, wanted: true, queue);
                regions.Add([]);
            }

            if (labels[start] != 0)
            {
                regions[labels[start]].Add(start);
            }
        }

        var shadow = new bool[mask.Length];
        var removed = 0;
        foreach (var region in regions.Skip(1))
        {
            if (region.Count < total * 0.02f || region.Average(i => i / w) < top + ((bottom - top) * 0.55f))
            {
                continue;
            }

            // Soft: one pixel in from where it meets the backdrop, a penumbra is still much lighter than its core.
            var edge = region.Where(i => Neighbours(i, w, h).Any(j => !mask[j])).ToHashSet();
            var inner = region.Where(i => !edge.Contains(i) && Neighbours(i, w, h).Any(edge.Contains)).ToList();
            var core = region.Select(i => darkness[i]).Order().ElementAt((int)(region.Count * 0.9f));
            if (edge.Count == 0 || inner.Count == 0 || inner.Average(i => darkness[i]) > core * 0.7f)
            {
                continue;
            }

            foreach (var i in region)
            {
                shadow[i] = true;
            }

            removed += region.Count;
        }

        return removed > 0 && removed <= total * 0.5f ? shadow : null;
    }

    /// <summary>How much darker than the backdrop a pixel is (0..1) when it is the backdrop's colour in shade; null when it is another colour.</summary>
    private static float? ShadeOf(uint pixel, Rgb background)
    {
        var b = (pixel & 0xFF) / MathF.Max(24f, background.B);
        var g = ((pixel >> 8) & 0xFF) / MathF.Max(24f, background.G);
        var r = ((pixel >> 16) & 0xFF) / MathF.Max(24f, background.R);
        var mean = (r + g + b) / 3f;
        var spread = MathF.Max(r, MathF.Max(g, b)) - MathF.Min(r, MathF.Min(g, b));
        return spread < 0.08f && mean < 1f && (background.R + background.G + background.B) > 240f ? 1f - mean : null;
    }

    private static IEnumerable<int> Neighbours(int i, int w, int h)
    {
        var (x, y) = (i % w, i / w);
        if (x > 0)
        {
            yield return i - 1;
        }

        if (x < w - 1)
        {
            yield return i + 1;
        }

        if (y > 0)
        {
            yield return i - w;
        }

        if (y < h - 1)
        {
            yield return i + w;
        }
    }

    /// <summary>For images with real transparency: the alpha channel is the matte already.</summary>
    private static bool[]? TransparencyMask(uint[] small, int aw, int ah)
    {
        var transparent = 0;
        var borderTransparent = 0;
        var borderCount = 0;
        var mask = new bool[aw * ah];
        for (var y = 0; y < ah; y++)
        {
            for (var x = 0; x < aw; x++)
            {
                var alpha = small[(y * aw) + x] >> 24;
                mask[(y * aw) + x] = alpha > 24;
                if (alpha < 250)
                {
                    transparent++;
                }

                if (x == 0 || y == 0 || x == aw - 1 || y == ah - 1)
                {
                    borderCount++;
                    if (alpha < 32)
                    {
                        borderTransparent++;
                    }
                }
            }
        }

        return transparent > aw * ah / 50 && borderTransparent > borderCount / 2 ? mask : null;
    }

    private static CutOut? FromAlpha(uint[] pixels, int width, int height, bool[] mask, int aw, int ah)
    {
        var share = mask.Count(m => m) / (float)mask.Length;
        if (share is < MinimumShare or > 0.97f)
        {
            return null;
        }

        var bust = TouchedSides(mask, aw, ah, out var bottom) <= 2 && bottom;
        var bounds = AlphaBounds(pixels, width, new SKRectI(0, 0, width, height), 8);
        return bounds.IsEmpty ? null : CutOut.Create(pixels, width, bounds, bust);
    }

    /// <summary>Removes single-pixel specks: an erosion then a dilation.</summary>
    private static bool[] Open(bool[] mask, int w, int h) => Dilate(Erode(mask, w, h, 1), w, h, 1);

    /// <summary>Keeps the subject's large pieces, fills its small holes, and decides whether it is a subject at all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Clean(bool[] mask, int w, int h, out bool bust)
    {
        bust = false;
        var labels = new int[mask.Length];
        var areas = new List<int> { 0 };
        var queue = new Queue<int>();
        for (var start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || labels[start] != 0)
            {
                continue;
            }

            var label = areas.Count;
            var area = Flood(mask, labels, w, h, start, label, wanted: true, queue);
            areas.Add(area);
        }

        var largest = areas.Max();
        if (largest == 0)
        {
            return false;
        }

        var keep = Math.Max(largest * 0.08f, mask.Length * 0.002f);
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = mask[i] && areas[labels[i]] >= keep;
        }

        // Holes: background not reachable from the border.
        var outside = new bool[mask.Length];
        for (var x = 0; x < w; x++)
        {
            Reach(mask, outside, w, h, x, queue);
            Reach(mask, outside, w, h, ((h - 1) * w) + x, queue);
        }

        for (var y = 0; y < h; y++)
        {
            Reach(mask, outside, w, h, y * w, queue);
            Reach(mask, outside, w, h, (y * w) + w - 1, queue);
        }

        var holeLabels = new int[mask.Length];
        var holeMask = new bool[mask.Length];
        for (var i = 0; i < mask.Length; i++)
        {
            holeMask[i] = !mask[i] && !outside[i];
        }

        var holeAreas = new List<int> { 0 };
        for (var start = 0; start < mask.Length; start++)
        {
            if (holeMask[start] && holeLabels[start] == 0)
            {
                holeAreas.Add(Flood(holeMask, holeLabels, w, h, start, holeAreas.Count, wanted: true, queue));
            }
        }

        // Enclosed by the subject and smaller than a third of it: a white belly, not the sky between two arms.
        var subject = mask.Count(m => m);
        for (var i = 0; i < mask.Length; i++)
        {
            if (holeMask[i] && holeAreas[holeLabels[i]] < subject * 0.33f)
            {
                mask[i] = true;
            }
        }

        var share = mask.Count(m => m) / (float)mask.Length;
        if (share is < MinimumShare or > MaximumShare)
        {
            return false;
        }

        var sides = TouchedSides(mask, w, h, out var bottom);
        bust = bottom;
        // A subject leaves some backdrop round it; a band across the whole picture is scenery (hills under a sky).
        int left = w, right = -1, top = h, lowest = -1;
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i])
            {
                (left, right, top, lowest) = (Math.Min(left, i % w), Math.Max(right, i % w), Math.Min(top, i / w), Math.Max(lowest, i / w));
            }
        }

        var wide = right - left + 1 > w * 0.92f;
        var tall = lowest - top + 1 > h * 0.97f;
        return sides <= 2 && !wide && !tall;
    }

    private static int TouchedSides(bool[] mask, int w, int h, out bool bottom)
    {
        int Count(Func<int, int> index, int length)
        {
            var n = 0;
            for (var i = 0; i < length; i++)
            {
                if (mask[index(i)])
                {
                    n++;
                }
            }

            return n;
        }

        var top = Count(x => x, w) > w * 0.08f;
        bottom = Count(x => ((h - 1) * w) + x, w) > w * 0.08f;
        var left = Count(y => y * w, h) > h * 0.08f;
        var right = Count(y => (y * w) + w - 1, h) > h * 0.08f;
        return (top ? 1 : 0) + (bottom ? 1 : 0) + (left ? 1 : 0) + (right ? 1 : 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Flood(bool[] mask, int[] labels, int w, int h, int start, int label, bool wanted, Queue<int> queue)
    {
        var area = 0;
        queue.Clear();
        queue.Enqueue(start);
        labels[start] = label;
        while (queue.Count > 0)
        {
            var i = queue.Dequeue();
            area++;
            var x = i % w;
            var y = i / w;
            Visit(x > 0, i - 1);
            Visit(x < w - 1, i + 1);
            Visit(y > 0, i - w);
            Visit(y < h - 1, i + w);
        }

        return area;

        void Visit(bool inside, int j)
        {
            if (inside && mask[j] == wanted && labels[j] == 0)
            {
                labels[j] = label;
                queue.Enqueue(j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Reach(bool[] mask, bool[] outside, int w, int h, int start, Queue<int> queue)
    {
        if (mask[start] || outside[start])
        {
            return;
        }

        queue.Clear();
        queue.Enqueue(start);
        outside[start] = true;
        while (queue.Count > 0)
        {
            var i = queue.Dequeue();
            var x = i % w;
            var y = i / w;
            Visit(x > 0, i - 1);
            Visit(x < w - 1, i + 1);
            Visit(y > 0, i - w);
            Visit(y < h - 1, i + w);
        }

        void Visit(bool inside, int j)
        {
            if (inside && !mask[j] && !outside[j])
            {
                outside[j] = true;
                queue.Enqueue(j);
            }
        }
    }

    private static bool[] Erode(bool[] mask, int w, int h, int radius) => Morph(mask, w, h, radius, erode: true);

    private static bool[] Dilate(bool[] mask, int w, int h, int radius) => Morph(mask, w, h, radius, erode: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool[] Morph(bool[] mask, int w, int h, int radius, bool erode)
    {
        var result = new bool[mask.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var value = erode;
                for (var dy = -radius; dy <= radius && value == erode; dy++)
                {
                    for (var dx = -radius; dx <= radius; dx++)
                    {
                        var sx = Math.Clamp(x + dx, 0, w - 1);
                        var sy = Math.Clamp(y + dy, 0, h - 1);
                        if (mask[(sy * w) + sx] != erode)
                        {
                            value = !erode;
                            break;
                        }
                    }
                }

                result[(y * w) + x] = value;
            }
        }

        return result;
    }

    /// <summary>The full-resolution matte: solid inside the subject, soft at its edge, nothing outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CutOut? Cut(uint[] pixels, int width, int height, bool[] mask, int aw, int ah, Border border, bool bust, float[]? shadowZone)
    {
        var core = ToFloat(Erode(mask, aw, ah, 1));
        var hull = ToFloat(Dilate(mask, aw, ah, 2));
        var (low, high) = border.Thresholds;
        var sx = aw / (float)width;
        var sy = ah / (float)height;
        var output = new uint[pixels.Length];
        // Only the hull's box can hold the subject: the rest stays transparent without a look.
        var box = AlphaBounds(hull.Select(v => v > 0f ? 0xFF000000u : 0u).ToArray(), aw, new SKRectI(0, 0, aw, ah), 0);
        var fromX = Math.Max(0, (int)MathF.Floor((box.Left - 1) / sx));
        var toX = Math.Min(width, (int)MathF.Ceiling((box.Right + 1) / sx));
        var fromY = Math.Max(0, (int)MathF.Floor((box.Top - 1) / sy));
        var toY = Math.Min(height, (int)MathF.Ceiling((box.Bottom + 1) / sy));
        // The background estimate is a Coons patch: its four terms depend on the column or on the
        // row only, so they are worked out once per column and once per row.
        var columns = new Rgb[toX - fromX];
        var columnsBottom = new Rgb[toX - fromX];
        var us = new float[toX - fromX];
        for (var x = fromX; x < toX; x++)
        {
            var ax = ((x + 0.5f) * sx) - 0.5f;
            (columns[x - fromX], columnsBottom[x - fromX], us[x - fromX]) = border.Columns(ax + 0.5f, aw);
        }

        for (var y = fromY; y < toY; y++)
        {
            var ay = ((y + 0.5f) * sy) - 0.5f;
            var (leftColour, rightColour, v) = border.Rows(ay + 0.5f, ah);
            for (var x = fromX; x < toX; x++)
            {
                var ax = ((x + 0.5f) * sx) - 0.5f;
                // Deep inside the subject (every core tap set) the alpha is 1, and unmixing at alpha 1 gives the
                // pixel back: skip the background estimate and the colour distance for most of the subject.
                if (InsideCore(core, aw, ah, ax, ay))
                {
                    output[(y * width) + x] = pixels[(y * width) + x] | 0xFF000000u;
                    continue;
                }

                var outer = Sample(hull, aw, ah, ax, ay);
                if (outer <= 0f)
                {
                    continue;
                }

                var pixel = pixels[(y * width) + x];
                var background = border.Patch(columns[x - fromX], columnsBottom[x - fromX], us[x - fromX], leftColour, rightColour, v);
                if (shadowZone is not null && Sample(shadowZone, aw, ah, ax, ay) > 0f && ShadeOf(pixel, background) is { } shade)
                {
                    // Near a shadow left out, the backdrop here is in shade: measured against that, the shadow is no part of the subject.
                    background = new Rgb(background.R * (1f - shade), background.G * (1f - shade), background.B * (1f - shade));
                }

                var distance = Distance(pixel, background);
                var soft = Smooth((distance - low) / (high - low));
                var alpha = MathF.Max(Sample(core, aw, ah, ax, ay), MathF.Min(soft, outer));
                if (alpha <= 0.004f)
                {
                    continue;
                }

                output[(y * width) + x] = Unmix(pixel, background, alpha);
            }
        }

        var bounds = AlphaBounds(output, width, new SKRectI(fromX, fromY, toX, toY), 6);
        return bounds.IsEmpty ? null : CutOut.Create(output, width, bounds, bust);
    }

    /// <summary>The edge pixel's own colour with the background's share taken out, premultiplied by its alpha.</summary>
    private static uint Unmix(uint pixel, Rgb background, float alpha)
    {
        var inverse = 1f / MathF.Max(alpha, 0.25f);
        byte Channel(float value, float back) => (byte)MathF.Round(Math.Clamp(back + ((value - back) * inverse), 0f, 255f) * alpha);
        var b = Channel(pixel & 0xFF, background.B);
        var g = Channel((pixel >> 8) & 0xFF, background.G);
        var r = Channel((pixel >> 16) & 0xFF, background.R);
        var a = (byte)MathF.Round(alpha * 255f);
        return b | ((uint)g << 8) | ((uint)r << 16) | ((uint)a << 24);
    }

    private static float Smooth(float x)
    {
        x = Math.Clamp(x, 0f, 1f);
        return x * x * (3f - (2f * x));
    }

    private static float[] ToFloat(bool[] mask) => mask.Select(m => m ? 1f : 0f).ToArray();

    /// <summary>Whether all four taps <see cref="Sample"/> would read are 1: the sample is exactly 1.</summary>
    private static bool InsideCore(float[] core, int w, int h, float x, float y)
    {
        var (i00, i10, i01, i11, _, _) = Taps(w, h, x, y);
        return core[i00] == 1f && core[i10] == 1f && core[i01] == 1f && core[i11] == 1f;
    }

    private static float Sample(float[] values, int w, int h, float x, float y)
    {
        var (i00, i10, i01, i11, fx, fy) = Taps(w, h, x, y);
        var top = values[i00] + ((values[i10] - values[i00]) * fx);
        var bottom = values[i01] + ((values[i11] - values[i01]) * fx);
        return top + ((bottom - top) * fy);
    }

    /// <summary>The four indices a bilinear sample at (x, y) reads, clamped to the grid, and its weights.</summary>
    private static (int I00, int I10, int I01, int I11, float Fx, float Fy) Taps(int w, int h, float x, float y)
    {
        x = Math.Clamp(x, 0f, w - 1);
        y = Math.Clamp(y, 0f, h - 1);
        var x0 = (int)x;
        var y0 = (int)y;
        var x1 = Math.Min(x0 + 1, w - 1);
        var y1 = Math.Min(y0 + 1, h - 1);
        return ((y0 * w) + x0, (y0 * w) + x1, (y1 * w) + x0, (y1 * w) + x1, x - x0, y - y0);
    }

    /// <summary>The box, within <paramref name="region"/>, of the pixels whose alpha exceeds <paramref name="threshold"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static SKRectI AlphaBounds(uint[] pixels, int width, SKRectI region, uint threshold)
    {
        int left = region.Right, top = region.Bottom, right = -1, bottom = -1;
        var limit = (threshold << 24) | 0x00FFFFFFu;
        for (var y = region.Top; y < region.Bottom; y++)
        {
            var row = y * width;
            for (var x = region.Left; x < region.Right; x++)
            {
                if (pixels[row + x] > limit)
                {
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                }
            }
        }

        return right < 0 ? SKRectI.Empty : new SKRectI(left, top, right + 1, bottom + 1);
    }

    private static float Distance(uint pixel, Rgb background)
    {
        var db = (pixel & 0xFF) - background.B;
        var dg = ((pixel >> 8) & 0xFF) - background.G;
        var dr = ((pixel >> 16) & 0xFF) - background.R;
        return MathF.Sqrt((dr * dr) + (dg * dg) + (db * db));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe uint[] ReadPixels(SKPixmap pixmap)
    {
        var pixels = new uint[pixmap.Width * pixmap.Height];
        for (var y = 0; y < pixmap.Height; y++)
        {
            var row = pixmap.GetPixels() + ((nint)y * pixmap.RowBytes);
            new ReadOnlySpan<uint>((void*)row, pixmap.Width).CopyTo(pixels.AsSpan(y * pixmap.Width, pixmap.Width));
        }

        return pixels;
    }

    private static uint[] Downscale(SKImage image, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        var pixels = new uint[width * height];
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var surface = SKSurface.Create(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
            surface.Canvas.DrawImage(image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
            surface.Flush();
        }
        finally
        {
            handle.Free();
        }

        return pixels;
    }

    internal readonly record struct Rgb(float R, float G, float B);

    /// <summary>The colour along each side of the image and how much the border's pixels stray from it.</summary>
    private sealed class Border
    {
        private readonly Rgb[] _top;
        private readonly Rgb[] _bottom;
        private readonly Rgb[] _left;
        private readonly Rgb[] _right;

        private Border(Rgb[] top, Rgb[] bottom, Rgb[] left, Rgb[] right, float noise, bool uniform)
        {
            (_top, _bottom, _left, _right) = (top, bottom, left, right);
            Noise = noise;
            Uniform = uniform;
        }

        public float Noise { get; }

        public bool Uniform { get; }

        /// <summary>Colour distances: below the first is background, above the second is subject, between is edge.</summary>
        public (float Low, float High) Thresholds
        {
            get
            {
                var low = MathF.Max(16f, (2.5f * Noise) + 10f);
                return (low, low + 26f);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Border Measure(uint[] pixels, int w, int h)
        {
            var band = Math.Max(2, (int)MathF.Round(Math.Min(w, h) * 0.03f));
            var top = Smooth(Side(pixels, w, w, i => (i, 0), (0, 1), band), w);
            var bottom = Smooth(Side(pixels, w, w, i => (i, h - 1), (0, -1), band), w);
            var left = Smooth(Side(pixels, w, h, i => (0, i), (1, 0), band), h);
            var right = Smooth(Side(pixels, w, h, i => (w - 1, i), (-1, 0), band), h);

            // How far each side's band strays from the side's smoothed colour: little on a backdrop,
            // a lot on a photographed scene. A subject may touch one side (a portrait cut at the
            // waist, an arm out of frame); the other three must be plain.
            var sides = new[]
            {
                Residuals(band, w, (d, i) => pixels[(d * w) + i], top),
                Residuals(band, w, (d, i) => pixels[((h - 1 - d) * w) + i], bottom),
                Residuals(band, h, (d, i) => pixels[(i * w) + d], left),
                Residuals(band, h, (d, i) => pixels[(i * w) + w - 1 - d], right),
            };
            var plain = sides.Count(r => r.Mean < 9f && r.P90 < 24f);
            var noise = sides.Select(r => r.Mean).Order().Take(3).Average();
            // The corners must agree: a backdrop is one surface, not four different walls.
            var corners = MathF.Max(MathF.Max(Distance(top[0], left[0]), Distance(top[^1], right[0])),
                MathF.Max(Distance(bottom[0], left[^1]), Distance(bottom[^1], right[^1])));
            return new Border(top, bottom, left, right, noise, plain >= 3 && corners < 40f);
        }

        private static (float Mean, float P90) Residuals(int band, int length, Func<int, int, uint> pixel, Rgb[] side)
        {
            var residuals = new float[band * length];
            for (var d = 0; d < band; d++)
            {
                for (var i = 0; i < length; i++)
                {
                    residuals[(d * length) + i] = Distance(pixel(d, i), side[i]);
                }
            }

            var mean = residuals.Average();
            Array.Sort(residuals);
            return (mean, residuals[(int)(residuals.Length * 0.9f)]);
        }

        /// <summary>The top and bottom colours above and below analysis column position <paramref name="x"/>, and its u.</summary>
        public (Rgb Top, Rgb Bottom, float U) Columns(float x, int w)
        {
            var u = Math.Clamp(x / w, 0f, 1f);
            return (Along(_top, u), Along(_bottom, u), u);
        }

        /// <summary>The left and right colours beside analysis row position <paramref name="y"/>, and its v.</summary>
        public (Rgb Left, Rgb Right, float V) Rows(float y, int h)
        {
            var v = Math.Clamp(y / h, 0f, 1f);
            return (Along(_left, v), Along(_right, v), v);
        }

        /// <summary>The background estimate at a point (a Coons patch of the four sides), from its column and row terms.</summary>
        public Rgb Patch(Rgb top, Rgb bottom, float u, Rgb left, Rgb right, float v)
        {
            var (c00, c10, c01, c11) = (_top[0], _top[^1], _bottom[0], _bottom[^1]);
            var w00 = (1 - u) * (1 - v);
            var w10 = u * (1 - v);
            var w01 = (1 - u) * v;
            var w11 = u * v;
            return new Rgb(
                ((1 - v) * top.R) + (v * bottom.R) + ((1 - u) * left.R) + (u * right.R) - ((w00 * c00.R) + (w10 * c10.R) + (w01 * c01.R) + (w11 * c11.R)),
                ((1 - v) * top.G) + (v * bottom.G) + ((1 - u) * left.G) + (u * right.G) - ((w00 * c00.G) + (w10 * c10.G) + (w01 * c01.G) + (w11 * c11.G)),
                ((1 - v) * top.B) + (v * bottom.B) + ((1 - u) * left.B) + (u * right.B) - ((w00 * c00.B) + (w10 * c10.B) + (w01 * c01.B) + (w11 * c11.B)));
        }

        private static Rgb Along(Rgb[] side, float t)
        {
            var position = Math.Clamp((t * side.Length) - 0.5f, 0f, side.Length - 1);
            var i = (int)position;
            var j = Math.Min(i + 1, side.Length - 1);
            var f = position - i;
            return new Rgb(side[i].R + ((side[j].R - side[i].R) * f), side[i].G + ((side[j].G - side[i].G) * f), side[i].B + ((side[j].B - side[i].B) * f));
        }

        /// <summary>Per position along a side, the median colour across the band (robust to a subject touching the edge).</summary>
        private static Rgb[] Side(uint[] pixels, int w, int length, Func<int, (int X, int Y)> start, (int X, int Y) inward, int band)
        {
            var result = new Rgb[length];
            Span<byte> r = stackalloc byte[band];
            Span<byte> g = stackalloc byte[band];
            Span<byte> b = stackalloc byte[band];
            for (var i = 0; i < length; i++)
            {
                var (x, y) = start(i);
                for (var d = 0; d < band; d++)
                {
                    var p = pixels[((y + (inward.Y * d)) * w) + x + (inward.X * d)];
                    b[d] = (byte)p;
                    g[d] = (byte)(p >> 8);
                    r[d] = (byte)(p >> 16);
                }

                r.Sort();
                g.Sort();
                b.Sort();
                result[i] = new Rgb(r[band / 2], g[band / 2], b[band / 2]);
            }

            return result;
        }

        private static Rgb[] Smooth(Rgb[] side, int length)
        {
            var radius = Math.Max(2, length / 24);
            var result = new Rgb[side.Length];
            for (var i = 0; i < side.Length; i++)
            {
                float r = 0, g = 0, b = 0;
                var n = 0;
                for (var k = Math.Max(0, i - radius); k <= Math.Min(side.Length - 1, i + radius); k++)
                {
                    r += side[k].R;
                    g += side[k].G;
                    b += side[k].B;
                    n++;
                }

                result[i] = new Rgb(r / n, g / n, b / n);
            }

            return result;
        }

        private static float Distance(uint pixel, Rgb colour) => Matte.Distance(pixel, colour);

        private static float Distance(Rgb a, Rgb b)
        {
            var dr = a.R - b.R;
            var dg = a.G - b.G;
            var db = a.B - b.B;
            return MathF.Sqrt((dr * dr) + (dg * dg) + (db * db));
        }
    }
}

/// <summary>A subject cut out of its reference: premultiplied BGRA, cropped to the subject.</summary>
internal sealed class CutOut : IDisposable
{
    private CutOut(SKImage sprite, bool bust) => (Sprite, Bust) = (sprite, bust);

    public SKImage Sprite { get; }

    /// <summary>The subject reaches the bottom edge of its image (a portrait from the waist up): it stands on the bottom of the frame.</summary>
    public bool Bust { get; }

    public float Aspect => Sprite.Width / (float)Sprite.Height;

    public static CutOut Create(uint[] pixels, int width, SKRectI bounds, bool bust)
    {
        // A pixel of margin so the sprite's bilinear edge fades to nothing instead of being clamped.
        var left = Math.Max(0, bounds.Left - 1);
        var top = Math.Max(0, bounds.Top - 1);
        var right = Math.Min(width, bounds.Right + 1);
        var height = pixels.Length / width;
        var bottom = bust ? bounds.Bottom : Math.Min(height, bounds.Bottom + 1);
        var w = right - left;
        var h = bottom - top;
        var info = new SKImageInfo(w, h, SKColorType.Bgra8888, SKAlphaType.Premul);
        var cropped = new uint[w * h];
        for (var y = 0; y < h; y++)
        {
            pixels.AsSpan(((top + y) * width) + left, w).CopyTo(cropped.AsSpan(y * w, w));
        }

        var bytes = MemoryMarshal.AsBytes(cropped.AsSpan()).ToArray();
        return new CutOut(SKImage.FromPixelCopy(info, bytes, info.RowBytes), bust);
    }

    public void Dispose() => Sprite.Dispose();
}
