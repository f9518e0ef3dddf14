using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>
/// A ball (stripes, football panels, basketball seams, dots) or, with "string", a balloon on its
/// string. One pose: a ball rolls and bounces by turning and moving as a whole.
/// </summary>
internal sealed class Ball : Figure
{
    private readonly bool _balloon;
    private readonly SKColor _base;
    private readonly SKColor _pattern;
    private readonly string _kind;

    public Ball(Traits traits)
        : base(traits)
    {
        _balloon = traits.Flag("string");
        _base = traits.Color("base", new SKColor(232, 70, 58));
        _pattern = traits.Color("pattern", SKColors.White);
        _kind = traits.Word("pattern", "stripes");
    }

    public override SKRect Box => _balloon ? new SKRect(-0.3f, -1f, 0.3f, 0f) : new SKRect(-0.5f, -1f, 0.5f, 0f);

    public override float Reach => 0.1f;

    /// <summary>A balloon floats, its string hanging down.</summary>
    public override float Hover => _balloon ? 0.4f : 0f;

    /// <summary>A balloon drifts rather than rolls.</summary>
    public override ActionKind Adapt(ActionKind kind) => _balloon && kind is ActionKind.Roll or ActionKind.Run or ActionKind.Walk or ActionKind.Bounce ? ActionKind.Float : kind;

    public override Gait Drawn(Gait gait) => Gait.Stand;

    public override void Draw(SKCanvas canvas, Gait gait, float cycle)
    {
        using var fill = Fill();
        using var stroke = Stroke();
        if (_balloon)
        {
            stroke.Color = new SKColor(90, 90, 96);
            stroke.StrokeWidth = 0.012f;
            using (var builder = new SKPathBuilder())
            {
                builder.MoveTo(0f, -0.4f);
                builder.CubicTo(0.05f, -0.28f, -0.05f, -0.14f, 0.02f, 0f);
                using var path = builder.Detach();
                canvas.DrawPath(path, stroke);
            }

            Polygon(canvas, fill, Shade(_base, 0.15f), new SKPoint(-0.035f, -0.38f), new SKPoint(0.035f, -0.38f), new SKPoint(0f, -0.43f));
            Oval(canvas, fill, 0f, -0.7f, 0.28f, 0.3f, _base);
            Oval(canvas, fill, -0.1f, -0.82f, 0.05f, 0.08f, Light(_base, 0.6f), 0.5f);
            return;
        }

        var centre = new SKPoint(0f, -0.5f);
        Oval(canvas, fill, centre.X, centre.Y, 0.5f, 0.5f, _base);
        canvas.Save();
        using (var builder = new SKPathBuilder())
        {
            builder.AddOval(new SKRect(-0.5f, -1f, 0.5f, 0f));
            using var clip = builder.Detach();
            canvas.ClipPath(clip, antialias: true);
        }

        switch (_kind)
        {
            case "panels":
                // A football: a dark pentagon in the middle and parts of its neighbours at the rim.
                Polygon(canvas, fill, _pattern, Pentagon(centre, 0.15f, 0f));
                for (var i = 0; i < 5; i++)
                {
                    var angle = (MathF.Tau * i / 5f) - (MathF.PI / 2f);
                    Polygon(canvas, fill, _pattern, Pentagon(new SKPoint(centre.X + (0.46f * MathF.Cos(angle + (MathF.PI / 5f))), centre.Y + (0.46f * MathF.Sin(angle + (MathF.PI / 5f)))), 0.14f, MathF.PI / 5f));
                }

                break;
            case "seams":
                stroke.Color = _pattern;
                stroke.StrokeWidth = 0.03f;
                canvas.DrawLine(centre.X, centre.Y - 0.5f, centre.X, centre.Y + 0.5f, stroke);
                canvas.DrawLine(centre.X - 0.5f, centre.Y, centre.X + 0.5f, centre.Y, stroke);
                canvas.DrawArc(new SKRect(-0.75f, -0.85f, -0.05f, -0.15f), -50f, 100f, false, stroke);
                canvas.DrawArc(new SKRect(0.05f, -0.85f, 0.75f, -0.15f), 130f, 100f, false, stroke);
                break;
            case "dots":
                fill.Color = _pattern;
                foreach (var (x, y) in new[] { (0f, 0f), (0.28f, -0.18f), (-0.26f, 0.2f), (-0.2f, -0.3f), (0.22f, 0.3f) })
                {
                    canvas.DrawCircle(centre.X + x, centre.Y + y, 0.08f, fill);
                }

                break;
            default:
                // Beach-ball bands: curved stripes from pole to pole.
                fill.Color = _pattern;
                canvas.DrawOval(centre.X, centre.Y, 0.17f, 0.5f, fill);
                fill.Color = Light(_pattern, 0.1f);
                canvas.DrawOval(centre.X - 0.5f, centre.Y, 0.12f, 0.5f, fill);
                canvas.DrawOval(centre.X + 0.5f, centre.Y, 0.12f, 0.5f, fill);
                break;
        }

        canvas.Restore();
        Oval(canvas, fill, -0.17f, -0.72f, 0.1f, 0.06f, SKColors.White.WithAlpha(120), -0.6f);
    }

    private static SKPoint[] Pentagon(SKPoint centre, float radius, float turn) =>
        Enumerable.Range(0, 5).Select(i =>
        {
            var angle = turn + (MathF.Tau * i / 5f) - (MathF.PI / 2f);
            return new SKPoint(centre.X + (radius * MathF.Cos(angle)), centre.Y + (radius * MathF.Sin(angle)));
        }).ToArray();
}
