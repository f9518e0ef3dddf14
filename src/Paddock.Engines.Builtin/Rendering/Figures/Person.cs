using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>
/// A person seen from the side, or a robot on the same skeleton with boxy parts: head, torso, two
/// arms and two legs of two segments each. Colours for skin, hair, top, bottom and shoes (a robot:
/// body, limbs, visor, accent); hair short or long, a dress, an astronaut's helmet; a child has a
/// larger head. Walks with arms swinging against the legs, runs leaning in with bent arms, waves,
/// dances with arms up in turn, jumps with knees tucked, sits on the ground.
/// </summary>
internal sealed class Person : Figure
{
    private readonly bool _robot;
    private readonly float _head;
    private readonly float _shoulderY;
    private readonly float _hipY;
    private readonly SKColor _skin;
    private readonly SKColor _hair;
    private readonly SKColor _top;
    private readonly SKColor _bottom;
    private readonly SKColor _shoes;
    private readonly bool _helmet;
    private readonly SKRect _box;

    public Person(Traits traits, bool robot)
        : base(traits)
    {
        _robot = robot;
        var headScale = traits.Number("head", 1f);
        _head = (robot ? 0.085f : 0.074f) * headScale;
        _helmet = traits.Flag("helmet");
        _shoulderY = -1f + (2.1f * _head) + 0.035f;
        _hipY = robot ? -0.46f : -0.48f + (0.06f * (headScale - 1f));
        if (robot)
        {
            _skin = traits.Color("limbs", new SKColor(100, 106, 122));
            _top = traits.Color("body", new SKColor(150, 160, 180));
            _bottom = _skin;
            _hair = traits.Color("accent", new SKColor(232, 70, 58));
            _shoes = Shade(_skin, 0.25f);
        }
        else
        {
            _skin = traits.Color("skin", new SKColor(230, 180, 140));
            _hair = traits.Color("hair", new SKColor(60, 40, 30));
            _top = traits.Color("top", new SKColor(200, 70, 60));
            _bottom = traits.Color("bottom", new SKColor(50, 60, 100));
            _shoes = traits.Color("shoes", new SKColor(40, 40, 44));
        }

        var halfWidth = _helmet ? _head * 1.5f : robot ? 0.13f : 0.11f;
        _box = new SKRect(-halfWidth, -1f - (_helmet ? _head * 0.45f : robot ? 0.07f : 0f), halfWidth + (robot ? 0f : 0.02f), 0f);
    }

    public override SKRect Box => _box;

    /// <summary>Arms and strides reach well beyond a standing person's narrow box.</summary>
    public override float Reach => 0.5f;

    public override Gait Drawn(Gait gait) => gait == Gait.Fly ? Gait.Float : gait;

