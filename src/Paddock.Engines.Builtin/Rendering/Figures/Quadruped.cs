using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>
/// Four legs, a body, a head on a neck, ears and a tail, in profile: a fox, a dog, a cat, a horse, a
/// bear... told apart by proportions (leg length, body length and bulk, snout, neck), ears (pointed,
/// round, floppy, long), tail (bushy, thin, long, tuft, stub, puff), extras (mane, horn, antlers,
/// stripes, spots) and colours. Walks in a four-beat walk, runs in a gallop (legs gathered under the
/// body, then stretched out), leaps with its legs flung fore and aft, sits on its haunches, wags.
/// </summary>
internal sealed class Quadruped : Figure
{
    private readonly float _legs;
    private readonly float _halfLength;
    private readonly float _halfHeight;
    private readonly float _bodyY;
    private readonly float _headRadius;
    private readonly float _neck;
    private readonly float _snout;
    private readonly string _ears;
    private readonly string _tail;
    private readonly SKColor _body;
    private readonly SKColor _belly;
    private readonly SKColor _legColor;
    private readonly SKColor _tailTip;
    private readonly SKColor _nose;
    private readonly SKRect _box;

    public Quadruped(Traits traits)
        : base(traits)
    {
        var bulk = traits.Number("bulk", 1f);
        _legs = traits.Number("legs", 0.38f);
        _halfLength = 0.4f * traits.Number("length", 1f);
        _halfHeight = 0.15f * bulk;
        _bodyY = -(_legs + (_halfHeight * 0.7f));
        _headRadius = 0.12f * traits.Number("head", 1f) * MathF.Sqrt(bulk);
        _neck = traits.Number("neck", 0.25f);
        _snout = traits.Number("snout", 0.5f);
        _ears = traits.Word("ears", "pointed");
        _tail = traits.Word("tail", "thin");
        _body = traits.Color("body", new SKColor(200, 140, 80));
        _belly = traits.Color("belly", _body);
        _legColor = traits.Color("legs", _body);
        _tailTip = traits.Color("tail_tip", _body);
        _nose = traits.Color("nose", new SKColor(30, 24, 22));

        var head = Head(0f);
        var top = head.Y - _headRadius - EarHeight;
        if (traits.Flag("antlers"))
        {
            top -= 0.22f;
        }

        _box = new SKRect(-_halfLength - TailReach, top, head.X + _headRadius + SnoutLength, 0f);
    }

    public override SKRect Box => _box;

    private float EarHeight => _ears switch { "long" => 0.3f, "floppy" => 0.02f, "round" => 0.05f, _ => 0.13f } * (_headRadius / 0.12f);

    private float SnoutLength => (_headRadius * 0.35f) + (_snout * 0.2f);

    private float TailReach => _tail switch { "bushy" => 0.34f, "long" => 0.28f, "tuft" => 0.26f, "thin" => 0.2f, _ => 0.06f };

    public override Gait Drawn(Gait gait) => gait switch
    {
        Gait.Walk or Gait.Run or Gait.Sit or Gait.Leap => gait,
        Gait.Fly => Gait.Leap,
        Gait.Wave or Gait.Dance => Gait.Wave,
        _ => Gait.Stand,
    };

    /// <summary>The head's centre, with the neck raised by <paramref name="lift"/> (a gallop stretches it forward and down).</summary>
    private SKPoint Head(float lift) =>
        new(_halfLength + (_headRadius * 0.4f) + (_neck * 0.22f), _bodyY - _halfHeight - (_neck * 0.55f) + (_headRadius * 0.3f) - lift);

