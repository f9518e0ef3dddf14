namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// SplitMix64. Every random choice of the renderer comes from one of these, keyed by the job's seed
/// and by what the choice is for, so adding a new kind of choice later does not shift the others.
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>An independent stream for one purpose ("camera", "backdrop", ...) of one seed.</summary>
    public static DeterministicRandom For(long seed, string purpose) =>
        new(Mix((ulong)seed) ^ StableHash.Of(purpose));

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        return Mix(z);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [min, max).</summary>
    public float Range(float min, float max) => min + ((max - min) * NextSingle());

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)((NextUInt64() >> 1) % (ulong)maxExclusive);
    }

    public bool Chance(float probability) => NextSingle() < probability;

    /// <summary>-1 or +1.</summary>
    public float Sign() => (NextUInt64() & 1) == 0 ? -1f : 1f;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>FNV-1a over UTF-16 code units: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
internal static class StableHash
{
    public static ulong Of(string? text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text ?? string.Empty)
        {
            hash = (hash ^ (byte)c) * 0x100000001B3UL;
            hash = (hash ^ (byte)(c >> 8)) * 0x100000001B3UL;
        }

        return hash;
    }
}