    public override void Draw(SKCanvas canvas, Gait gait, float cycle)
    {
        using var fill = Fill();
        using var stroke = Stroke();

        // Angles: 0 straight down, positive towards the front. Legs: thigh and how much the knee bends
        // (the shin folds back); arms: upper arm and elbow (the forearm folds forward).
        float nearThigh, farThigh, nearKnee, farKnee, nearArm, farArm, nearElbow, farElbow;
        var lean = 0f;
        var drop = 0f;
        switch (gait)
        {
            case Gait.Walk:
                nearThigh = 0.4f * Wave(cycle);
                farThigh = -nearThigh;
                nearKnee = 0.7f * MathF.Max(0f, Wave(cycle, 0.25f));
                farKnee = 0.7f * MathF.Max(0f, Wave(cycle, 0.75f));
                nearArm = -0.38f * Wave(cycle);
                farArm = -nearArm;
                nearElbow = farElbow = 0.25f;
                drop = 0.012f * MathF.Abs(Wave(cycle * 2f, 0.25f));
                break;
            case Gait.Run:
                nearThigh = 0.85f * Wave(cycle) + 0.15f;
                farThigh = -0.85f * Wave(cycle) + 0.15f;
                nearKnee = 1.7f * MathF.Max(0.1f, Wave(cycle, 0.25f));
                farKnee = 1.7f * MathF.Max(0.1f, Wave(cycle, 0.75f));
                nearArm = -0.8f * Wave(cycle);
                farArm = -nearArm;
                nearElbow = farElbow = 1.5f;
                lean = 0.2f;
                drop = 0.04f * (0.5f - (0.5f * MathF.Cos(MathF.Tau * cycle * 2f)));
                break;
            case Gait.Leap:
                nearThigh = 1.1f;
                farThigh = 0.7f;
                nearKnee = 1.9f;
                farKnee = 1.6f;
                nearArm = 2.7f;
                farArm = 2.5f;
                nearElbow = farElbow = 0.2f;
                break;
            case Gait.Wave:
                nearThigh = 0.04f;
                farThigh = -0.04f;
                nearKnee = farKnee = 0f;
                nearArm = 2.55f;
                nearElbow = 0.35f + (0.45f * Wave(cycle));
                farArm = -0.1f;
                farElbow = 0.2f;
                break;
            case Gait.Dance:
                nearThigh = 0.25f * Wave(cycle);
                farThigh = -0.25f * Wave(cycle);
                nearKnee = 0.5f * MathF.Max(0f, Wave(cycle));
                farKnee = 0.5f * MathF.Max(0f, -Wave(cycle));
                nearArm = 2.4f + (0.6f * Wave(cycle));
                farArm = 2.4f - (0.6f * Wave(cycle));
                nearElbow = farElbow = 0.4f;
                drop = 0.03f * MathF.Abs(Wave(cycle));
                break;
            case Gait.Float:
                nearThigh = -0.15f;
                farThigh = 0.1f;
                nearKnee = 0.3f;
                farKnee = 0.2f;
                nearArm = 1.1f;
                farArm = 1.4f;
                nearElbow = farElbow = 0.2f;
                break;
            case Gait.Sit:
                DrawSitting(canvas, fill, stroke);
                return;
            default:
                nearThigh = 0.05f;
                farThigh = -0.04f;
                nearKnee = farKnee = 0f;
                nearArm = 0.08f;
                farArm = -0.06f;
                nearElbow = farElbow = 0.15f;
                break;
        }

        canvas.Save();
        canvas.Translate(0f, drop);
        var hip = new SKPoint(0f, _hipY);
        var legLength = -_hipY;
        var limb = _robot ? 0.07f : 0.062f;
        var armLength = (_hipY - _shoulderY) * 1.02f;

        // Far leg and arm in shade, behind the body.
        DrawLeg(canvas, fill, stroke, hip, legLength, farThigh, farKnee, limb, Shade(_bottom), Shade(_shoes));
        canvas.Save();
        canvas.RotateRadians(-lean, hip.X, hip.Y);
        var shoulder = new SKPoint(0.005f, _shoulderY + 0.02f);
        DrawArm(canvas, fill, stroke, shoulder, armLength, farArm, farElbow, limb * 0.85f, Shade(_robot ? _skin : _top), Shade(_skin));
        canvas.Restore();

        DrawLeg(canvas, fill, stroke, hip, legLength, nearThigh, nearKnee, limb, _bottom, _shoes);

        canvas.Save();
        canvas.RotateRadians(-lean, hip.X, hip.Y);
        DrawTorsoAndHead(canvas, fill, stroke);
        DrawArm(canvas, fill, stroke, shoulder, armLength, nearArm, nearElbow, limb * 0.85f, _robot ? _skin : _top, _skin);
        canvas.Restore();
        canvas.Restore();
    }

    private void DrawLeg(SKCanvas canvas, SKPaint fill, SKPaint stroke, SKPoint hip, float length, float thigh, float knee, float width, SKColor color, SKColor shoe)
    {
        var foot = Limb(canvas, stroke, hip, thigh, length * 0.5f, thigh - knee, length * 0.47f, width, color);
        if (_robot)
        {
            fill.Color = shoe;
            canvas.DrawRoundRect(foot.X - (width * 0.6f), foot.Y - (width * 0.35f), width * 1.6f, width * 0.7f, width * 0.2f, width * 0.2f, fill);
        }
        else
        {
            Oval(canvas, fill, foot.X + (width * 0.45f), foot.Y - (width * 0.05f), width * 0.85f, width * 0.42f, shoe);
        }
    }

