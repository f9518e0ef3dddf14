using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Integer arithmetic on premultiplied 32-bit pixels, one pixel or a vector of them, shared by every blitter so
/// that the scalar and vector paths give the same bytes. Two channels per 32-bit lane: B and R in the even bytes,
/// G and A in the odd ones; with weights summing to 256 each 16-bit field stays below 65536, so fields never carry
/// into each other.
/// </summary>
internal static unsafe class PackedPixels
{
    public const uint EvenBytes = 0x00FF00FFu;
    public const uint Rounding = 0x00800080u;

    /// <summary>a + (b - a) × weight/256, all four channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Lerp(uint a, uint b, uint weight)
    {
        var inverse = 256 - weight;
        var evens = ((((a & EvenBytes) * inverse) + ((b & EvenBytes) * weight) + Rounding) >> 8) & EvenBytes;
        var odds = ((((a >> 8) & EvenBytes) * inverse) + (((b >> 8) & EvenBytes) * weight) + Rounding) & ~EvenBytes;
        return evens | odds;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Lerp(Vector256<uint> a, Vector256<uint> b, Vector256<uint> inverse, Vector256<uint> weight)
    {
        var mask = Vector256.Create(EvenBytes);
        var rounding = Vector256.Create(Rounding);
        var evens = Vector256.ShiftRightLogical(((a & mask) * inverse) + ((b & mask) * weight) + rounding, 8) & mask;
        var odds = ((Vector256.ShiftRightLogical(a, 8) & mask) * inverse) + ((Vector256.ShiftRightLogical(b, 8) & mask) * weight) + rounding;
        return evens | (odds & ~mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Lerp(Vector512<uint> a, Vector512<uint> b, Vector512<uint> inverse, Vector512<uint> weight)
    {
        var mask = Vector512.Create(EvenBytes);
        var rounding = Vector512.Create(Rounding);
        var evens = Vector512.ShiftRightLogical(((a & mask) * inverse) + ((b & mask) * weight) + rounding, 8) & mask;
        var odds = ((Vector512.ShiftRightLogical(a, 8) & mask) * inverse) + ((Vector512.ShiftRightLogical(b, 8) & mask) * weight) + rounding;
        return evens | (odds & ~mask);
    }

    /// <summary>Premultiplied source-over: source + target × (1 - source alpha).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Over(uint source, uint target)
    {
        // Alpha 0..255 as a weight 0..256, so an opaque source replaces the target exactly.
        var alpha = source >> 24;
        return source + Scale(target, 256 - (alpha + (alpha >> 7)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Over(Vector256<uint> source, Vector256<uint> target)
    {
        var alpha = Vector256.ShiftRightLogical(source, 24);
        return source + Scale(target, Vector256.Create(256u) - (alpha + Vector256.ShiftRightLogical(alpha, 7)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Over(Vector512<uint> source, Vector512<uint> target)
    {
        var alpha = Vector512.ShiftRightLogical(source, 24);
        return source + Scale(target, Vector512.Create(256u) - (alpha + Vector512.ShiftRightLogical(alpha, 7)));
    }

    /// <summary>pixel × weight/256, all four channels (premultiplied stays premultiplied).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Scale(uint pixel, uint weight)
    {
        var evens = ((((pixel & EvenBytes) * weight) + Rounding) >> 8) & EvenBytes;
        var odds = ((((pixel >> 8) & EvenBytes) * weight) + Rounding) & ~EvenBytes;
        return evens | odds;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Scale(Vector256<uint> pixel, Vector256<uint> weight)
    {
        var mask = Vector256.Create(EvenBytes);
        var rounding = Vector256.Create(Rounding);
        var evens = Vector256.ShiftRightLogical(((pixel & mask) * weight) + rounding, 8) & mask;
        var odds = (((Vector256.ShiftRightLogical(pixel, 8) & mask) * weight) + rounding) & ~mask;
        return evens | odds;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Scale(Vector512<uint> pixel, Vector512<uint> weight)
    {
        var mask = Vector512.Create(EvenBytes);
        var rounding = Vector512.Create(Rounding);
        var evens = Vector512.ShiftRightLogical(((pixel & mask) * weight) + rounding, 8) & mask;
        var odds = (((Vector512.ShiftRightLogical(pixel, 8) & mask) * weight) + rounding) & ~mask;
        return evens | odds;
    }

    /// <summary>
    /// Like <see cref="Pairs"/>, for eight indices that run one way (ascending or descending, as the positions along a
    /// line do) within fifteen of each other: the sixteen pixels from the lowest read with two loads, and each lane's
    /// two picked out with permutes, cheaper than gathers. The same pixels, so the same bytes. The caller checks
    /// <see cref="Near"/> first and that the sixteen pixels from the lowest index lie inside the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<uint> Left, Vector256<uint> Right) NearPairs(uint* pixels, Vector256<int> index, int lowest)
    {
        var near = Vector256.Load(pixels + lowest);
        var far = Vector256.Load(pixels + lowest + 8);
        var offset = index - Vector256.Create(lowest);
        return (Pick(near, far, offset), Pick(near, far, offset + Vector256<int>.One));
    }

    /// <summary>Whether eight monotonic indices (first and last given) lie within fifteen of each other, for <see cref="NearPairs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Near(int first, int last) => Math.Abs(last - first) < 15;

    /// <summary>Pixel <c>offset</c> (0..15) of the sixteen in <paramref name="near"/> then <paramref name="far"/>, per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Pick(Vector256<uint> near, Vector256<uint> far, Vector256<int> offset)
    {
        // The permute reads only the low three bits of each offset; the high one says which eight it comes from.
        var fromFar = Vector256.GreaterThan(offset, Vector256.Create(7)).AsUInt32();
        return Vector256.ConditionalSelect(fromFar, Avx2.PermuteVar8x32(far, offset.AsUInt32()), Avx2.PermuteVar8x32(near, offset.AsUInt32()));
    }

    /// <summary>For eight pixel indices, the pixel there and the one to its right: two 64-bit gathers and a de-interleave.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<uint> Left, Vector256<uint> Right) Pairs(long* pixels, Vector256<int> index)
    {
        var low = Avx2.GatherVector256(pixels, index.GetLower(), 4).AsSingle();
        var high = Avx2.GatherVector256(pixels, index.GetUpper(), 4).AsSingle();
        // Per 128-bit lane: [l0 r0 l1 r1] [l4 r4 l5 r5] → [l0 l1 l4 l5]; then the 64-bit chunks back in order.
        var left = Avx2.Permute4x64(Avx.Shuffle(low, high, 0b10_00_10_00).AsUInt64(), 0b11_01_10_00).AsUInt32();
        var right = Avx2.Permute4x64(Avx.Shuffle(low, high, 0b11_01_11_01).AsUInt64(), 0b11_01_10_00).AsUInt32();
        return (left, right);
    }
}
