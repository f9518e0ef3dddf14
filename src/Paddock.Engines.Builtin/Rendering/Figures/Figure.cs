using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>
/// A stand-in the renderer draws for a subject no reference gives: a body plan (four legs, a person,
/// a bird...) shaped and coloured by its lexicon entry and the seed, drawn in flat colours like a
/// cut-out from a picture book. Drawn in figure units: facing right (+x), y down, the ground at 0,
/// about one unit tall; <see cref="Box"/> is the standing pose's extent, which the director lays
/// out and every pose of every gait shares, so the figure's feet stay put from pose to pose.
/// </summary>
internal abstract class Figure
{
    protected Figure(Traits traits) => Traits = traits;

    protected Traits Traits { get; }

    /// <summary>The standing pose's extent in figure units (the ground at <c>Bottom</c> = 0).</summary>
    public abstract SKRect Box { get; }

    /// <summary>Width over height of <see cref="Box"/>: what the director lays the figure out with.</summary>
    public float Aspect => Box.Width / Box.Height;

    /// <summary>How far a pose may reach beyond <see cref="Box"/> (a stride, a raised arm, a wing), as a share of its height.</summary>
    public virtual float Reach => 0.45f;

    /// <summary>How high above the ground the figure keeps, in its heights (a fish swims, a balloon floats).</summary>
    public virtual float Hover => 0f;

    /// <summary>Whether the figure stands on the ground and so casts a contact shadow there.</summary>
    public virtual bool Grounded => Hover <= 0f;

    /// <summary>What the figure does for an action the prompt asks of it: a car that "rolls" drives, it does not tumble.</summary>
    public virtual ActionKind Adapt(ActionKind kind) => kind;

    /// <summary>The gait the figure draws for what the motion asks (a fox that "flies" leaps; a ball has one pose).</summary>
    public abstract Gait Drawn(Gait gait);

    /// <summary>How many poses one cycle of a drawn gait is baked in (1: a still pose).</summary>
    public virtual int Frames(Gait gait) => gait is Gait.Walk or Gait.Run or Gait.Fly or Gait.Float or Gait.Wave or Gait.Dance ? 8 : 1;

    /// <summary>How many of its cycles a drawn gait goes through per motion cycle (wheels turn faster than legs stride).</summary>
    public virtual float CycleRate(Gait gait) => 1f;

    /// <summary>Draws the figure in <paramref name="gait"/> at <paramref name="cycle"/> (0..1) onto a canvas in figure units.</summary>
    public abstract void Draw(SKCanvas canvas, Gait gait, float cycle);

    /// <summary>The figure for a stand-in, shaped and coloured by the seed (the same stand-in of the same clip is the same figure).</summary>
    public static Figure For(StandInCue standIn, long seed)
    {
        var traits = new Traits(standIn.Subject, DeterministicRandom.For(seed, $"figure/{standIn.Identity}"));
        return standIn.Subject.Figure switch
        {
            FigureKind.Quadruped => new Quadruped(traits),
            FigureKind.Person => new Person(traits, robot: false),
            FigureKind.Robot => new Person(traits, robot: true),
            FigureKind.Bird => new Bird(traits),
            FigureKind.Ball => new Ball(traits),
            FigureKind.Vehicle => new Vehicle(traits),
            _ => new Fish(traits),
        };
    }

    /// <summary>A point at <paramref name="length"/> from <paramref name="from"/> along <paramref name="angle"/> (0 straight down, positive towards the front).</summary>
    protected static SKPoint Along(SKPoint from, float angle, float length) =>
        new(from.X + (length * MathF.Sin(angle)), from.Y + (length * MathF.Cos(angle)));