    public override void Draw(SKCanvas canvas, Gait gait, float cycle)
    {
        using var fill = Fill();
        using var stroke = Stroke();

        // Leg angles (0 straight down, positive forwards) and how much the lower leg folds back, per leg:
        // 0 hind far, 1 fore far, 2 hind near, 3 fore near.
        Span<float> swing = stackalloc float[4];
        Span<float> fold = stackalloc float[4];
        var pitch = 0f;
        var rise = 0f;
        var tailSwing = 0f;
        var headLift = 0f;
        switch (gait)
        {
            case Gait.Walk:
            {
                ReadOnlySpan<float> offsets = [0f, 0.25f, 0.5f, 0.75f];
                for (var i = 0; i < 4; i++)
                {
                    var p = cycle + offsets[i];
                    swing[i] = 0.34f * Wave(p);
                    fold[i] = 0.7f * MathF.Max(0f, Wave(p, 0.25f));
                }

                rise = 0.012f * MathF.Abs(Wave(cycle * 2f));
                tailSwing = 0.12f * Wave(cycle);
                headLift = 0.01f * Wave(cycle * 2f);
                break;
            }

            case Gait.Run:
            {
                // A gallop: hind legs, then fore legs, one a little after the other; the body stretches and gathers.
                ReadOnlySpan<float> offsets = [0f, 0.5f, 0.08f, 0.58f];
                for (var i = 0; i < 4; i++)
                {
                    var p = cycle + offsets[i];
                    swing[i] = 0.78f * MathF.Cos(MathF.Tau * p);
                    fold[i] = 1.3f * MathF.Max(0f, Wave(p));
                }

                pitch = -0.09f * Wave(cycle, 0.1f);
                rise = 0.05f * (0.5f + (0.5f * Wave(cycle, 0.2f)));
                tailSwing = -0.35f + (0.15f * Wave(cycle));
                headLift = -0.04f;
                break;
            }

            case Gait.Leap:
                swing[0] = swing[2] = -0.95f;
                swing[1] = swing[3] = 1.0f;
                fold[0] = fold[2] = -0.25f;
                fold[1] = fold[3] = 0.35f;
                pitch = -0.12f;
                tailSwing = -0.5f;
                break;
            case Gait.Wave:
                swing[1] = 0.06f;
                swing[3] = -0.04f;
                tailSwing = 0.55f * Wave(cycle * 2f);
                headLift = 0.02f * Wave(cycle);
                break;
            case Gait.Sit:
                DrawSitting(canvas, fill, stroke);
                return;
            default:
                swing[0] = -0.04f;
                swing[1] = 0.05f;
                swing[2] = 0.05f;
                swing[3] = -0.03f;
                break;
        }

        canvas.Save();
        canvas.Translate(0f, -rise);
        canvas.RotateRadians(pitch, 0f, _bodyY);
        var hip = new SKPoint(-_halfLength * 0.62f, _bodyY + (_halfHeight * 0.45f));
        var shoulder = new SKPoint(_halfLength * 0.6f, _bodyY + (_halfHeight * 0.4f));
        // The legs reach the ground when straight; rising and pitching lift the feet off it.
        var hipLength = -hip.Y;
        var shoulderLength = -shoulder.Y;
        var width = 0.055f * MathF.Sqrt(_halfHeight / 0.15f) * (_legs < 0.45f ? 1f : 1.1f);

        DrawLeg(canvas, fill, stroke, hip, hipLength, swing[0], fold[0], width, Shade(_legColor), hind: true);
        DrawLeg(canvas, fill, stroke, shoulder, shoulderLength, swing[1], fold[1], width, Shade(_legColor), hind: false);
        DrawTail(canvas, fill, stroke, tailSwing);
        DrawBody(canvas, fill, stroke, headLift);
        DrawLeg(canvas, fill, stroke, hip, hipLength, swing[2], fold[2], width, _legColor, hind: true);
        DrawLeg(canvas, fill, stroke, shoulder, shoulderLength, swing[3], fold[3], width, _legColor, hind: false);
        canvas.Restore();
    }

    private static void DrawLeg(SKCanvas canvas, SKPaint fill, SKPaint stroke, SKPoint root, float length, float swing, float fold, float width, SKColor color, bool hind)
    {
        // A hind leg is a thigh down and back and a hock; a foreleg hangs straight: both fold back when lifted.
        var upper = length * (hind ? 0.5f : 0.48f);
        var lower = length - upper;
        var foot = Limb(canvas, stroke, root, swing, upper, swing - fold, lower, width, color);
        Oval(canvas, fill, foot.X + (width * 0.25f), foot.Y - (width * 0.1f), width * 0.55f, width * 0.32f, color);
    }

