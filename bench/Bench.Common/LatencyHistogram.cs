using System.Diagnostics;
using System.Numerics;

namespace Paddock.Bench;

/// <summary>
/// Log-linear histogram of Stopwatch ticks: exact below 128 ticks, then 128 buckets per power of
/// two (under 0.8 % error). One per connection, so recording is a plain increment; merged at the end.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 7;
    private const int Sub = 1 << SubBits;
    private readonly long[] _counts = new long[64 * Sub];

    public long Count { get; private set; }

    public void Record(long ticks)
    {
        _counts[Index(Math.Max(0, ticks))]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
    }

    /// <summary>The latency at quantile <paramref name="q"/> (0..1), in milliseconds; NaN when empty.</summary>
    public double QuantileMs(double q)
    {
        if (Count == 0) return double.NaN;
        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Midpoint(i) * 1000.0 / Stopwatch.Frequency;
        }
        return double.NaN;
    }

    private static int Index(long v)
    {
        if (v < Sub) return (int)v;
        var exp = 63 - BitOperations.LeadingZeroCount((ulong)v); // >= SubBits
        var shift = exp - SubBits;
        var sub = (int)(v >> shift) - Sub; // 0..Sub-1
        return (shift + 1) * Sub + sub;
    }

    private static double Midpoint(int index)
    {
        if (index < Sub) return index;
        var shift = index / Sub - 1;
        var lower = (long)(Sub + index % Sub) << shift;
        return lower + ((1L << shift) - 1) / 2.0;
    }
}
