using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>
/// A bird in profile (body, head, beak, tail, a folded wing, thin legs) that flaps its wings up and
/// down to fly; an owl ("upright") faces the camera with big eyes and spreads its wings to the
/// sides; a duck is plump with a flat beak; an insect ("insect": a butterfly, a bee) is a thin body
/// between two pairs of wings that beat. Walking, a bird hops on its legs.
/// </summary>
internal sealed class Bird : Figure
{
    private readonly bool _upright;
    private readonly bool _insect;
    private readonly bool _plump;
    private readonly SKColor _body;
    private readonly SKColor _belly;
    private readonly SKColor _wing;
    private readonly SKColor _beak;
    private readonly SKColor _legs;
    private readonly SKColor _head;
    private readonly float _beakLength;
    private readonly float _tail;

    public Bird(Traits traits)
        : base(traits)
    {
        _upright = traits.Flag("upright");
        _insect = traits.Flag("insect");
        _plump = traits.Flag("plump");
        _body = traits.Color("body", new SKColor(60, 120, 200));
        _belly = traits.Color("belly", Light(_body, 0.6f));
        _wing = traits.Color("wing", Shade(_body, 0.25f));
        _beak = traits.Color("beak", new SKColor(240, 160, 30));
        _legs = traits.Color("legs", new SKColor(210, 130, 40));
        _head = traits.Color("head", _body);
        _beakLength = traits.Number("beak", 0.3f);
        _tail = traits.Number("tail", 0.4f);
    }

    public override SKRect Box => _insect ? new SKRect(-0.5f, -1f, 0.5f, 0f)
        : _upright ? new SKRect(-0.34f, -1f, 0.34f, 0f)
        : new SKRect(-0.42f - (_tail * 0.55f), -1f, 0.45f + (_beakLength * 0.5f), 0f);

    public override float Reach => 0.7f;

    /// <summary>An insect is always on the wing.</summary>
    public override float Hover => _insect ? 1.2f : 0f;

    public override Gait Drawn(Gait gait) => gait switch
    {
        Gait.Walk or Gait.Run => Gait.Walk,
        Gait.Fly or Gait.Leap or Gait.Float => Gait.Fly,
        Gait.Wave or Gait.Dance => _insect ? Gait.Fly : Gait.Wave,
        _ => _insect ? Gait.Fly : Gait.Stand,
    };

    public override float CycleRate(Gait gait) => _insect && gait == Gait.Fly ? 3f : 1f;

    public override void Draw(SKCanvas canvas, Gait gait, float cycle)
    {
        using var fill = Fill();
        using var stroke = Stroke();
        if (_insect)
        {
            DrawInsect(canvas, fill, cycle);
        }
        else if (_upright)
        {
            DrawOwl(canvas, fill, stroke, gait, cycle);
        }
        else
        {
            DrawSide(canvas, fill, stroke, gait, cycle);
        }
    }