    private void DrawTail(SKCanvas canvas, SKPaint fill, SKPaint stroke, float swing)
    {
        var root = new SKPoint(-_halfLength * 0.92f, _bodyY - (_halfHeight * 0.25f));
        canvas.Save();
        canvas.RotateRadians(-swing, root.X, root.Y);
        var hair = Traits.Flag("mane") && _neck >= 0.4f ? "hair" : _tail;
        switch (hair)
        {
            case "hair":
            {
                // A horse's tail: a fall of hair from the croup, in the mane's colour.
                var color = Traits.Color("mane", Shade(_body, 0.4f));
                Polygon(canvas, fill, color, new SKPoint(root.X + 0.02f, root.Y - 0.04f), new SKPoint(root.X - 0.12f, root.Y + 0.02f),
                    new SKPoint(root.X - 0.2f, root.Y + 0.3f), new SKPoint(root.X - 0.13f, root.Y + 0.42f), new SKPoint(root.X - 0.06f, root.Y + 0.2f), new SKPoint(root.X + 0.02f, root.Y + 0.05f));
                break;
            }

            case "bushy":
            {
                // A chain of discs along a curve, fattest in the middle, the tip its own colour: a brush.
                const int discs = 14;
                for (var i = 0; i <= discs; i++)
                {
                    var t = i / (float)discs;
                    var x = root.X - (0.34f * t);
                    var y = root.Y + (0.16f * MathF.Sin(MathF.PI * t * 0.9f)) - (0.06f * t * t);
                    var radius = 0.02f + (0.075f * MathF.Sin(MathF.PI * MathF.Min(1f, (t * 0.85f) + 0.1f)));
                    fill.Color = t > 0.78f ? _tailTip : _body;
                    canvas.DrawCircle(x, y, radius, fill);
                }

                break;
            }

            case "long":
                DrawCurve(canvas, fill, stroke, root, new SKPoint(root.X - 0.14f, root.Y + 0.12f), new SKPoint(root.X - 0.22f, root.Y - 0.08f), new SKPoint(root.X - 0.26f, root.Y - 0.2f), 0.035f, _body, _tailTip);
                break;
            case "thin":
                DrawCurve(canvas, fill, stroke, root, new SKPoint(root.X - 0.08f, root.Y - 0.05f), new SKPoint(root.X - 0.14f, root.Y - 0.12f), new SKPoint(root.X - 0.18f, root.Y - 0.2f), 0.03f, _body, _tailTip);
                break;
            case "tuft":
                DrawCurve(canvas, fill, stroke, root, new SKPoint(root.X - 0.1f, root.Y + 0.1f), new SKPoint(root.X - 0.18f, root.Y + 0.12f), new SKPoint(root.X - 0.24f, root.Y + 0.04f), 0.022f, _body, _body);
                Oval(canvas, fill, root.X - 0.25f, root.Y + 0.03f, 0.035f, 0.045f, _tailTip);
                break;
            case "puff":
                Oval(canvas, fill, root.X - 0.03f, root.Y, 0.06f, 0.06f, _tailTip);
                break;
            default:
                Oval(canvas, fill, root.X - 0.03f, root.Y + 0.01f, 0.05f, 0.03f, _tailTip, -0.5f);
                break;
        }

        canvas.Restore();
    }

    private static void DrawCurve(SKCanvas canvas, SKPaint fill, SKPaint stroke, SKPoint a, SKPoint b, SKPoint c, SKPoint d, float width, SKColor color, SKColor tip)
    {
        using var builder = new SKPathBuilder();
        builder.MoveTo(a);
        builder.CubicTo(b, c, d);
        using var path = builder.Detach();
        stroke.Color = color;
        stroke.StrokeWidth = width;
        canvas.DrawPath(path, stroke);
        if (tip != color)
        {
            fill.Color = tip;
            canvas.DrawCircle(d, width * 0.75f, fill);
        }
    }

