using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>What a subject does in a shot. The names are the lexicon's action names.</summary>
internal enum ActionKind
{
    Idle,
    Walk,
    Run,
    Jump,
    Spin,
    Turn,
    Wave,
    Dance,
    Fly,
    Float,
    Bounce,
    Roll,
    Approach,
    Leave,
    Sit,
    LookAround,
}

/// <summary>Which way an action goes, when the prompt says.</summary>
internal enum Heading
{
    None,
    Left,
    Right,
    Toward,
    Away,
    Up,
    Down,
}

/// <summary>The procedural sets the renderer can paint.</summary>
internal enum SettingKind
{
    Garden,
    Forest,
    Beach,
    Ocean,
    City,
    Desert,
    Snow,
    Mountains,
    Space,
    Studio,
    Room,
}

/// <summary>Particles drifting over a shot.</summary>
internal enum AtmosphereKind
{
    Rain,
    Snow,
    Petals,
    Leaves,
    Fireflies,
    Dust,
    Sparkles,
    Bubbles,
    Confetti,
    Embers,
}

/// <summary>How a procedural sky is painted.</summary>
internal enum TimeOfDay
{
    Day,
    Golden,
    Sunset,
    Sunrise,
    Night,
}

/// <summary>How a shot begins.</summary>
internal enum TransitionKind
{
    Cut,
    Dissolve,
}

/// <summary>An action, which way it goes, and how briskly (1 as usual; "slowly" 0.6, "fast" 1.5).</summary>
internal readonly record struct ActionCue(ActionKind Kind, Heading Heading, float Pace = 1f);

internal readonly record struct AtmosphereCue(AtmosphereKind Kind, float Intensity);

/// <summary>
/// A camera entry of the lexicon. Zoom and dolly are (from, to) scales; pan is the direction the
/// camera looks towards over the shot (x -1 left, y -1 up; the picture moves the other way), zero
/// for "the seed picks"; orbit +1 circles right and -1 left (<see cref="OrbitEither"/>: the seed
/// picks); see Lexicon.json for the rest.
/// </summary>
internal sealed record CameraSpec(
    string Name,
    (float From, float To)? Zoom = null,
    (float From, float To)? Dolly = null,
    SKPoint? Pan = null,
    bool Vertical = false,
    float Orbit = 0f,
    bool Track = false,
    float Shake = 0f,
    bool Static = false,
    float? Speed = null,
    float? Frame = null,
    float? Parallax = null,
    bool OrbitEither = false);

internal readonly record struct CameraCue(CameraSpec Spec, float Intensity);

/// <summary>A look from the lexicon: every field optional, combined with the others of its shot by <see cref="Look.Combine"/>.</summary>
internal sealed record GradeSpec(
    string Name,
    TimeOfDay? Time = null,
    float? Exposure = null,
    float? Contrast = null,
    float? Saturation = null,
    float? Temperature = null,
    float? Tint = null,
    float? Lift = null,
    float? Fog = null,
    float? Vignette = null,
    float? Depth = null,
    SKColor? Tone = null,
    bool Neon = false,
    IReadOnlyList<CameraSpec>? Moves = null);

/// <summary>
/// A subject the prompt names in a shot and what it does, in order: reference image
/// <see cref="ImageIndex"/> (1-based), or, when <see cref="StandIn"/> is set, a figure the renderer
/// draws ("a fox"; or "Image 1" when the request has no images: then ImageIndex is that number,
/// otherwise 0).
/// </summary>
internal sealed record ActorCue(int ImageIndex, IReadOnlyList<ActionCue> Actions, StandInCue? StandIn = null);

/// <summary>
/// A subject drawn by the renderer: what it is, and who it is (<see cref="Identity"/>: "image1",
/// "fox"), so the same subject looks the same in every shot and another looks different.
/// </summary>
internal sealed record StandInCue(SubjectSpec Subject, string Identity);

/// <summary>The body plans the renderer draws stand-ins with (Rendering/Figures).</summary>
internal enum FigureKind
{
    Quadruped,
    Person,
    Robot,
    Bird,
    Ball,
    Vehicle,
    Fish,
}

/// <summary>
/// A subject of the lexicon: its body plan, its height beside a person, the colours of its parts
/// (a list: the seed picks), and the words and numbers that shape it ("ears": "pointed", "legs": 0.36).
/// </summary>
internal sealed record SubjectSpec(
    string Name,
    FigureKind Figure,
    float Size,
    bool StandsIn,
    IReadOnlyDictionary<string, SKColor[]> Colors,
    IReadOnlyDictionary<string, string[]> Words,
    IReadOnlyDictionary<string, float> Numbers);

/// <summary>
/// What the prompt says about one shot, already resolved against the shots before it (settings,
/// looks and atmosphere carry forward; a shot that names nobody keeps the cast of the one before).
/// <see cref="Actions"/> are the actions said without naming a subject ("a fox runs").
/// </summary>
internal sealed record ShotCues(
    TransitionKind TransitionIn,
    IReadOnlyList<ActorCue> Actors,
    IReadOnlyList<ActionCue> Actions,
    IReadOnlyList<int> SetImages,
    SettingKind? Setting,
    bool SettingStated,
    IReadOnlyList<CameraCue> Camera,
    IReadOnlyList<GradeSpec> Grades,
    IReadOnlyList<AtmosphereCue> Atmosphere,
    string Text);
