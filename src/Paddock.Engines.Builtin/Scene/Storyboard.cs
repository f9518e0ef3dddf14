namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// Everything the renderer needs to draw any frame of the clip, decided up front from the job. The
/// director writes it; the frame composer only reads it.
/// </summary>
internal sealed record Storyboard(int Width, int Height, int FramesPerSecond, int FrameCount, long Seed, IReadOnlyList<Shot> Shots)
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

/// <summary>Where a shot's set comes from.</summary>
internal enum SetSource
{
    /// <summary>Painted by the renderer (<see cref="SetPlan.Setting"/>).</summary>
    Procedural,

    /// <summary>A reference image used whole (<see cref="SetPlan.CastSlot"/>).</summary>
    Image,
}

/// <summary>
/// The place a shot happens in. Shots with equal sets (same source, setting, variant and time of
/// day) share one set of baked layers: consecutive shots in one place look like one place.
/// </summary>
internal sealed record SetPlan(SetSource Source, SettingKind Setting, int CastSlot, TimeOfDay Time, ulong Variant, float Horizon);

/// <summary>
/// One stretch of the clip. Shots meet at their boundaries; a dissolve of <see cref="FadeIn"/>
/// frames straddles the start (zero for a cut), so a shot is visible from
/// <see cref="VisibleStart"/> to <see cref="VisibleEnd"/>.
/// </summary>
internal sealed record Shot(
    int Index,
    int StartFrame,
    int EndFrame,
    int FadeIn,
    int FadeOut,
    SetPlan Set,
    IReadOnlyList<ActorPlan> Actors,
    CameraPlan Camera,
    Look Look,
    IReadOnlyList<AtmosphereCue> Atmosphere,
    float Speed,
    ulong Variant,
    string Text)
{
    public int Length => EndFrame - StartFrame;

    public int VisibleStart => StartFrame - (FadeIn / 2);

    public int VisibleEnd => EndFrame + FadeOut - (FadeOut / 2);

    /// <summary>0..1 over the frames the shot is visible, at the middle of <paramref name="frame"/>'s interval.</summary>
    public float Progress(int frame) => (frame + 0.5f - VisibleStart) / Math.Max(1, VisibleEnd - VisibleStart);

    /// <summary>Seconds into the shot at <paramref name="frame"/>, in the shot's own time (slow motion runs slower).</summary>
    public float Seconds(int frame, int framesPerSecond) => (frame + 0.5f - VisibleStart) / framesPerSecond * Speed;

    /// <summary>The shot's visible length in its own time.</summary>
    public float Duration(int framesPerSecond) => (VisibleEnd - VisibleStart) / (float)framesPerSecond * Speed;
}

/// <summary>What the director needs to know of a reference: whether it can be cut out, and its shapes.</summary>
internal sealed record CastProfile(int Slot, bool CanCutOut, float CutOutAspect, bool Bust, float ImageAspect);