    private void DrawBody(SKCanvas canvas, SKPaint fill, SKPaint stroke, float headLift)
    {
        var head = Head(headLift);
        var traits = Traits;
        var mane = traits.Color("mane", Shade(_body, 0.4f));

        // A lion's mane sits behind its head.
        if (traits.Flag("mane") && _neck < 0.4f)
        {
            Oval(canvas, fill, head.X - (_headRadius * 0.2f), head.Y + (_headRadius * 0.1f), _headRadius * 1.75f, _headRadius * 1.85f, mane);
        }

        // The far ear, in shade, behind the head.
        DrawEar(canvas, fill, head, -0.35f, Shade(_body, 0.25f));

        // Neck: from the withers to the head, as thick as the head.
        var withers = new SKPoint(_halfLength * 0.55f, _bodyY - (_halfHeight * 0.2f));
        stroke.Color = _body;
        stroke.StrokeWidth = _headRadius * (_neck > 0.4f ? 1.35f : 1.7f);
        canvas.DrawLine(withers, new SKPoint(head.X - (_headRadius * 0.3f), head.Y + (_headRadius * 0.2f)), stroke);
        stroke.StrokeWidth = _halfHeight * 1.6f;
        canvas.DrawLine(new SKPoint(withers.X, withers.Y + (_halfHeight * 0.3f)), new SKPoint(withers.X - 0.01f, withers.Y + (_halfHeight * 0.4f)), stroke);

        // Body, chest and belly.
        Oval(canvas, fill, 0f, _bodyY, _halfLength, _halfHeight, _body);
        Oval(canvas, fill, -_halfLength * 0.55f, _bodyY + (_halfHeight * 0.05f), _halfLength * 0.42f, _halfHeight * 1.02f, _body);
        Oval(canvas, fill, _halfLength * 0.55f, _bodyY - (_halfHeight * 0.05f), _halfLength * 0.42f, _halfHeight * 1.1f, _body);
        if (_belly != _body)
        {
            Oval(canvas, fill, _halfLength * 0.86f, _bodyY - (_halfHeight * 0.1f), _halfLength * 0.2f, _halfHeight * 0.95f, _belly, 0.5f);
            Oval(canvas, fill, 0.02f, _bodyY + (_halfHeight * 0.62f), _halfLength * 0.55f, _halfHeight * 0.32f, _belly);
        }

        if (traits.Flag("stripes") || traits.Flag("spots"))
        {
            canvas.Save();
            using (var builder = new SKPathBuilder())
            {
                builder.AddOval(new SKRect(-_halfLength * 1.05f, _bodyY - (_halfHeight * 1.1f), _halfLength * 1.05f, _bodyY + (_halfHeight * 1.1f)));
                using var clip = builder.Detach();
                canvas.ClipPath(clip, antialias: true);
            }

            if (traits.Flag("stripes"))
            {
                var color = traits.Color("stripes", new SKColor(30, 26, 24));
                stroke.Color = color;
                stroke.StrokeWidth = 0.028f;
                for (var i = 0; i < 6; i++)
                {
                    var x = -_halfLength * 0.8f + (i * _halfLength * 0.3f);
                    canvas.DrawLine(x, _bodyY - _halfHeight, x + 0.03f, _bodyY + (_halfHeight * 0.2f), stroke);
                }
            }
            else
            {
                var color = traits.Color("spots", new SKColor(40, 34, 30));
                Oval(canvas, fill, -_halfLength * 0.4f, _bodyY - (_halfHeight * 0.3f), _halfLength * 0.22f, _halfHeight * 0.45f, color, 0.4f);
                Oval(canvas, fill, _halfLength * 0.25f, _bodyY - (_halfHeight * 0.45f), _halfLength * 0.18f, _halfHeight * 0.35f, color, -0.3f);
                Oval(canvas, fill, -_halfLength * 0.05f, _bodyY + (_halfHeight * 0.35f), _halfLength * 0.14f, _halfHeight * 0.3f, color);
            }

            canvas.Restore();
        }

        // A horse's mane runs down its neck.
        if (traits.Flag("mane") && _neck >= 0.4f)
        {
            var crest = new SKPoint(head.X - (_headRadius * 0.6f), head.Y - (_headRadius * 0.7f));
            Polygon(canvas, fill, mane, crest, new SKPoint(crest.X + (_headRadius * 0.3f), crest.Y + (_headRadius * 0.2f)),
                new SKPoint(withers.X - 0.02f, withers.Y - (_halfHeight * 0.3f)), new SKPoint(withers.X - 0.1f, withers.Y - (_halfHeight * 0.6f)));
            Oval(canvas, fill, head.X + (_headRadius * 0.1f), head.Y - (_headRadius * 0.85f), _headRadius * 0.35f, _headRadius * 0.2f, mane, -0.4f);
        }

        // A pale throat down the front of the neck.
        if (_belly != _body)
        {
            stroke.Color = _belly;
            stroke.StrokeWidth = _headRadius * 0.7f;
            canvas.DrawLine(new SKPoint(_halfLength * 0.95f, _bodyY), new SKPoint(head.X + (_headRadius * 0.1f), head.Y + (_headRadius * 0.45f)), stroke);
        }

        // Head and snout (a long one droops a little), the cheek in the belly colour.
        Oval(canvas, fill, head.X, head.Y, _headRadius, _headRadius * 0.95f, _body);
        if (_snout >= 0.8f)
        {
            // A horse's long face: a tapering muzzle angled down from the brow.
            Polygon(canvas, fill, _body, new SKPoint(head.X - (_headRadius * 0.2f), head.Y - (_headRadius * 0.9f)), new SKPoint(head.X + (_headRadius * 0.9f), head.Y - (_headRadius * 0.4f)),
                new SKPoint(head.X + (_headRadius * 2.6f), head.Y + (_headRadius * 1.1f)), new SKPoint(head.X + (_headRadius * 2.2f), head.Y + (_headRadius * 1.7f)), new SKPoint(head.X - (_headRadius * 0.3f), head.Y + (_headRadius * 0.8f)));
            Oval(canvas, fill, head.X + (_headRadius * 2.25f), head.Y + (_headRadius * 1.3f), _headRadius * 0.55f, _headRadius * 0.48f, Shade(_body, 0.1f), 0.6f);
            fill.Color = _nose;
            canvas.DrawCircle(head.X + (_headRadius * 2.45f), head.Y + (_headRadius * 1.2f), _headRadius * 0.1f, fill);
        }
        else
        {
            DrawSnout(canvas, fill, head);
        }

        // Eye, with a glint.
        var eye = new SKPoint(head.X + (_headRadius * 0.42f), head.Y - (_headRadius * 0.22f));
        fill.Color = new SKColor(28, 22, 20);
        canvas.DrawCircle(eye, _headRadius * 0.14f, fill);
        fill.Color = SKColors.White;
        canvas.DrawCircle(eye.X + (_headRadius * 0.04f), eye.Y - (_headRadius * 0.05f), _headRadius * 0.05f, fill);

        DrawEar(canvas, fill, head, 0f, _body);
        DrawHeadwear(canvas, fill, stroke, head);
    }

