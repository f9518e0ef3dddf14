using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// One shot's camera, as curves over the shot. The world is laid out in frame pixels at zoom 1 for
/// things at depth 1 (the ground the subjects stand on); every layer has a parallax factor (sky
/// about 0.1, subjects 1, foreground above 1) that says how strongly camera moves affect it.
/// A lens zoom scales every layer alike; a dolly scales near layers more than far ones; a pan moves
/// the picture against the look direction, far layers less when <see cref="PanParallax"/> is high;
/// an orbit moves far and near layers in opposite directions around the subjects.
/// </summary>
internal sealed record CameraPlan(
    float Frame,
    float ZoomFrom,
    float ZoomTo,
    float DollyFrom,
    float DollyTo,
    SKPoint PanFrom,
    SKPoint PanTo,
    float PanParallax,
    float OrbitFrom,
    float OrbitTo,
    float Shake,
    float ShakeSeed,
    bool Track)
{
    public static CameraPlan Still { get; } = new(1f, 1f, 1f, 1f, 1f, SKPoint.Empty, SKPoint.Empty, 0.5f, 0f, 0f, 0f, 0f, false);

    /// <summary>
    /// The camera at <paramref name="progress"/> (0..1 over the frames the shot is visible) and
    /// <paramref name="seconds"/> into it. <paramref name="trackX"/> is the world x the camera
    /// follows when tracking (NaN otherwise).
    /// </summary>
    public CameraState At(float progress, float seconds, float trackX, int width, int height)
    {
        var t = InOutSine(progress);
        var offsetX = Lerp(PanFrom.X, PanTo.X, t);
        var offsetY = Lerp(PanFrom.Y, PanTo.Y, t);
        if (Track && float.IsFinite(trackX))
        {
            // Keep the subject a little behind the centre, as a camera operator does.
            offsetX += (trackX - (width * 0.5f)) * 0.85f;
        }

        if (Shake > 0f)
        {
            var amount = Shake * 0.0055f * width;
            offsetX += amount * Wobble(seconds, ShakeSeed);
            offsetY += amount * 0.8f * Wobble(seconds, ShakeSeed + 0.37f);
        }

        var zoom = Frame * Lerp(ZoomFrom, ZoomTo, t);
        if (Shake > 0f)
        {
            zoom *= 1f + (Shake * 0.003f * Wobble(seconds * 0.7f, ShakeSeed + 0.71f));
        }

        return new CameraState(offsetX, offsetY, zoom, Lerp(DollyFrom, DollyTo, t), Lerp(OrbitFrom, OrbitTo, t), PanParallax, width, height);
    }

    private static float Lerp(float from, float to, float t) => from + ((to - from) * t);

    private static float InOutSine(float x) => 0.5f - (0.5f * MathF.Cos(MathF.PI * Math.Clamp(x, 0f, 1f)));

    /// <summary>Smooth noise in about -1..1 from three incommensurate sines: a hand's drift, never a jump.</summary>
    private static float Wobble(float seconds, float seed)
    {
        var phase = seed * 97.13f;
        return (0.55f * MathF.Sin((MathF.Tau * 0.53f * seconds) + phase))
            + (0.3f * MathF.Sin((MathF.Tau * 1.31f * seconds) + (phase * 1.7f)))
            + (0.15f * MathF.Sin((MathF.Tau * 2.87f * seconds) + (phase * 2.3f)));
    }
}

/// <summary>The camera at one instant, and where it puts things of each parallax on screen.</summary>
internal readonly record struct CameraState(float OffsetX, float OffsetY, float Zoom, float Dolly, float Orbit, float PanParallax, int Width, int Height)
{
    public float Scale(float parallax) => Zoom * (1f + ((Dolly - 1f) * parallax));

    public SKPoint Offset(float parallax)
    {
        var mix = 1f - (PanParallax * (1f - parallax));
        return new SKPoint((OffsetX * mix) + (Orbit * (parallax - 1f)), OffsetY * mix);
    }

    public SKPoint ToScreen(SKPoint world, float parallax)
    {
        var scale = Scale(parallax);
        var offset = Offset(parallax);
        var cx = Width * 0.5f;
        var cy = Height * 0.5f;
        return new SKPoint(cx + ((world.X - cx - offset.X) * scale), cy + ((world.Y - cy - offset.Y) * scale));
    }

    public SKRect ToScreen(SKRect world, float parallax)
    {
        var topLeft = ToScreen(new SKPoint(world.Left, world.Top), parallax);
        var bottomRight = ToScreen(new SKPoint(world.Right, world.Bottom), parallax);
        return new SKRect(topLeft.X, topLeft.Y, bottomRight.X, bottomRight.Y);
    }

    /// <summary>The part of the world at <paramref name="parallax"/> that the frame shows.</summary>
    public SKRect VisibleWorld(float parallax)
    {
        var scale = Scale(parallax);
        var offset = Offset(parallax);
        var cx = Width * 0.5f;
        var cy = Height * 0.5f;
        return new SKRect(cx + offset.X - (cx / scale), cy + offset.Y - (cy / scale), cx + offset.X + (cx / scale), cy + offset.Y + (cy / scale));
    }
}