    private void DrawArm(SKCanvas canvas, SKPaint fill, SKPaint stroke, SKPoint shoulder, float length, float upper, float elbow, float width, SKColor sleeve, SKColor hand)
    {
        var end = Limb(canvas, stroke, shoulder, upper, length * 0.5f, upper + elbow, length * 0.46f, width, sleeve);
        fill.Color = hand;
        canvas.DrawCircle(end, width * (_robot ? 0.75f : 0.6f), fill);
    }

    private void DrawTorsoAndHead(SKCanvas canvas, SKPaint fill, SKPaint stroke)
    {
        var head = new SKPoint(0.012f, -1f + _head);
        var waist = _hipY - 0.02f;
        if (_robot)
        {
            fill.Color = _top;
            canvas.DrawRoundRect(-0.11f, _shoulderY - 0.02f, 0.22f, waist - _shoulderY + 0.08f, 0.04f, 0.04f, fill);
            fill.Color = _hair;
            canvas.DrawRoundRect(-0.05f, _shoulderY + 0.07f, 0.12f, 0.07f, 0.015f, 0.015f, fill);
            fill.Color = Shade(_top, 0.25f);
            canvas.DrawRect(-0.025f, _shoulderY - 0.05f, 0.05f, 0.04f, fill);
            // Head: a rounded box with a visor band and an antenna.
            fill.Color = _top;
            canvas.DrawRoundRect(head.X - 0.085f, head.Y - 0.075f, 0.17f, 0.15f, 0.03f, 0.03f, fill);
            fill.Color = Traits.Color("visor", new SKColor(40, 180, 240));
            canvas.DrawRoundRect(head.X - 0.02f, head.Y - 0.035f, 0.1f, 0.045f, 0.02f, 0.02f, fill);
            stroke.Color = Shade(_top, 0.3f);
            stroke.StrokeWidth = 0.012f;
            canvas.DrawLine(head.X - 0.01f, head.Y - 0.075f, head.X - 0.02f, head.Y - 0.13f, stroke);
            fill.Color = _hair;
            canvas.DrawCircle(head.X - 0.02f, head.Y - 0.14f, 0.018f, fill);
            return;
        }

        // Long hair falls behind the shoulders.
        if (Traits.Word("hair", "short") == "long" && !_helmet)
        {
            fill.Color = _hair;
            canvas.DrawRoundRect(head.X - _head * 1.15f, head.Y - (_head * 0.4f), _head * 1.3f, _head * 2.6f, _head * 0.5f, _head * 0.5f, fill);
        }

        if (_helmet)
        {
            // An astronaut: a backpack, a white suit, a helmet with a visor.
            fill.Color = Shade(_top, 0.12f);
            canvas.DrawRoundRect(-0.15f, _shoulderY - 0.01f, 0.08f, 0.24f, 0.02f, 0.02f, fill);
        }

        // Torso: shoulders a little wider than the waist; a dress flares to the knees.
        Polygon(canvas, fill, _top, new SKPoint(-0.085f, _shoulderY - 0.015f), new SKPoint(0.085f, _shoulderY - 0.015f),
            new SKPoint(0.07f, waist), new SKPoint(-0.07f, waist));
        fill.Color = _top;
        canvas.DrawCircle(0f, _shoulderY + 0.015f, 0.085f, fill);
        if (Traits.Flag("dress"))
        {
            Polygon(canvas, fill, _bottom, new SKPoint(-0.075f, waist - 0.06f), new SKPoint(0.075f, waist - 0.06f), new SKPoint(0.13f, _hipY * 0.45f), new SKPoint(-0.12f, _hipY * 0.45f));
        }
        else
        {
            Polygon(canvas, fill, _bottom, new SKPoint(-0.072f, waist - 0.02f), new SKPoint(0.072f, waist - 0.02f), new SKPoint(0.07f, _hipY + 0.04f), new SKPoint(-0.07f, _hipY + 0.04f));
        }

        if (_helmet)
        {
            fill.Color = _top;
            canvas.DrawCircle(head.X - 0.005f, head.Y + 0.005f, _head * 1.45f, fill);
            fill.Color = Traits.Color("visor", new SKColor(44, 74, 122));
            canvas.DrawOval(head.X + (_head * 0.5f), head.Y, _head * 0.85f, _head * 0.8f, fill);
            fill.Color = SKColors.White.WithAlpha(150);
            canvas.DrawOval(head.X + (_head * 0.75f), head.Y - (_head * 0.35f), _head * 0.22f, _head * 0.14f, fill);
            fill.Color = Traits.Color("accent", new SKColor(216, 72, 58));
            canvas.DrawRect(-0.03f, _shoulderY + 0.06f, 0.06f, 0.035f, fill);
            return;
        }

        // Neck, head, hair over the back of the head, an eye, a nose.
        stroke.Color = _skin;
        stroke.StrokeWidth = _head * 0.75f;
        canvas.DrawLine(0.005f, _shoulderY - 0.02f, head.X, head.Y + (_head * 0.6f), stroke);
        fill.Color = _skin;
        canvas.DrawCircle(head, _head, fill);
        Oval(canvas, fill, head.X + (_head * 0.95f), head.Y + (_head * 0.15f), _head * 0.2f, _head * 0.16f, _skin);
        fill.Color = _hair;
        using (var builder = new SKPathBuilder())
        {
            builder.AddOval(new SKRect(head.X - (_head * 1.08f), head.Y - (_head * 1.12f), head.X + (_head * 0.92f), head.Y + (_head * 0.2f)));
            using var cap = builder.Detach();
            canvas.Save();
            canvas.ClipRect(new SKRect(head.X - (_head * 2f), head.Y - (_head * 2f), head.X + (_head * 0.55f), head.Y + (_head * 0.05f)));
            canvas.DrawPath(cap, fill);
            canvas.Restore();
        }

        Oval(canvas, fill, head.X - (_head * 0.55f), head.Y - (_head * 0.05f), _head * 0.5f, _head * 0.55f, _hair);
        fill.Color = new SKColor(30, 24, 22);
        canvas.DrawCircle(head.X + (_head * 0.5f), head.Y - (_head * 0.05f), _head * 0.13f, fill);
    }