    private void DrawSnout(SKCanvas canvas, SKPaint fill, SKPoint head)
    {
        var snoutLength = SnoutLength;
        var tip = new SKPoint(head.X + (_headRadius * 0.55f) + snoutLength, head.Y + (_headRadius * (0.3f + (_snout * 0.15f))));
        var middle = new SKPoint((head.X + tip.X) * 0.5f + (_headRadius * 0.15f), (head.Y + tip.Y) * 0.5f);
        var angle = MathF.Atan2(tip.Y - head.Y, tip.X - head.X);
        Oval(canvas, fill, middle.X, middle.Y, (tip.X - head.X) * 0.55f, _headRadius * (0.62f - (0.12f * _snout)), _body, angle);
        if (_belly != _body)
        {
            Oval(canvas, fill, middle.X - (_headRadius * 0.15f), middle.Y + (_headRadius * 0.3f), (tip.X - head.X) * 0.42f, _headRadius * 0.3f, _belly, angle);
        }

        fill.Color = _nose;
        canvas.DrawCircle(tip.X - (_headRadius * 0.05f), tip.Y - (_headRadius * 0.05f), _headRadius * 0.17f, fill);
    }

    private void DrawHeadwear(SKCanvas canvas, SKPaint fill, SKPaint stroke, SKPoint head)
    {
        var traits = Traits;
        if (traits.Flag("horn"))
        {
            var color = traits.Color("horn", new SKColor(240, 200, 80));
            var root = new SKPoint(head.X + (_headRadius * 0.3f), head.Y - (_headRadius * 0.8f));
            Polygon(canvas, fill, color, new SKPoint(root.X - (_headRadius * 0.18f), root.Y + (_headRadius * 0.1f)),
                new SKPoint(root.X + (_headRadius * 0.18f), root.Y + (_headRadius * 0.05f)), new SKPoint(root.X + (_headRadius * 0.55f), root.Y - (_headRadius * 1.7f)));
        }

        if (traits.Flag("antlers"))
        {
            var color = traits.Color("antlers", new SKColor(216, 196, 160));
            stroke.Color = color;
            stroke.StrokeWidth = 0.022f;
            var root = new SKPoint(head.X - (_headRadius * 0.1f), head.Y - (_headRadius * 0.85f));
            var top = new SKPoint(root.X - 0.06f, root.Y - 0.2f);
            canvas.DrawLine(root, top, stroke);
            canvas.DrawLine(new SKPoint(root.X - 0.02f, root.Y - 0.07f), new SKPoint(root.X + 0.06f, root.Y - 0.14f), stroke);
            canvas.DrawLine(new SKPoint(root.X - 0.045f, root.Y - 0.14f), new SKPoint(root.X - 0.13f, root.Y - 0.2f), stroke);
            canvas.DrawLine(new SKPoint(root.X - 0.05f, root.Y - 0.16f), new SKPoint(root.X + 0.02f, root.Y - 0.24f), stroke);
        }
    }

