using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Paddock.Engines.Builtin.Rendering.PackedPixels;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// What is drawn over the finished frame, every frame: the vignette (a separable falloff towards the
/// edges, applied only where it darkens anything, eight pixels at a time).
/// </summary>
internal sealed unsafe class PostEffects
{
    private readonly int _width;
    private readonly int _height;
    private readonly uint[] _columns;
    private readonly uint[] _rows;
    private readonly int _clearFrom;
    private readonly int _clearTo;

    /// <param name="vignette">How much the corners darken, 0..1.</param>
    public PostEffects(int width, int height, float vignette)
    {
        _width = width;
        _height = height;
        // Each axis darkens by the same factor, so the corners darken by about the whole amount.
        var axis = 1f - MathF.Sqrt(1f - Math.Clamp(vignette, 0f, 0.95f));
        _columns = Falloff(width, axis);
        _rows = Falloff(height, axis);
        _clearFrom = 0;
        while (_clearFrom < width / 2 && _columns[_clearFrom] < 256)
        {
            _clearFrom++;
        }

        _clearTo = width;
        while (_clearTo > width / 2 && _columns[_clearTo - 1] < 256)
        {
            _clearTo--;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(byte[] frame)
    {
        fixed (byte* bytes = frame)
        fixed (uint* columns = _columns)
        {
            var pixels = (uint*)bytes;
            for (var y = 0; y < _height; y++)
            {
                var row = pixels + ((nint)y * _width);
                var factor = _rows[y];
                if (factor >= 256)
                {
                    Darken(row, columns, 256, 0, _clearFrom);
                    Darken(row, columns, 256, _clearTo, _width);
                }
                else
                {
                    Darken(row, columns, factor, 0, _width);
                }
            }

        }
    }

    private static uint[] Falloff(int length, float strength)
    {
        var values = new uint[length];
        for (var i = 0; i < length; i++)
        {
            var distance = MathF.Abs(((i + 0.5f) * 2f / length) - 1f);
            // Only the outer part of the frame darkens: the middle is left alone, and costs nothing.
            var t = Math.Clamp((distance - 0.5f) / 0.55f, 0f, 1f);
            var falloff = 1f - (strength * t * t * (3f - (2f * t)));
            values[i] = (uint)MathF.Round(256f * falloff);
        }

        return values;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Darken(uint* row, uint* columns, uint rowFactor, int from, int to)
    {
        var x = from;
        if (Vector512.IsHardwareAccelerated)
        {
            var rowWeight = Vector512.Create(rowFactor);
            var alpha = Vector512.Create(0xFF000000u);
            for (; x <= to - 16; x += 16)
            {
                var weight = Vector512.ShiftRightLogical((Vector512.Load(columns + x) * rowWeight) + Vector512.Create(128u), 8);
                Vector512.Store(Scale(Vector512.Load(row + x), weight) | alpha, row + x);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var rowWeight = Vector256.Create(rowFactor);
            var alpha = Vector256.Create(0xFF000000u);
            for (; x <= to - 8; x += 8)
            {
                var weight = Vector256.ShiftRightLogical((Vector256.Load(columns + x) * rowWeight) + Vector256.Create(128u), 8);
                Vector256.Store(Scale(Vector256.Load(row + x), weight) | alpha, row + x);
            }
        }

        for (; x < to; x++)
        {
            var weight = ((columns[x] * rowFactor) + 128u) >> 8;
            row[x] = Scale(row[x], weight) | 0xFF000000u;
        }
    }
}