    /// <summary>Sitting on the ground: thighs forward, shins down, hands on the knees.</summary>
    private void DrawSitting(SKCanvas canvas, SKPaint fill, SKPaint stroke)
    {
        var hipHeight = 0.07f;
        var legLength = -_hipY;
        var limb = _robot ? 0.07f : 0.062f;
        canvas.Save();
        canvas.Translate(0f, -_hipY - hipHeight);
        var hip = new SKPoint(0f, _hipY);
        var shoulder = new SKPoint(0.005f, _shoulderY + 0.02f);
        var armLength = (_hipY - _shoulderY) * 1.02f;
        // Knees up: the thighs point up and forwards, the shins come back down to the ground.
        DrawLeg(canvas, fill, stroke, hip, legLength, 2.1f, 1.75f, limb, Shade(_bottom), Shade(_shoes));
        DrawArm(canvas, fill, stroke, shoulder, armLength, 0.5f, 0.5f, limb * 0.85f, Shade(_robot ? _skin : _top), Shade(_skin));
        DrawLeg(canvas, fill, stroke, new SKPoint(hip.X + 0.02f, hip.Y), legLength, 2.2f, 1.84f, limb, _bottom, _shoes);
        DrawTorsoAndHead(canvas, fill, stroke);
        DrawArm(canvas, fill, stroke, shoulder, armLength, 0.9f, 0.5f, limb * 0.85f, _robot ? _skin : _top, _skin);
        canvas.Restore();
    }
}
