using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>
/// A car in profile (body, cabin with windows, lights, two wheels) or, "tall", a truck or a bus (a
/// cab in front of a box on three wheels). Moving, its wheels turn: the hub's spokes go round.
/// </summary>
internal sealed class Vehicle : Figure
{
    private const float WheelRadius = 0.19f;

    private readonly float _halfLength;
    private readonly bool _tall;
    private readonly SKColor _body;
    private readonly SKColor _window;
    private readonly SKColor _wheel;
    private readonly SKColor _hub;
    private readonly SKColor _light;

    public Vehicle(Traits traits)
        : base(traits)
    {
        _halfLength = traits.Number("length", 2.3f) * 0.5f;
        _tall = traits.Flag("tall");
        _body = traits.Color("body", new SKColor(216, 72, 58));
        _window = traits.Color("window", new SKColor(160, 208, 236));
        _wheel = traits.Color("wheel", new SKColor(31, 31, 36));
        _hub = traits.Color("hub", new SKColor(200, 206, 216));
        _light = traits.Color("light", new SKColor(255, 242, 176));
    }

    public override SKRect Box => new(-_halfLength, -1f, _halfLength, 0f);

    public override float Reach => 0.1f;

    public override ActionKind Adapt(ActionKind kind) => kind switch
    {
        ActionKind.Roll or ActionKind.Fly or ActionKind.Float => ActionKind.Run,
        _ => kind,
    };

    public override Gait Drawn(Gait gait) => gait is Gait.Stand or Gait.Sit or Gait.Wave or Gait.Dance ? Gait.Stand : Gait.Walk;

    public override int Frames(Gait gait) => gait == Gait.Walk ? 6 : 1;

    /// <summary>A spoke period is a fifth of a turn: the wheels turn five of them per stride of the motion's cycle.</summary>
    public override float CycleRate(Gait gait) => 4f;

    public override void Draw(SKCanvas canvas, Gait gait, float cycle)
    {
        using var fill = Fill();
        var l = _halfLength;
        if (_tall)
        {
            fill.Color = Light(_body, 0.25f);
            canvas.DrawRoundRect(-l, -1f, l * 1.3f, 0.8f, 0.04f, 0.04f, fill);
            fill.Color = _body;
            canvas.DrawRoundRect(l * 0.36f, -0.86f, l * 0.64f, 0.66f, 0.08f, 0.08f, fill);
            fill.Color = _window;
            canvas.DrawRoundRect(l * 0.55f, -0.78f, l * 0.38f, 0.24f, 0.04f, 0.04f, fill);
            fill.Color = Shade(_body, 0.25f);
            canvas.DrawRect(-l, -0.3f, l * 2f, 0.08f, fill);
            DrawLights(canvas, fill, l, -0.38f);
            foreach (var x in new[] { -l * 0.7f, -l * 0.35f, l * 0.68f })
            {
                DrawWheel(canvas, fill, x, cycle);
            }

            return;
        }

        // Cabin with a slanted windscreen, then the body over it.
        Polygon(canvas, fill, _body, new SKPoint(-l * 0.62f, -0.56f), new SKPoint(-l * 0.5f, -0.98f), new SKPoint(l * 0.18f, -0.98f), new SKPoint(l * 0.5f, -0.56f));
        Polygon(canvas, fill, _window, new SKPoint(-l * 0.5f, -0.6f), new SKPoint(-l * 0.42f, -0.9f), new SKPoint(-l * 0.08f, -0.9f), new SKPoint(-l * 0.08f, -0.6f));
        Polygon(canvas, fill, _window, new SKPoint(-l * 0.01f, -0.6f), new SKPoint(-l * 0.01f, -0.9f), new SKPoint(l * 0.14f, -0.9f), new SKPoint(l * 0.38f, -0.6f));
        fill.Color = _body;
        canvas.DrawRoundRect(-l, -0.62f, l * 2f, 0.44f, 0.12f, 0.12f, fill);
        fill.Color = Shade(_body, 0.2f);
        canvas.DrawRect(-l * 0.9f, -0.36f, l * 1.8f, 0.03f, fill);
        DrawLights(canvas, fill, l, -0.5f);
        DrawWheel(canvas, fill, -l * 0.62f, cycle);
        DrawWheel(canvas, fill, l * 0.62f, cycle);
    }

    private void DrawLights(SKCanvas canvas, SKPaint fill, float l, float y)
    {
        fill.Color = _light;
        canvas.DrawRoundRect(l - 0.09f, y, 0.08f, 0.07f, 0.02f, 0.02f, fill);
        fill.Color = new SKColor(220, 50, 40);
        canvas.DrawRoundRect(-l + 0.01f, y, 0.06f, 0.07f, 0.02f, 0.02f, fill);
    }

    private void DrawWheel(SKCanvas canvas, SKPaint fill, float x, float cycle)
    {
        var centre = new SKPoint(x, -WheelRadius);
        fill.Color = _wheel;
        canvas.DrawCircle(centre, WheelRadius, fill);
        fill.Color = _hub;
        canvas.DrawCircle(centre, WheelRadius * 0.55f, fill);
        // Five spokes; a cycle turns them by one spoke.
        using var spoke = Stroke();
        spoke.Color = Shade(_hub, 0.35f);
        spoke.StrokeWidth = WheelRadius * 0.14f;
        for (var i = 0; i < 5; i++)
        {
            var angle = (MathF.Tau * (i + cycle)) / 5f;
            canvas.DrawLine(centre, new SKPoint(centre.X + (WheelRadius * 0.5f * MathF.Cos(angle)), centre.Y + (WheelRadius * 0.5f * MathF.Sin(angle))), spoke);
        }

        fill.Color = Shade(_hub, 0.4f);
        canvas.DrawCircle(centre, WheelRadius * 0.14f, fill);
    }
}
