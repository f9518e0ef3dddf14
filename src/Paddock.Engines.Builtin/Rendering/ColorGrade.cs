using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Applies a look's colour matrix (Skia's 4×5 layout) to baked premultiplied pixels in place. For
/// premultiplied colour an affine colour transform is the same matrix with its offsets scaled by
/// alpha, so no unpremultiplying is needed. About four times faster here than compositing through
/// a Skia colour filter, and the vector and scalar paths compute every channel with the same
/// operations in the same order: equal rows in the matrix (a black-and-white look) give exactly
/// equal channels.
/// </summary>
internal static unsafe class ColorGrade
{
    public static void Apply(SKSurface surface, float[] matrix)
    {
        using var pixmap = surface.PeekPixels();
        Apply(pixmap, matrix);
    }

    public static void Apply(SKPixmap pixmap, float[] matrix)
    {
        if (IsIdentity(matrix))
        {
            return;
        }

        // Each of these is a call into Skia: asked once, not once per row.
        var (pixels, rowBytes, width, height) = (pixmap.GetPixels(), pixmap.RowBytes, pixmap.Width, pixmap.Height);
        for (var y = 0; y < height; y++)
        {
            Row((uint*)(pixels + ((nint)y * rowBytes)), width, matrix);
        }
    }

    private static bool IsIdentity(float[] m) =>
        m[0] == 1f && m[1] == 0f && m[2] == 0f && m[4] == 0f &&
        m[5] == 0f && m[6] == 1f && m[7] == 0f && m[9] == 0f &&
        m[10] == 0f && m[11] == 0f && m[12] == 1f && m[14] == 0f;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(uint* row, int count, float[] m)
    {
        var x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var byteMask = Vector256.Create(0xFFu);
            var half = Vector256.Create(0.5f);
            var zero = Vector256<float>.Zero;
            var (r0, r1, r2, r4) = (Vector256.Create(m[0]), Vector256.Create(m[1]), Vector256.Create(m[2]), Vector256.Create(m[4]));
            var (g0, g1, g2, g4) = (Vector256.Create(m[5]), Vector256.Create(m[6]), Vector256.Create(m[7]), Vector256.Create(m[9]));
            var (b0, b1, b2, b4) = (Vector256.Create(m[10]), Vector256.Create(m[11]), Vector256.Create(m[12]), Vector256.Create(m[14]));
            for (; x <= count - 8; x += 8)
            {
                var pixels = Vector256.Load(row + x);
                if (pixels == Vector256<uint>.Zero)
                {
                    // Eight transparent pixels stay transparent (every channel is clamped to alpha): much of a
                    // set's plane is empty sky or air around what was painted.
                    continue;
                }

                var b = Vector256.ConvertToSingle((pixels & byteMask).AsInt32());
                var g = Vector256.ConvertToSingle((Vector256.ShiftRightLogical(pixels, 8) & byteMask).AsInt32());
                var r = Vector256.ConvertToSingle((Vector256.ShiftRightLogical(pixels, 16) & byteMask).AsInt32());
                var alpha = Vector256.ShiftRightLogical(pixels, 24);
                var a = Vector256.ConvertToSingle(alpha.AsInt32());
                var nr = Vector256.Min(Vector256.Max((((r0 * r) + (r1 * g)) + (r2 * b)) + (r4 * a), zero), a);
                var ng = Vector256.Min(Vector256.Max((((g0 * r) + (g1 * g)) + (g2 * b)) + (g4 * a), zero), a);
                var nb = Vector256.Min(Vector256.Max((((b0 * r) + (b1 * g)) + (b2 * b)) + (b4 * a), zero), a);
                // Every value is in 0.5..255.5 here, so the signed conversion (one instruction on AVX2) truncates
                // exactly as the unsigned one would; ConvertToUInt32 has no AVX2 instruction and runs lane by lane.
                var packed = Vector256.ConvertToInt32(nb + half).AsUInt32()
                    | Vector256.ShiftLeft(Vector256.ConvertToInt32(ng + half).AsUInt32(), 8)
                    | Vector256.ShiftLeft(Vector256.ConvertToInt32(nr + half).AsUInt32(), 16)
                    | Vector256.ShiftLeft(alpha, 24);
                Vector256.Store(packed, row + x);
            }
        }

        for (; x < count; x++)
        {
            var pixel = row[x];
            float b = pixel & 0xFF;
            float g = (pixel >> 8) & 0xFF;
            float r = (pixel >> 16) & 0xFF;
            var alpha = pixel >> 24;
            float a = alpha;
            var nr = MathF.Min(MathF.Max((((m[0] * r) + (m[1] * g)) + (m[2] * b)) + (m[4] * a), 0f), a);
            var ng = MathF.Min(MathF.Max((((m[5] * r) + (m[6] * g)) + (m[7] * b)) + (m[9] * a), 0f), a);
            var nb = MathF.Min(MathF.Max((((m[10] * r) + (m[11] * g)) + (m[12] * b)) + (m[14] * a), 0f), a);
            row[x] = (uint)(nb + 0.5f) | ((uint)(ng + 0.5f) << 8) | ((uint)(nr + 0.5f) << 16) | (alpha << 24);
        }
    }
}