    private void DrawSide(SKCanvas canvas, SKPaint fill, SKPaint stroke, Gait gait, float cycle)
    {
        var flying = gait == Gait.Fly;
        var hop = gait == Gait.Walk ? 0.06f * MathF.Abs(Wave(cycle)) : 0f;
        var tilt = flying ? -0.1f : _plump ? -0.15f : -0.35f;
        var flap = gait switch { Gait.Fly => 1.05f * Wave(cycle), Gait.Wave => -0.6f - (0.4f * MathF.Abs(Wave(cycle))), _ => 0f };
        var body = new SKPoint(0f, (_plump ? -0.4f : -0.46f) - hop);
        var halfLength = _plump ? 0.4f : 0.36f;
        var halfHeight = _plump ? 0.27f : 0.21f;
        var shoulder = new SKPoint(body.X + 0.05f, body.Y - (halfHeight * 0.55f));

        if (flying || gait == Gait.Wave)
        {
            // The far wing, in shade, behind the body.
            DrawWing(canvas, fill, shoulder, -flap * 0.9f - 0.2f, Shade(_wing, 0.25f));
        }

        // Legs: standing straight or in a hop; tucked back in flight.
        stroke.Color = _legs;
        stroke.StrokeWidth = 0.035f;
        if (flying)
        {
            canvas.DrawLine(body.X - 0.05f, body.Y + halfHeight * 0.8f, body.X - 0.22f, body.Y + (halfHeight * 1.1f), stroke);
        }
        else
        {
            var swing = gait == Gait.Walk ? 0.35f * Wave(cycle) : 0f;
            foreach (var (x, s) in new[] { (-0.05f, swing), (0.04f, -swing) })
            {
                var hip = new SKPoint(body.X + x, body.Y + (halfHeight * 0.7f));
                var foot = Along(hip, s, -hip.Y);
                canvas.DrawLine(hip, foot, stroke);
                canvas.DrawLine(foot, new SKPoint(foot.X + 0.07f, foot.Y), stroke);
            }
        }

        // Tail feathers, body, belly, head, beak, eye.
        var tailRoot = new SKPoint(body.X - (halfLength * 0.8f), body.Y + (flying ? 0f : halfHeight * 0.2f));
        var tailAngle = flying ? 0f : 0.45f;
        var tailEnd = new SKPoint(tailRoot.X - (_tail * 0.6f * MathF.Cos(tailAngle)), tailRoot.Y + (_tail * 0.6f * MathF.Sin(tailAngle)));
        Polygon(canvas, fill, _wing, new SKPoint(tailRoot.X + 0.06f, tailRoot.Y - 0.07f), new SKPoint(tailRoot.X + 0.06f, tailRoot.Y + 0.07f),
            new SKPoint(tailEnd.X, tailEnd.Y + 0.07f), new SKPoint(tailEnd.X - 0.02f, tailEnd.Y - 0.04f));
        Oval(canvas, fill, body.X, body.Y, halfLength, halfHeight, _body, tilt);
        Oval(canvas, fill, body.X + (halfLength * 0.2f), body.Y + (halfHeight * 0.35f), halfLength * 0.62f, halfHeight * 0.6f, _belly, tilt);
        var head = flying ? new SKPoint(body.X + halfLength * 0.95f, body.Y - (halfHeight * 0.6f)) : new SKPoint(body.X + (halfLength * 0.72f), body.Y - (halfHeight * 1.4f));
        var headRadius = _plump ? 0.16f : 0.15f;
        if (_plump && !flying)
        {
            stroke.Color = _body;
            stroke.StrokeWidth = 0.17f;
            canvas.DrawLine(body.X + (halfLength * 0.55f), body.Y - (halfHeight * 0.3f), head.X, head.Y, stroke);
        }

        Oval(canvas, fill, head.X, head.Y, headRadius, headRadius, _head);
        var beakTip = new SKPoint(head.X + headRadius + (_beakLength * 0.5f), head.Y + (_plump ? 0.03f : 0.02f));
        if (_plump)
        {
            fill.Color = _beak;
            canvas.DrawRoundRect(head.X + (headRadius * 0.6f), head.Y - 0.015f, (_beakLength * 0.5f) + (headRadius * 0.4f), 0.07f, 0.03f, 0.03f, fill);
        }
        else
        {
            Polygon(canvas, fill, _beak, new SKPoint(head.X + (headRadius * 0.8f), head.Y - 0.045f), new SKPoint(head.X + (headRadius * 0.8f), head.Y + 0.045f), beakTip);
        }

        fill.Color = new SKColor(24, 20, 20);
        canvas.DrawCircle(head.X + (headRadius * 0.35f), head.Y - (headRadius * 0.2f), headRadius * 0.17f, fill);
        fill.Color = SKColors.White;
        canvas.DrawCircle(head.X + (headRadius * 0.4f), head.Y - (headRadius * 0.27f), headRadius * 0.06f, fill);

        if (flying || gait == Gait.Wave)
        {
            DrawWing(canvas, fill, shoulder, -flap, _wing);
        }
        else
        {
            // Folded along the body.
            Oval(canvas, fill, body.X - (halfLength * 0.15f), body.Y - (halfHeight * 0.1f), halfLength * 0.7f, halfHeight * 0.55f, _wing, tilt + 0.15f);
        }
    }

    /// <summary>A wing as a long feathered blade from the shoulder, raised by <paramref name="angle"/> (negative: up).</summary>
    private static void DrawWing(SKCanvas canvas, SKPaint fill, SKPoint shoulder, float angle, SKColor color)
    {
        canvas.Save();
        canvas.RotateRadians(angle, shoulder.X, shoulder.Y);
        using (var builder = new SKPathBuilder())
        {
            builder.MoveTo(shoulder.X + 0.1f, shoulder.Y);
            builder.CubicTo(shoulder.X + 0.05f, shoulder.Y - 0.2f, shoulder.X - 0.2f, shoulder.Y - 0.45f, shoulder.X - 0.34f, shoulder.Y - 0.62f);
            builder.LineTo(shoulder.X - 0.3f, shoulder.Y - 0.48f);
            builder.LineTo(shoulder.X - 0.38f, shoulder.Y - 0.5f);
            builder.LineTo(shoulder.X - 0.3f, shoulder.Y - 0.36f);
            builder.LineTo(shoulder.X - 0.36f, shoulder.Y - 0.34f);
            builder.CubicTo(shoulder.X - 0.2f, shoulder.Y - 0.12f, shoulder.X - 0.1f, shoulder.Y + 0.02f, shoulder.X + 0.1f, shoulder.Y);
            builder.Close();
            using var path = builder.Detach();
            fill.Color = color;
            canvas.DrawPath(path, fill);
        }

        canvas.Restore();
    }