    private void DrawEar(SKCanvas canvas, SKPaint fill, SKPoint head, float back, SKColor color)
    {
        var r = _headRadius;
        var x = head.X + (back * r) - (r * 0.15f);
        var y = head.Y - (r * 0.65f);
        switch (_ears)
        {
            case "round":
                Oval(canvas, fill, x, y - (r * 0.15f), r * 0.32f, r * 0.32f, color);
                Oval(canvas, fill, x, y - (r * 0.15f), r * 0.16f, r * 0.16f, Shade(color, 0.3f));
                break;
            case "floppy":
                Oval(canvas, fill, x - (r * 0.35f), y + (r * 0.55f), r * 0.28f, r * 0.62f, Shade(color, 0.3f), 0.35f);
                break;
            case "long":
                Oval(canvas, fill, x - (r * 0.2f), y - (r * 1.1f), r * 0.26f, r * 0.95f, color, -0.2f);
                Oval(canvas, fill, x - (r * 0.2f), y - (r * 1.05f), r * 0.12f, r * 0.7f, Light(_nose, 0.5f), -0.2f);
                break;
            default:
            {
                var height = EarHeight + (r * 0.5f);
                Polygon(canvas, fill, color, new SKPoint(x - (r * 0.42f), y + (r * 0.25f)), new SKPoint(x + (r * 0.42f), y + (r * 0.05f)), new SKPoint(x - (r * 0.12f), y - height));
                Polygon(canvas, fill, back == 0f ? Shade(_legColor, 0.1f) : Shade(color, 0.2f),
                    new SKPoint(x - (r * 0.22f), y + (r * 0.12f)), new SKPoint(x + (r * 0.2f), y + (r * 0.02f)), new SKPoint(x - (r * 0.1f), y - (height * 0.6f)));
                break;
            }
        }
    }

    /// <summary>On its haunches: the body tilted up at the front, the hind legs folded under it, the forelegs straight.</summary>
    private void DrawSitting(SKCanvas canvas, SKPaint fill, SKPaint stroke)
    {
        var hip = new SKPoint(-_halfLength * 0.62f, -_halfHeight * 0.9f);
        var width = 0.055f * MathF.Sqrt(_halfHeight / 0.15f);
        canvas.Save();
        // Tilted about the hip, lowered so the hip is on the ground.
        canvas.Translate(0f, hip.Y - (_bodyY + (_halfHeight * 0.45f)));
        canvas.RotateRadians(-0.5f, hip.X, _bodyY + (_halfHeight * 0.45f));
        var shoulderLocal = new SKPoint(_halfLength * 0.6f, _bodyY + (_halfHeight * 0.4f));
        var matrix = SKMatrix.CreateTranslation(0f, hip.Y - (_bodyY + (_halfHeight * 0.45f)))
            .PreConcat(SKMatrix.CreateRotation(-0.5f, hip.X, _bodyY + (_halfHeight * 0.45f)));
        DrawTail(canvas, fill, stroke, 0.6f);
        DrawBody(canvas, fill, stroke, 0f);
        canvas.Restore();

        // The shoulder where the tilt put it; the forelegs reach from there to the ground.
        var shoulder = matrix.MapPoint(shoulderLocal);
        var reach = -shoulder.Y;
        Limb(canvas, stroke, shoulder, 0.05f, reach * 0.5f, 0.05f, reach * 0.5f, width, Shade(_legColor));
        Oval(canvas, fill, hip.X + 0.02f, -_halfHeight * 0.75f, _halfLength * 0.4f, _halfHeight * 0.8f, _body);
        Oval(canvas, fill, hip.X + 0.1f, -0.02f, width * 1.3f, width * 0.45f, _legColor);
        Limb(canvas, stroke, new SKPoint(shoulder.X + 0.02f, shoulder.Y), -0.02f, reach * 0.5f, -0.02f, reach * 0.5f, width, _legColor);
    }
}
