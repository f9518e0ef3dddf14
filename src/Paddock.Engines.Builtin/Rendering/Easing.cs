namespace Paddock.Engines.Builtin.Rendering;

/// <summary>Motion curves. Everything that moves goes through one, so nothing starts or stops with a jerk.</summary>
internal static class Easing
{
    public static float Clamp01(float x) => x < 0f ? 0f : x > 1f ? 1f : x;

    public static float Lerp(float from, float to, float t) => from + ((to - from) * t);

    /// <summary>Hermite smoothstep: zero velocity at both ends.</summary>
    public static float SmoothStep(float x)
    {
        x = Clamp01(x);
        return x * x * (3f - (2f * x));
    }

    /// <summary>Gentler start and end than smoothstep, for long camera moves.</summary>
    public static float InOutSine(float x) => 0.5f - (0.5f * MathF.Cos(MathF.PI * Clamp01(x)));
}