    private void DrawOwl(SKCanvas canvas, SKPaint fill, SKPaint stroke, Gait gait, float cycle)
    {
        var flying = gait == Gait.Fly;
        var hop = gait == Gait.Walk ? 0.05f * MathF.Abs(Wave(cycle)) : 0f;
        var spread = flying ? 0.9f + (0.6f * Wave(cycle)) : gait == Gait.Wave ? 0.8f + (0.3f * Wave(cycle)) : 0f;
        var body = new SKPoint(0f, -0.42f - hop);

        // Wings from the shoulders, folded against the body or spread and beating.
        foreach (var side in new[] { -1f, 1f })
        {
            canvas.Save();
            canvas.RotateRadians(side * spread, side * 0.2f, body.Y - 0.2f);
            Oval(canvas, fill, side * 0.24f, body.Y + 0.02f, 0.11f, 0.3f, _wing, side * 0.15f);
            canvas.Restore();
        }

        stroke.Color = _legs;
        stroke.StrokeWidth = 0.05f;
        if (!flying)
        {
            canvas.DrawLine(-0.08f, body.Y + 0.3f, -0.09f, 0f, stroke);
            canvas.DrawLine(0.08f, body.Y + 0.3f, 0.09f, 0f, stroke);
        }

        Oval(canvas, fill, body.X, body.Y, 0.27f, 0.4f, _body);
        Oval(canvas, fill, body.X, body.Y + 0.1f, 0.18f, 0.26f, _belly);
        var head = new SKPoint(0f, -0.78f - hop);
        Oval(canvas, fill, head.X, head.Y, 0.26f, 0.21f, _body);
        Polygon(canvas, fill, _body, new SKPoint(-0.25f, head.Y - 0.05f), new SKPoint(-0.1f, head.Y - 0.15f), new SKPoint(-0.22f, head.Y - 0.3f));
        Polygon(canvas, fill, _body, new SKPoint(0.25f, head.Y - 0.05f), new SKPoint(0.1f, head.Y - 0.15f), new SKPoint(0.22f, head.Y - 0.3f));
        var eyes = Traits.Color("eyes", new SKColor(245, 213, 71));
        foreach (var side in new[] { -1f, 1f })
        {
            fill.Color = SKColors.White;
            canvas.DrawCircle(side * 0.11f, head.Y, 0.1f, fill);
            fill.Color = eyes;
            canvas.DrawCircle(side * 0.11f, head.Y, 0.07f, fill);
            fill.Color = new SKColor(20, 20, 24);
            canvas.DrawCircle((side * 0.11f) + 0.01f, head.Y, 0.04f, fill);
        }

        Polygon(canvas, fill, _beak, new SKPoint(-0.03f, head.Y + 0.06f), new SKPoint(0.03f, head.Y + 0.06f), new SKPoint(0f, head.Y + 0.06f + (_beakLength * 0.35f)));
    }

    private void DrawInsect(SKCanvas canvas, SKPaint fill, float cycle)
    {
        // Seen from above: the wings open and close about the body.
        var open = 0.25f + (0.75f * MathF.Abs(MathF.Cos(MathF.PI * cycle)));
        var centre = new SKPoint(0f, -0.5f);
        var light = Light(_wing, 0.35f);
        foreach (var side in new[] { -1f, 1f })
        {
            Oval(canvas, fill, centre.X + (side * 0.25f * open), centre.Y - 0.15f, 0.25f * open, 0.26f, _wing, side * 0.3f);
            Oval(canvas, fill, centre.X + (side * 0.18f * open), centre.Y + 0.18f, 0.17f * open, 0.17f, light, -side * 0.4f);
            Oval(canvas, fill, centre.X + (side * 0.27f * open), centre.Y - 0.18f, 0.07f * open, 0.07f, Shade(_wing, 0.4f));
        }

        Oval(canvas, fill, centre.X, centre.Y, 0.045f, 0.3f, _body);
        fill.Color = _body;
        canvas.DrawCircle(centre.X, centre.Y - 0.33f, 0.06f, fill);
    }
}
