using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// Everything the renderer needs to draw any frame of the clip, decided up front from the job. The
/// director writes it; the frame composer only reads it.
/// </summary>
internal sealed record Storyboard(
    int Width,
    int Height,
    int FramesPerSecond,
    int FrameCount,
    IReadOnlyList<Shot> Shots,
    int FadeFrames,
    Palette Palette,
    long Seed,
    ulong PromptHash)
{
    /// <summary>The shot whose own span holds <paramref name="frame"/>.</summary>
    public int ShotIndexAt(int frame)
    {
        for (var i = Shots.Count - 1; i > 0; i--)
        {
            if (frame >= Shots[i].StartFrame)
            {
                return i;
            }
        }

        return 0;
    }
}

/// <summary>
/// One stretch of the clip: a reference (its 0-based position in the cast) or, with
/// <see cref="CastSlot"/> = -1, the procedural set. Shots meet at their boundaries; the cross-fade
/// straddles each boundary, so a shot is visible from <c>StartFrame - FadeFrames/2</c>.
/// </summary>
internal sealed record Shot(int CastSlot, int StartFrame, int EndFrame, CameraMove Camera, bool NamedInPrompt)
{
    public int Length => EndFrame - StartFrame;
}

/// <summary>
/// A Ken Burns move. Zoom 1 is the shot's base framing; pan values are fractions (-1..1) of the
/// room the framing leaves to move in, so a move never shows past an image's edge.
/// </summary>
internal readonly record struct CameraMove(float ZoomFrom, float ZoomTo, SKPoint PanFrom, SKPoint PanTo);
