using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering.Figures;

/// <summary>
/// A figure baked for one shot's look: each gait its actions need drawn once as a cycle of poses
/// (eight strides of a walk, a wingbeat...), graded like every other subject and cropped to what each
/// pose covers. Drawing a frame then only picks a pose and blits it, as for a cut-out: nothing is
/// painted per frame. Every pose's <see cref="Sprite.Content"/> is the same standing box, so the
/// feet stay where the motion puts them whatever the legs do.
/// </summary>
internal sealed class FigurePoses : IDisposable
{
    private readonly Figure _figure;
    private readonly Dictionary<Gait, Sprite[]> _cycles = [];

    public FigurePoses(Figure figure, IEnumerable<Gait> gaits, Look look, float fog, SKColor haze, float height)
    {
        _figure = figure;
        try
        {
            foreach (var drawn in gaits.Append(Gait.Stand).Select(figure.Drawn).Distinct())
            {
                var frames = Math.Max(1, figure.Frames(drawn));
                _cycles[drawn] = Enumerable.Range(0, frames).Select(i => Bake(figure, drawn, i / (float)frames, look, fog, haze, height)).ToArray();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The pose to show for what the motion says at this instant.</summary>
    public Sprite At(Gait gait, float cycle)
    {
        var drawn = _figure.Drawn(gait);
        if (!_cycles.TryGetValue(drawn, out var frames))
        {
            frames = _cycles[_figure.Drawn(Gait.Stand)];
        }

        var turns = cycle * _figure.CycleRate(drawn);
        var index = (int)((turns - MathF.Floor(turns)) * frames.Length);
        return frames[Math.Clamp(index, 0, frames.Length - 1)];
    }

    public void Dispose()
    {
        foreach (var sprite in _cycles.Values.SelectMany(frames => frames).OfType<Sprite>())
        {
            sprite.Dispose();
        }

        _cycles.Clear();
    }

    /// <summary>One pose, <paramref name="height"/> pixels for the standing box, on a canvas with room for the figure's reach.</summary>
    private static Sprite Bake(Figure figure, Gait gait, float cycle, Look look, float fog, SKColor haze, float height)
    {
        var box = figure.Box;
        var scale = height / box.Height;
        var reach = figure.Reach * box.Height;
        var width = (int)MathF.Ceiling(((box.Width + (2f * reach)) * scale) + (2 * Sprite.Padding));
        var rows = (int)MathF.Ceiling(((box.Height + (1.6f * reach)) * scale) + (2 * Sprite.Padding));
        using var surface = SKSurface.Create(new SKImageInfo(width, rows, SKColorType.Bgra8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Skia could not create a {width}x{rows} surface.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        // Figure units to pixels: the box's left edge after the reach, its top after the reach (arms and wings go up).
        var originX = Sprite.Padding + ((reach - box.Left) * scale);
        var originY = Sprite.Padding + ((reach * 1.2f - box.Top) * scale);
        canvas.Save();
        canvas.Translate(originX, originY);
        canvas.Scale(scale);
        figure.Draw(canvas, gait, cycle);
        canvas.Restore();
        ColorGrade.Apply(surface, look.ForSubject().Matrix(fog, haze));

        var content = new SKRect(originX + (box.Left * scale), originY + (box.Top * scale), originX + (box.Right * scale), originY + (box.Bottom * scale));
        var used = Used(surface, width, rows);
        if (used.IsEmpty)
        {
            return new Sprite(surface.Snapshot(), content);
        }

        // Cropped to what the pose covers, keeping the transparent padding the blit relies on.
        used.Inflate(Sprite.Padding, Sprite.Padding);
        used.Intersect(new SKRectI(0, 0, width, rows));
        content.Offset(-used.Left, -used.Top);
        return new Sprite(surface.Snapshot(used), content);
    }

    /// <summary>The box of the pixels the pose painted.</summary>
    private static unsafe SKRectI Used(SKSurface surface, int width, int rows)
    {
        using var pixmap = surface.PeekPixels();
        int left = width, top = rows, right = -1, bottom = -1;
        for (var y = 0; y < rows; y++)
        {
            var row = (uint*)(pixmap.GetPixels() + ((nint)y * pixmap.RowBytes));
            for (var x = 0; x < width; x++)
            {
                if (row[x] != 0)
                {
                    (left, right, top, bottom) = (Math.Min(left, x), Math.Max(right, x), Math.Min(top, y), Math.Max(bottom, y));
                }
            }
        }

        return right < 0 ? SKRectI.Empty : new SKRectI(left, top, right + 1, bottom + 1);
    }
}
