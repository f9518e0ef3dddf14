using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>A fish in profile: body, tail fin that sweeps as it swims, fins, an eye. It keeps off the ground, swimming.</summary>
internal sealed class Fish : Figure
{
    private readonly float _halfLength;
    private readonly SKColor _body;
    private readonly SKColor _fin;
    private readonly SKColor _belly;

    public Fish(Traits traits)
        : base(traits)
    {
        _halfLength = traits.Number("length", 2f) * 0.5f;
        _body = traits.Color("body", new SKColor(240, 138, 42));
        _fin = traits.Color("fin", Shade(_body, 0.2f));
        _belly = traits.Color("belly", Light(_body, 0.6f));
    }

    public override SKRect Box => new(-_halfLength, -1f, _halfLength, 0f);

    public override float Reach => 0.2f;

    public override float Hover => 0.5f;

    /// <summary>A fish always swims: every gait is the swim cycle.</summary>
    public override ActionKind Adapt(ActionKind kind) => kind switch
    {
        ActionKind.Roll or ActionKind.Run or ActionKind.Fly => ActionKind.Walk,
        _ => kind,
    };

    public override Gait Drawn(Gait gait) => Gait.Walk;

    public override void Draw(SKCanvas canvas, Gait gait, float cycle)
    {
        using var fill = Fill();
        var l = _halfLength;
        var centre = new SKPoint(l * 0.12f, -0.5f);
        var sweep = 0.35f * Wave(cycle);

        // Tail fin about the narrow of the tail.
        var root = new SKPoint(-l * 0.62f, centre.Y);
        canvas.Save();
        canvas.RotateRadians(sweep, root.X, root.Y);
        Polygon(canvas, fill, _fin, new SKPoint(root.X + 0.05f, root.Y), new SKPoint(-l, root.Y - 0.42f), new SKPoint(-l * 0.86f, root.Y), new SKPoint(-l, root.Y + 0.42f));
        canvas.Restore();

        // Dorsal and belly fins, body, belly, gill, eye.
        Polygon(canvas, fill, _fin, new SKPoint(-l * 0.3f, centre.Y - 0.32f), new SKPoint(-l * 0.05f, centre.Y - 0.62f), new SKPoint(l * 0.28f, centre.Y - 0.34f));
        Polygon(canvas, fill, _fin, new SKPoint(-l * 0.2f, centre.Y + 0.32f), new SKPoint(-l * 0.08f, centre.Y + 0.5f), new SKPoint(l * 0.1f, centre.Y + 0.34f));
        Oval(canvas, fill, centre.X, centre.Y, l * 0.78f, 0.38f, _body);
        Oval(canvas, fill, centre.X + (l * 0.05f), centre.Y + 0.17f, l * 0.55f, 0.16f, _belly);
        canvas.Save();
        canvas.RotateRadians(-sweep * 0.6f, centre.X, centre.Y + 0.05f);
        Oval(canvas, fill, centre.X + (l * 0.12f), centre.Y + 0.08f, l * 0.16f, 0.07f, _fin, 0.4f);
        canvas.Restore();
        using var stroke = Stroke();
        stroke.Color = Shade(_body, 0.25f);
        stroke.StrokeWidth = 0.025f;
        canvas.DrawArc(new SKRect(centre.X + (l * 0.3f), centre.Y - 0.24f, centre.X + (l * 0.5f), centre.Y + 0.24f), 120f, 120f, false, stroke);
        fill.Color = SKColors.White;
        canvas.DrawCircle(centre.X + (l * 0.58f), centre.Y - 0.1f, 0.075f, fill);
        fill.Color = new SKColor(20, 20, 24);
        canvas.DrawCircle(centre.X + (l * 0.6f), centre.Y - 0.1f, 0.045f, fill);
    }
}