    /// <summary>Two segments from <paramref name="root"/> (a leg or an arm) as thick round-capped lines; returns the far end.</summary>
    protected static SKPoint Limb(SKCanvas canvas, SKPaint stroke, SKPoint root, float upperAngle, float upper, float lowerAngle, float lower, float width, SKColor color)
    {
        var joint = Along(root, upperAngle, upper);
        var end = Along(joint, lowerAngle, lower);
        stroke.Color = color;
        stroke.StrokeWidth = width;
        canvas.DrawLine(root, joint, stroke);
        stroke.StrokeWidth = width * 0.9f;
        canvas.DrawLine(joint, end, stroke);
        return end;
    }

    protected static SKPaint Fill() => new() { IsAntialias = true, Style = SKPaintStyle.Fill };

    protected static SKPaint Stroke() => new() { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round };

    protected static void Oval(SKCanvas canvas, SKPaint paint, float cx, float cy, float rx, float ry, SKColor color, float rotation = 0f)
    {
        paint.Color = color;
        if (rotation == 0f)
        {
            canvas.DrawOval(cx, cy, rx, ry, paint);
            return;
        }

        canvas.Save();
        canvas.RotateRadians(rotation, cx, cy);
        canvas.DrawOval(cx, cy, rx, ry, paint);
        canvas.Restore();
    }

    protected static void Polygon(SKCanvas canvas, SKPaint paint, SKColor color, params ReadOnlySpan<SKPoint> points)
    {
        using var builder = new SKPathBuilder();
        builder.MoveTo(points[0]);
        for (var i = 1; i < points.Length; i++)
        {
            builder.LineTo(points[i]);
        }

        builder.Close();
        using var path = builder.Detach();
        paint.Color = color;
        canvas.DrawPath(path, paint);
    }

    /// <summary>A colour a little darker: the far legs and the far ear, in shade.</summary>
    protected static SKColor Shade(SKColor color, float amount = 0.18f) =>
        new((byte)(color.Red * (1f - amount)), (byte)(color.Green * (1f - amount)), (byte)(color.Blue * (1f - amount)), color.Alpha);

    /// <summary>A colour a little lighter.</summary>
    protected static SKColor Light(SKColor color, float amount = 0.2f) =>
        new((byte)(color.Red + ((255 - color.Red) * amount)), (byte)(color.Green + ((255 - color.Green) * amount)), (byte)(color.Blue + ((255 - color.Blue) * amount)), color.Alpha);

    protected static float Wave(float cycle, float offset = 0f) => MathF.Sin(MathF.Tau * (cycle + offset));
}

/// <summary>
/// A subject's colours, words and numbers with the seed's choices made: where the lexicon lists
/// several colours for a part (or several patterns), one is picked, in a fixed order of the parts,
/// so the same seed always picks the same. A "matched" subject picks the same place in every list
/// (a polar bear's white body with its pale belly, not a brown one).
/// </summary>
internal sealed class Traits
{
    private readonly Dictionary<string, SKColor> _colors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _words = new(StringComparer.Ordinal);
    private readonly SubjectSpec _subject;

    public Traits(SubjectSpec subject, DeterministicRandom random)
    {
        _subject = subject;
        var matched = subject.Words.TryGetValue("matched", out var flag) && flag is ["true"];
        var pick = random.NextSingle();
        foreach (var (part, choices) in subject.Colors.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            _colors[part] = choices[matched ? (int)(pick * choices.Length) : random.Next(choices.Length)];
        }

        foreach (var (name, choices) in subject.Words.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            _words[name] = choices[random.Next(choices.Length)];
        }

        Variation = random.NextSingle();
    }

    /// <summary>0..1 from the seed, for small differences of shape between two of the same kind.</summary>
    public float Variation { get; }

    public SKColor Color(string part, SKColor fallback) => _colors.GetValueOrDefault(part, fallback);

    public string Word(string name, string fallback) => _words.GetValueOrDefault(name, fallback);

    public bool Flag(string name) => _words.TryGetValue(name, out var value) && value == "true";

    public float Number(string name, float fallback) => _subject.Numbers.GetValueOrDefault(name, fallback);
}
