using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SkiaSharp;
using static Paddock.Engines.Builtin.Rendering.PackedPixels;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>Where an opaque raster image's pixels are, for <see cref="ImageBlit"/>. Valid while the image lives.</summary>
internal readonly record struct RasterPixels(nint Address, int Width, int Height, int RowBytes)
{
    /// <summary>The pixels of a BGRA raster image; the returned pixmap must outlive every use of them.</summary>
    public static RasterPixels Of(SKImage image, out SKPixmap pixmap)
    {
        pixmap = image.PeekPixels()
            ?? throw new InvalidOperationException("The image is not a raster image.");
        if (pixmap.ColorType != SKColorType.Bgra8888)
        {
            pixmap.Dispose();
            throw new InvalidOperationException($"Expected BGRA pixels, got {pixmap.ColorType}.");
        }

        return new RasterPixels(pixmap.GetPixels(), pixmap.Width, pixmap.Height, pixmap.RowBytes);
    }

    /// <summary>
    /// Whether every pixel is fully opaque. Asked of the pixels rather than the file: a PNG saved
    /// with an alpha channel is usually opaque all the same.
    /// </summary>
    public unsafe bool IsOpaque()
    {
        for (var y = 0; y < Height; y++)
        {
            var row = (uint*)(Address + ((nint)y * RowBytes));
            for (var x = 0; x < Width; x++)
            {
                if (row[x] < 0xFF000000u)
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>
/// Draws an opaque image into the frame, scaled and translated, with bilinear filtering,
/// anti-aliased edges and an overall opacity: every Ken Burns shot of an opaque reference. Skia's
/// general raster pipeline spends about 3 ns a pixel on this (6 ms for a 1080p frame, a sixth of
/// what the encoder needs); this separable integer version samples the same way (pixel centres,
/// clamped edges) in well under half of that. Integer arithmetic gives the same bytes on the
/// vector and the scalar paths.
/// </summary>
internal sealed unsafe class ImageBlit
{

    private readonly int _width;
    private readonly int _height;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly uint[] _weight;
    private readonly uint[] _line;
    private uint[] _row;
    private int[] _tileStart = [];

    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <param name="widestSource">The widest image that will be drawn, so no draw has to allocate.</param>
    public ImageBlit(int width, int height, int widestSource)
    {
        _row = GC.AllocateArray<uint>(Math.Max(1, widestSource), pinned: true);
        _width = width;
        _height = height;
        _left = GC.AllocateArray<int>(width, pinned: true);
        _right = GC.AllocateArray<int>(width, pinned: true);
        _weight = GC.AllocateArray<uint>(width, pinned: true);
        _line = GC.AllocateArray<uint>(width, pinned: true);
    }

    /// <summary>
    /// Draws <paramref name="source"/> stretched to <paramref name="target"/> into <paramref name="frame"/>
    /// (BGRA, <c>width × height</c>, tightly packed), blended over what is there by
    /// <paramref name="opacity"/> and, along the edges, by how much of each pixel the target covers.
    /// Only rows from <paramref name="clipTop"/> up to (not including) <paramref name="clipBottom"/> are touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Draw(RasterPixels source, byte[] frame, SKRect target, float opacity = 1f, int clipTop = 0, int clipBottom = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, _width * _height * 4, nameof(frame));
        opacity = Math.Clamp(opacity, 0f, 1f);
        if (opacity <= 0f || !Prepare(source, target, clipTop, clipBottom, out var span))
        {
            return;
        }

        var count = span.Count;
        fixed (byte* framePixels = frame)
        fixed (uint* row = _row)
        fixed (uint* line = _line)
        fixed (int* lefts = _left)
        fixed (int* rights = _right)
        fixed (uint* weights = _weight)
        {
            for (var y = span.StartY; y < span.EndY; y++)
            {
                var blended = SourceRow(source, target, y, span, row);
                var output = (uint*)framePixels + ((nint)y * _width) + span.StartX;
                var rowAlpha = opacity * Coverage(y, target.Top, target.Bottom);
                var savedLeft = output[0];
                var savedRight = output[count - 1];
                uint sampledLeft, sampledRight;
                if (rowAlpha >= 1f)
                {
                    SampleRow(blended, lefts, rights, weights, output, count, span.Columns - 1);
                    sampledLeft = output[0];
                    sampledRight = output[count - 1];
                }
                else
                {
                    SampleRow(blended, lefts, rights, weights, line, count, span.Columns - 1);
                    MixRow(output, line, Weight(rowAlpha), count);
                    sampledLeft = line[0];
                    sampledRight = line[count - 1];
                }

                // The two edge columns are partly covered when the target's sides fall inside a pixel.
                // (With a single column, its coverage already accounts for both sides.)
                if (span.LeftCoverage < 1f)
                {
                    output[0] = Lerp(savedLeft, sampledLeft, Weight(rowAlpha * span.LeftCoverage));
                }

                if (span.RightCoverage < 1f && count > 1)
                {
                    output[count - 1] = Lerp(savedRight, sampledRight, Weight(rowAlpha * span.RightCoverage));
                }
            }
        }
    }

    /// <summary>
    /// Draws a premultiplied image with transparency over the frame (source-over), stretched to
    /// <paramref name="target"/> with the same bilinear sampling and edge coverage as <see cref="Draw"/>:
    /// the layers of a procedural set. Bilinear weights are shared by all four channels, so a sampled
    /// pixel stays validly premultiplied and the blend never overflows a channel.
    /// </summary>
    /// <remarks>
    /// With <paramref name="tiles"/>, runs of the row whose source is fully transparent are skipped and
    /// runs whose source is fully opaque are copied without blending: most of a tree line or a lawn.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DrawOver(RasterPixels source, byte[] frame, SKRect target, int clipTop = 0, int clipBottom = int.MaxValue, TileMap? tiles = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, _width * _height * 4, nameof(frame));
        if (!Prepare(source, target, clipTop, clipBottom, out var span))
        {
            return;
        }

        if (tiles is not null)
        {
            DrawOverTiled(source, frame, target, span, tiles);
            return;
        }

        var count = span.Count;
        fixed (byte* framePixels = frame)
        fixed (uint* row = _row)
        fixed (uint* line = _line)
        fixed (int* lefts = _left)
        fixed (int* rights = _right)
        fixed (uint* weights = _weight)
        {
            for (var y = span.StartY; y < span.EndY; y++)
            {
                var blended = SourceRow(source, target, y, span, row);
                var output = (uint*)framePixels + ((nint)y * _width) + span.StartX;
                SampleRow(blended, lefts, rights, weights, line, count, span.Columns - 1);
                var rowAlpha = Coverage(y, target.Top, target.Bottom);
                if (rowAlpha < 1f)
                {
                    ScaleRow(line, Weight(rowAlpha), count);
                }

                if (span.LeftCoverage < 1f)
                {
                    line[0] = Lerp(0u, line[0], Weight(span.LeftCoverage));
                }

                if (span.RightCoverage < 1f && count > 1)
                {
                    line[count - 1] = Lerp(0u, line[count - 1], Weight(span.RightCoverage));
                }

                OverRow(output, line, count);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DrawOverTiled(RasterPixels source, byte[] frame, SKRect target, in DrawSpan span, TileMap tiles)
    {
        var count = span.Count;
        // The first output column whose left tap lies in each source tile (taps only ever move right).
        var tileCount = tiles.TilesPerRow;
        if (_tileStart.Length < tileCount + 1)
        {
            _tileStart = new int[tileCount + 1];
        }

        var column = 0;
        for (var t = 0; t <= tileCount; t++)
        {
            var from = (t << TileMap.Shift) - span.First;
            while (column < count && _left[column] < from)
            {
                column++;
            }

            _tileStart[t] = column;
        }

        var edges = span.LeftCoverage < 1f || span.RightCoverage < 1f;
        fixed (byte* framePixels = frame)
        fixed (uint* row = _row)
        fixed (uint* line = _line)
        fixed (int* lefts = _left)
        fixed (int* rights = _right)
        fixed (uint* weights = _weight)
        fixed (byte* classes = tiles.Classes)
        {
            for (var y = span.StartY; y < span.EndY; y++)
            {
                var scaleY = source.Height / target.Height;
                var (topTap, bottomTap, _) = Taps(((y + 0.5f - target.Top) * scaleY) - 0.5f, source.Height);
                var topClasses = classes + ((nint)topTap * tileCount);
                var bottomClasses = classes + ((nint)bottomTap * tileCount);
                var rowAlpha = Coverage(y, target.Top, target.Bottom);
                var output = (uint*)framePixels + ((nint)y * _width) + span.StartX;
                uint* blended;
                var t = span.First >> TileMap.Shift;
                while (t < tileCount && _tileStart[t + 1] <= 0)
                {
                    t++;
                }

                while (t < tileCount && _tileStart[t] < count)
                {
                    var kind = Combine(topClasses[t], bottomClasses[t]);
                    var end = t + 1;
                    while (end < tileCount && _tileStart[end] < count && Combine(topClasses[end], bottomClasses[end]) == kind)
                    {
                        end++;
                    }

                    var from = _tileStart[t];
                    var to = Math.Min(count, _tileStart[end]);
                    t = end;
                    if (kind == TileMap.Empty || to <= from)
                    {
                        continue;
                    }

                    // The vertical blend too is only done for the source columns this run samples.
                    blended = SourceColumns(source, target, y, span, row, _left[from], _right[to - 1] + 1);

                    var partial = rowAlpha < 1f || (edges && (from == 0 || to == count));
                    if (kind == TileMap.Opaque && !partial)
                    {
                        SampleRow(blended, lefts + from, rights + from, weights + from, output + from, to - from, span.Columns - 1);
                        continue;
                    }

                    SampleRow(blended, lefts + from, rights + from, weights + from, line + from, to - from, span.Columns - 1);
                    if (rowAlpha < 1f)
                    {
                        ScaleRow(line + from, Weight(rowAlpha), to - from);
                    }

                    if (from == 0 && span.LeftCoverage < 1f)
                    {
                        line[0] = Lerp(0u, line[0], Weight(span.LeftCoverage));
                    }

                    if (to == count && count > 1 && span.RightCoverage < 1f)
                    {
                        line[count - 1] = Lerp(0u, line[count - 1], Weight(span.RightCoverage));
                    }

                    OverRow(output + from, line + from, to - from);
                }
            }
        }
    }

    private static byte Combine(byte a, byte b) => a == b ? a : TileMap.Mixed;

    /// <summary>
    /// Like <see cref="SourceRow"/> for the sampled columns [<paramref name="from"/>, <paramref name="to"/>)
    /// only (relative to the span's first column); the rest of the returned row is not valid.
    /// </summary>
    private static uint* SourceColumns(RasterPixels source, SKRect target, int y, in DrawSpan span, uint* row, int from, int to)
    {
        var scaleY = source.Height / target.Height;
        var (top, bottom, weight) = Taps(((y + 0.5f - target.Top) * scaleY) - 0.5f, source.Height);
        var topRow = (uint*)(source.Address + ((nint)top * source.RowBytes)) + span.First;
        if (weight == 0)
        {
            return topRow;
        }

        var bottomRow = (uint*)(source.Address + ((nint)bottom * source.RowBytes)) + span.First;
        BlendRows(topRow + from, bottomRow + from, weight, row + from, to - from);
        return row;
    }

    /// <summary>Mixes <paramref name="other"/> into <paramref name="frame"/> by <paramref name="amount"/> (0 keeps the frame, 1 gives the other): a dissolve.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mix(byte[] frame, byte[] other, float amount)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(other.Length, frame.Length, nameof(other));
        var weight = Weight(amount);
        fixed (byte* output = frame)
        fixed (byte* line = other)
        {
            MixRow((uint*)output, (uint*)line, weight, frame.Length / 4);
        }
    }

    /// <summary>Works out the horizontal taps and the rows and columns a draw touches; false when it touches nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Prepare(RasterPixels source, SKRect target, int clipTop, int clipBottom, out DrawSpan span)
    {
        span = default;
        var startX = Math.Max(0, (int)MathF.Floor(target.Left));
        var endX = Math.Min(_width, (int)MathF.Ceiling(target.Right));
        var startY = Math.Max(Math.Max(0, clipTop), (int)MathF.Floor(target.Top));
        var endY = Math.Min(Math.Min(_height, clipBottom), (int)MathF.Ceiling(target.Bottom));
        if (startX >= endX || startY >= endY || target.Width <= 0f || target.Height <= 0f || !float.IsFinite(target.Left) || !float.IsFinite(target.Top))
        {
            return false;
        }

        var count = endX - startX;
        var scaleX = source.Width / target.Width;

        // Horizontal taps are the same for every row: work them out once per draw.
        for (var i = 0; i < count; i++)
        {
            var (left, right, weight) = Taps(((startX + i + 0.5f - target.Left) * scaleX) - 0.5f, source.Width);
            _left[i] = left;
            _right[i] = right;
            _weight[i] = weight;
        }

        // The row buffer holds only the source columns the frame samples.
        var first = _left[0];
        var columns = _right[count - 1] - first + 1;
        for (var i = 0; i < count; i++)
        {
            _left[i] -= first;
            _right[i] -= first;
        }

        if (_row.Length < columns)
        {
            _row = GC.AllocateArray<uint>(columns, pinned: true);
        }

        span = new DrawSpan(startX, endX, startY, endY, first, columns,
            Coverage(startX, target.Left, target.Right), Coverage(endX - 1, target.Left, target.Right));
        return true;
    }

    /// <summary>The source row for frame row <paramref name="y"/>, blended vertically (over the needed columns only).</summary>
    private static uint* SourceRow(RasterPixels source, SKRect target, int y, in DrawSpan span, uint* row)
    {
        var scaleY = source.Height / target.Height;
        var (top, bottom, weight) = Taps(((y + 0.5f - target.Top) * scaleY) - 0.5f, source.Height);
        var topRow = (uint*)(source.Address + ((nint)top * source.RowBytes)) + span.First;
        var bottomRow = (uint*)(source.Address + ((nint)bottom * source.RowBytes)) + span.First;
        return weight == 0 ? topRow : BlendRows(topRow, bottomRow, weight, row, span.Columns);
    }

    /// <summary>How much of pixel <paramref name="index"/> the span [from, to) covers, 0..1.</summary>
    private static float Coverage(int index, float from, float to) =>
        Math.Clamp(MathF.Min(index + 1, to) - MathF.Max(index, from), 0f, 1f);

    private static uint Weight(float amount) => (uint)((Math.Clamp(amount, 0f, 1f) * 256f) + 0.5f);

    /// <summary>The two source indices around a sample position and the weight (0..256) of the second.</summary>
    private static (int Low, int High, uint Weight) Taps(float position, int size)
    {
        if (position <= 0f)
        {
            return (0, 0, 0);
        }

        var low = (int)position;
        if (low >= size - 1)
        {
            return (size - 1, size - 1, 0);
        }

        var weight = (uint)(((position - low) * 256f) + 0.5f);
        return weight >= 256 ? (low + 1, Math.Min(low + 2, size - 1), 0) : (low, low + 1, weight);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint* BlendRows(uint* top, uint* bottom, uint weight, uint* output, int count)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var w = Vector512.Create(weight);
            var inverse = Vector512.Create(256 - weight);
            for (; i <= count - 16; i += 16)
            {
                Vector512.Store(Lerp(Vector512.Load(top + i), Vector512.Load(bottom + i), inverse, w), output + i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var w = Vector256.Create(weight);
            var inverse = Vector256.Create(256 - weight);
            for (; i <= count - 8; i += 8)
            {
                Vector256.Store(Lerp(Vector256.Load(top + i), Vector256.Load(bottom + i), inverse, w), output + i);
            }
        }

        for (; i < count; i++)
        {
            output[i] = Lerp(top[i], bottom[i], weight);
        }

        return output;
    }

    /// <summary>
    /// Horizontal pass: output[i] = row[left] + (row[right] - row[left]) × weight. The two taps are
    /// neighbours (or the weight is zero), so the vector path reads each pair with one 64-bit gather
    /// while the pair stays inside the row (<paramref name="last"/> is the row's last valid index).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SampleRow(uint* row, int* lefts, int* rights, uint* weights, uint* output, int count, int last)
    {
        var i = 0;
        if (Avx2.IsSupported)
        {
            var full = Vector256.Create(256u);
            var pairs = (long*)row;
            for (; i <= count - 8 && lefts[i + 7] < last; i += 8)
            {
                var index = Vector256.Load(lefts + i);
                // At about one source pixel per frame pixel (the usual case) the eight pairs lie within sixteen pixels.
                var (a, b) = Near(lefts[i], lefts[i + 7]) && lefts[i] + 15 <= last
                    ? NearPairs(row, index, lefts[i])
                    : Pairs(pairs, index);

                var w = Vector256.Load(weights + i);
                Vector256.Store(Lerp(a, b, full - w, w), output + i);
            }
        }

        for (; i < count; i++)
        {
            output[i] = Lerp(row[lefts[i]], row[rights[i]], weights[i]);
        }
    }

    /// <summary>output = output + (line - output) × weight/256: a row blend written in place.</summary>
    private static void MixRow(uint* output, uint* line, uint weight, int count) => BlendRows(output, line, weight, output, count);

    /// <summary>line = line × weight/256, all four channels (premultiplied stays premultiplied).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleRow(uint* line, uint weight, int count)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var w = Vector256.Create(weight);
            var inverse = Vector256.Create(256 - weight);
            for (; i <= count - 8; i += 8)
            {
                Vector256.Store(Lerp(Vector256<uint>.Zero, Vector256.Load(line + i), inverse, w), line + i);
            }
        }

        for (; i < count; i++)
        {
            line[i] = Lerp(0u, line[i], weight);
        }
    }

    /// <summary>output = line + output × (1 - line alpha): premultiplied source-over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OverRow(uint* output, uint* line, int count)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= count - 16; i += 16)
            {
                Vector512.Store(Over(Vector512.Load(line + i), Vector512.Load(output + i)), output + i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - 8; i += 8)
            {
                Vector256.Store(Over(Vector256.Load(line + i), Vector256.Load(output + i)), output + i);
            }
        }

        for (; i < count; i++)
        {
            output[i] = Over(line[i], output[i]);
        }
    }

    private readonly record struct DrawSpan(int StartX, int EndX, int StartY, int EndY, int First, int Columns, float LeftCoverage, float RightCoverage)
    {
        public int Count => EndX - StartX;
    }
}

/// <summary>
/// For each row of an image, whether each run of 32 pixels is fully transparent, fully opaque or
/// mixed; "dilated" by a tile each side, so bilinear taps that straddle a tile boundary are safe.
/// </summary>
internal sealed class TileMap
{
    public const int Shift = 5;
    public const byte Empty = 0;
    public const byte Opaque = 1;
    public const byte Mixed = 2;

    private TileMap(byte[] classes, int tilesPerRow) => (Classes, TilesPerRow) = (classes, tilesPerRow);

    public byte[] Classes { get; }

    public int TilesPerRow { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe TileMap Of(RasterPixels pixels)
    {
        var tiles = (pixels.Width + (1 << Shift) - 1) >> Shift;
        var raw = new byte[pixels.Height * tiles];
        for (var y = 0; y < pixels.Height; y++)
        {
            var row = (uint*)(pixels.Address + ((nint)y * pixels.RowBytes));
            for (var t = 0; t < tiles; t++)
            {
                var from = t << Shift;
                var to = Math.Min(pixels.Width, from + (1 << Shift));
                var opaque = true;
                var empty = true;
                for (var x = from; x < to; x++)
                {
                    var alpha = row[x] >> 24;
                    opaque &= alpha == 255;
                    empty &= alpha == 0;
                }

                raw[(y * tiles) + t] = empty ? Empty : opaque ? Opaque : Mixed;
            }
        }

        var classes = new byte[raw.Length];
        for (var y = 0; y < pixels.Height; y++)
        {
            for (var t = 0; t < tiles; t++)
            {
                var self = raw[(y * tiles) + t];
                var left = t > 0 ? raw[(y * tiles) + t - 1] : self;
                var right = t + 1 < tiles ? raw[(y * tiles) + t + 1] : self;
                classes[(y * tiles) + t] = self == left && self == right ? self : Mixed;
            }
        }

        return new TileMap(classes, tiles);
    }
}
