using System.Numerics;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>Where a colour is in a frame: its weight (pixels' worth), weighted centre, and the box of its clear pixels.</summary>
internal sealed record Box(double Weight, double CentreX, double CentreY, double Left, double Top, double Width, double Height)
{
    public double Bottom => Top + Height;

    public double Right => Left + Width;
}

/// <summary>What differs from a subject-free render: the mask, its share of the frame, centre, box, and how many coarse colours it holds.</summary>
internal sealed record Foreground(bool[] Mask, double Share, double CentreX, double CentreY, Box Box, int Colours);

/// <summary>A greyscale picture: what the measurements work on.</summary>
internal sealed record Gray(float[] Values, int Width, int Height)
{
    public float this[int x, int y] => Values[(y * Width) + x];
}

/// <summary>
/// Measurements of rendered frames, independent of how the renderer works: brightness, colour,
/// differences, global motion (phase correlation), zoom (best scale match) and where a picture is
/// on screen (normalized cross-correlation).
/// </summary>
internal static class Measure
{
    /// <summary>Rec. 709 luma of a BGRA frame.</summary>
    public static Gray Luma(byte[] bgra, int width, int height)
    {
        var values = new float[width * height];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (0.0722f * bgra[i * 4]) + (0.7152f * bgra[(i * 4) + 1]) + (0.2126f * bgra[(i * 4) + 2]);
        }

        return new Gray(values, width, height);
    }

    /// <summary>Box-filtered to 1/<paramref name="factor"/> of the size.</summary>
    public static Gray Shrink(Gray image, int factor)
    {
        var width = image.Width / factor;
        var height = image.Height / factor;
        var values = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var sum = 0f;
                for (var dy = 0; dy < factor; dy++)
                {
                    for (var dx = 0; dx < factor; dx++)
                    {
                        sum += image[(x * factor) + dx, (y * factor) + dy];
                    }
                }

                values[(y * width) + x] = sum / (factor * factor);
            }
        }

        return new Gray(values, width, height);
    }

    /// <summary>
    /// Where pixels of one colour are: their weighted centre (sub-pixel) and the box of those that are
    /// clearly that colour. <paramref name="weight"/> says how much of the colour a pixel (b, g, r) has, 0..1.
    /// </summary>
    public static Box ColourBox(byte[] bgra, int width, int height, Func<byte, byte, byte, double> weight)
    {
        double total = 0, sumX = 0, sumY = 0;
        int left = width, right = -1, top = height, bottom = -1;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                var w = weight(bgra[i], bgra[i + 1], bgra[i + 2]);
                if (w <= 0)
                {
                    continue;
                }

                total += w;
                sumX += w * (x + 0.5);
                sumY += w * (y + 0.5);
                if (w > 0.5)
                {
                    (left, right, top, bottom) = (Math.Min(left, x), Math.Max(right, x + 1), Math.Min(top, y), Math.Max(bottom, y + 1));
                }
            }
        }

        return total <= 0 || right < 0
            ? new Box(total, double.NaN, double.NaN, 0, 0, 0, 0)
            : new Box(total, sumX / total, sumY / total, left, top, right - left, bottom - top);
    }

    /// <summary>
    /// What a frame shows over a render of the same scene without its subjects: which pixels differ by
    /// more than <paramref name="threshold"/> levels, their share of the frame, weighted centre, box,
    /// and how varied their colours are (a flat grey stand-in box would have none).
    /// </summary>
    public static Foreground Foreground(byte[] frame, byte[] empty, int width, int height, int threshold = 24)
    {
        var mask = Differs(frame, empty, threshold);
        double count = 0, sumX = 0, sumY = 0;
        int left = width, right = -1, top = height, bottom = -1;
        var colours = new HashSet<int>();
        for (var i = 0; i < mask.Length; i++)
        {
            if (!mask[i])
            {
                continue;
            }

            var (x, y) = (i % width, i / width);
            count++;
            sumX += x + 0.5;
            sumY += y + 0.5;
            (left, right, top, bottom) = (Math.Min(left, x), Math.Max(right, x + 1), Math.Min(top, y), Math.Max(bottom, y + 1));
            // Colours in coarse bins (32 levels a channel): how many different ones the subject is made of.
            colours.Add((frame[i * 4] >> 5) | ((frame[(i * 4) + 1] >> 5) << 3) | ((frame[(i * 4) + 2] >> 5) << 6));
        }

        return count == 0
            ? new Foreground(mask, 0, double.NaN, double.NaN, new Box(0, double.NaN, double.NaN, 0, 0, 0, 0), 0)
            : new Foreground(mask, count / mask.Length, sumX / count, sumY / count, new Box(count, sumX / count, sumY / count, left, top, right - left, bottom - top), colours.Count);
    }

    /// <summary>The sizes of the separate pieces of a mask (4-connected), largest first.</summary>
    public static List<int> Pieces(bool[] mask, int width, int height)
    {
        var seen = new bool[mask.Length];
        var sizes = new List<int>();
        var queue = new Queue<int>();
        for (var start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || seen[start])
            {
                continue;
            }

            var size = 0;
            seen[start] = true;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                var i = queue.Dequeue();
                size++;
                var (x, y) = (i % width, i / width);
                foreach (var j in new[] { x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1 })
                {
                    if (j >= 0 && mask[j] && !seen[j])
                    {
                        seen[j] = true;
                        queue.Enqueue(j);
                    }
                }
            }

            sizes.Add(size);
        }

        sizes.Sort((a, b) => b.CompareTo(a));
        return sizes;
    }

    /// <summary>How orange a pixel is (the test fox's fur), 0..1: nothing else in a plain studio is that colour.</summary>
    public static double Orange(byte b, byte g, byte r) => Math.Clamp((Math.Min(r - g, (r - b) * 0.6) - 30) / 40.0, 0, 1);

    public static double MeanLuma(byte[] bgra) => Luma(bgra, bgra.Length / 4, 1).Values.Average();

    /// <summary>The largest difference between a pixel's strongest and weakest channel: 0 for a grey picture.</summary>
    public static int MaxChroma(byte[] bgra)
    {
        var largest = 0;
        for (var i = 0; i < bgra.Length; i += 4)
        {
            var max = Math.Max(bgra[i], Math.Max(bgra[i + 1], bgra[i + 2]));
            var min = Math.Min(bgra[i], Math.Min(bgra[i + 1], bgra[i + 2]));
            largest = Math.Max(largest, max - min);
        }

        return largest;
    }

    public static double MeanAbsoluteDifference(byte[] a, byte[] b)
    {
        long total = 0;
        for (var i = 0; i < a.Length; i++)
        {
            total += Math.Abs(a[i] - b[i]);
        }

        return total / (double)a.Length;
    }

    /// <summary>Which pixels differ by more than <paramref name="threshold"/> levels in any channel.</summary>
    public static bool[] Differs(byte[] a, byte[] b, int threshold)
    {
        var mask = new bool[a.Length / 4];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = Math.Abs(a[i * 4] - b[i * 4]) > threshold || Math.Abs(a[(i * 4) + 1] - b[(i * 4) + 1]) > threshold || Math.Abs(a[(i * 4) + 2] - b[(i * 4) + 2]) > threshold;
        }

        return mask;
    }

    /// <summary>
    /// The translation (dx, dy) that best carries <paramref name="a"/> onto <paramref name="b"/>
    /// (b(x) ≈ a(x - d)), by phase correlation over the central power-of-two window.
    /// </summary>
    public static (int Dx, int Dy) PhaseCorrelation(Gray a, Gray b)
    {
        var width = 1 << (int)Math.Log2(a.Width);
        var height = 1 << (int)Math.Log2(a.Height);
        var fa = Spectrum(a, width, height);
        var fb = Spectrum(b, width, height);
        var cross = new Complex[width * height];
        for (var i = 0; i < cross.Length; i++)
        {
            var product = fb[i] * Complex.Conjugate(fa[i]);
            var magnitude = product.Magnitude;
            cross[i] = magnitude > 1e-9 ? product / magnitude : Complex.Zero;
        }

        Fft2(cross, width, height, inverse: true);
        var best = 0;
        for (var i = 1; i < cross.Length; i++)
        {
            if (cross[i].Real > cross[best].Real)
            {
                best = i;
            }
        }

        var dx = best % width;
        var dy = best / width;
        return (dx > width / 2 ? dx - width : dx, dy > height / 2 ? dy - height : dy);
    }

    /// <summary>The zoom factor s (about the centre) that best carries <paramref name="a"/> onto <paramref name="b"/>.</summary>
    public static double Scale(Gray a, Gray b, double from = 0.85, double to = 1.15, double step = 0.0025)
    {
        var best = 1.0;
        var bestError = double.MaxValue;
        var cx = a.Width / 2.0;
        var cy = a.Height / 2.0;
        for (var s = from; s <= to + 1e-9; s += step)
        {
            double error = 0;
            var count = 0;
            // The middle half, where no border effect reaches.
            for (var y = a.Height / 4; y < a.Height * 3 / 4; y++)
            {
                for (var x = a.Width / 4; x < a.Width * 3 / 4; x++)
                {
                    var sample = Bilinear(a, cx + ((x + 0.5 - cx) / s) - 0.5, cy + ((y + 0.5 - cy) / s) - 0.5);
                    var difference = sample - b[x, y];
                    error += difference * difference;
                    count++;
                }
            }

            if (error / count < bestError)
            {
                bestError = error / count;
                best = s;
            }
        }

        return best;
    }

    /// <summary>A template to look for on screen: greyscale values and which of them belong to the subject.</summary>
    internal sealed record Template(Gray Image, bool[] Mask);

    /// <summary>
    /// The subject of a reference image: its pixels that differ from the background the test drew,
    /// cropped to them. <paramref name="background"/> null takes the whole image (a framed print).
    /// </summary>
    public static Template Subject(byte[] encoded, SKColor? background)
    {
        using var bitmap = SKBitmap.Decode(encoded);
        int left = bitmap.Width, top = bitmap.Height, right = 0, bottom = 0;
        bool Inside(SKColor c) => background is not { } bg || Math.Abs(c.Red - bg.Red) + Math.Abs(c.Green - bg.Green) + Math.Abs(c.Blue - bg.Blue) > 40;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                if (Inside(bitmap.GetPixel(x, y)))
                {
                    (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x + 1), Math.Max(bottom, y + 1));
                }
            }
        }

        var width = right - left;
        var height = bottom - top;
        var values = new float[width * height];
        var mask = new bool[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var c = bitmap.GetPixel(left + x, top + y);
                values[(y * width) + x] = (0.0722f * c.Blue) + (0.7152f * c.Green) + (0.2126f * c.Red);
                mask[(y * width) + x] = Inside(c);
            }
        }

        return new Template(new Gray(values, width, height), mask);
    }

    /// <summary>
    /// The best masked normalized cross-correlation of the template anywhere in the frame, trying
    /// template heights from <paramref name="minHeight"/> to <paramref name="maxHeight"/> pixels.
    /// </summary>
    public static double Find(Gray frame, Template template, int minHeight, int maxHeight)
    {
        var best = -1.0;
        for (var height = minHeight; height <= maxHeight; height = Math.Max(height + 1, (int)(height * 1.08)))
        {
            var scaled = Resize(template, height);
            best = Math.Max(best, Correlate(frame, scaled));
        }

        return best;
    }

    private static double Correlate(Gray frame, Template template)
    {
        var t = template.Image;
        var indices = new List<int>();
        var offsets = new List<int>();
        double mean = 0;
        for (var y = 0; y < t.Height; y++)
        {
            for (var x = 0; x < t.Width; x++)
            {
                if (template.Mask[(y * t.Width) + x])
                {
                    indices.Add((y * t.Width) + x);
                    offsets.Add((y * frame.Width) + x);
                    mean += t.Values[(y * t.Width) + x];
                }
            }
        }

        var n = indices.Count;
        if (n < 20 || t.Width > frame.Width || t.Height > frame.Height)
        {
            return -1;
        }

        mean /= n;
        var centred = new double[n];
        double norm = 0;
        for (var i = 0; i < n; i++)
        {
            centred[i] = t.Values[indices[i]] - mean;
            norm += centred[i] * centred[i];
        }

        if (norm < 1e-6)
        {
            return -1;
        }

        var best = -1.0;
        var values = frame.Values;
        for (var y = 0; y + t.Height <= frame.Height; y++)
        {
            for (var x = 0; x + t.Width <= frame.Width; x++)
            {
                var origin = (y * frame.Width) + x;
                double sum = 0, squares = 0, cross = 0;
                for (var i = 0; i < n; i++)
                {
                    double v = values[origin + offsets[i]];
                    sum += v;
                    squares += v * v;
                    cross += v * centred[i];
                }

                var variance = squares - (sum * sum / n);
                if (variance > 1e-6)
                {
                    best = Math.Max(best, cross / Math.Sqrt(variance * norm));
                }
            }
        }

        return best;
    }

    private static Template Resize(Template template, int height)
    {
        var source = template.Image;
        var width = Math.Max(1, (int)Math.Round(source.Width * height / (double)source.Height));
        var values = new float[width * height];
        var mask = new bool[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Box average over the source pixels this one covers: the frame was drawn filtered too.
                var x0 = (int)(x * source.Width / (double)width);
                var x1 = Math.Max(x0 + 1, (int)((x + 1) * source.Width / (double)width));
                var y0 = (int)(y * source.Height / (double)height);
                var y1 = Math.Max(y0 + 1, (int)((y + 1) * source.Height / (double)height));
                double sum = 0;
                var inside = 0;
                for (var sy = y0; sy < y1; sy++)
                {
                    for (var sx = x0; sx < x1; sx++)
                    {
                        sum += source[sx, sy];
                        inside += template.Mask[(sy * source.Width) + sx] ? 1 : 0;
                    }
                }

                var area = (x1 - x0) * (y1 - y0);
                values[(y * width) + x] = (float)(sum / area);
                // Only pixels wholly inside the subject: edge pixels mix with whatever is behind it on screen.
                mask[(y * width) + x] = inside == area;
            }
        }

        return new Template(new Gray(values, width, height), mask);
    }

    private static double Bilinear(Gray image, double x, double y)
    {
        x = Math.Clamp(x, 0, image.Width - 1.001);
        y = Math.Clamp(y, 0, image.Height - 1.001);
        var x0 = (int)x;
        var y0 = (int)y;
        var fx = x - x0;
        var fy = y - y0;
        var top = image[x0, y0] + ((image[x0 + 1, y0] - image[x0, y0]) * fx);
        var bottom = image[x0, y0 + 1] + ((image[x0 + 1, y0 + 1] - image[x0, y0 + 1]) * fx);
        return top + ((bottom - top) * fy);
    }

    /// <summary>The spectrum of the central window, Hann-weighted so the window's edges do not dominate.</summary>
    private static Complex[] Spectrum(Gray image, int width, int height)
    {
        var data = new Complex[width * height];
        var left = (image.Width - width) / 2;
        var top = (image.Height - height) / 2;
        double mean = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                mean += image[left + x, top + y];
            }
        }

        mean /= width * height;
        for (var y = 0; y < height; y++)
        {
            var wy = 0.5 - (0.5 * Math.Cos(2 * Math.PI * y / (height - 1)));
            for (var x = 0; x < width; x++)
            {
                var wx = 0.5 - (0.5 * Math.Cos(2 * Math.PI * x / (width - 1)));
                data[(y * width) + x] = (image[left + x, top + y] - mean) * wx * wy;
            }
        }

        Fft2(data, width, height, inverse: false);
        return data;
    }

    private static void Fft2(Complex[] data, int width, int height, bool inverse)
    {
        var row = new Complex[width];
        for (var y = 0; y < height; y++)
        {
            Array.Copy(data, y * width, row, 0, width);
            Fft(row, inverse);
            Array.Copy(row, 0, data, y * width, width);
        }

        var column = new Complex[height];
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
            {
                column[y] = data[(y * width) + x];
            }

            Fft(column, inverse);
            for (var y = 0; y < height; y++)
            {
                data[(y * width) + x] = column[y];
            }
        }
    }

    /// <summary>In-place iterative radix-2 FFT.</summary>
    private static void Fft(Complex[] a, bool inverse)
    {
        var n = a.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (a[i], a[j]) = (a[j], a[i]);
            }
        }

        for (var length = 2; length <= n; length <<= 1)
        {
            var angle = 2 * Math.PI / length * (inverse ? 1 : -1);
            var step = new Complex(Math.Cos(angle), Math.Sin(angle));
            for (var i = 0; i < n; i += length)
            {
                var w = Complex.One;
                for (var k = 0; k < length / 2; k++)
                {
                    var u = a[i + k];
                    var v = a[i + k + (length / 2)] * w;
                    a[i + k] = u + v;
                    a[i + k + (length / 2)] = u - v;
                    w *= step;
                }
            }
        }
    }
}
