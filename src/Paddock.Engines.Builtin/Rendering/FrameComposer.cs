using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Draws frame N of a storyboard: the shot (or the two shots of a cross-fade) with its camera
/// move, over the backdrop wherever a reference leaves the frame uncovered. Opaque images go
/// through <see cref="ImageBlit"/>; Skia draws the rest (shadows, shapes, transparent images).
/// Everything costly is prepared in the constructor; <see cref="Compose"/> allocates nothing.
/// </summary>
internal sealed class FrameComposer : IDisposable
{
    private static readonly SKSamplingOptions Linear = new(SKFilterMode.Linear);

    private readonly Storyboard _board;
    private readonly IReadOnlyList<CastMember> _cast;
    private readonly Backdrop? _backdrop;
    private readonly ProceduralSet? _set;
    private readonly SKPaint _blended = new() { IsAntialias = true };
    private readonly SKPaint _shadow = new();
    private readonly SKPaint _layer = new();
    private readonly SKRect _frame;
    private readonly ImageBlit _blit;

    public FrameComposer(Storyboard board, IReadOnlyList<CastMember> cast)
    {
        _board = board;
        _cast = cast;
        _frame = new SKRect(0, 0, board.Width, board.Height);
        if (board.Shots.Any(shot => shot.CastSlot < 0))
        {
            _set = new ProceduralSet(board);
        }

        if (board.Shots.Any(shot => shot.CastSlot >= 0))
        {
            _backdrop = new Backdrop(board);
        }

        var widest = Math.Max(cast.Select(member => member.Image.Width).DefaultIfEmpty(0).Max(), _set?.PlatePixels.Width ?? 0);
        _blit = new ImageBlit(board.Width, board.Height, Math.Max(widest, board.Width));
    }

    public void Compose(FrameBuffer buffer, int frame)
    {
        var seconds = frame / (float)_board.FramesPerSecond;
        var shots = _board.Shots;
        var current = _board.ShotIndexAt(frame);
        var half = _board.FadeFrames / 2;

        if (half > 0 && current > 0 && frame < shots[current].StartFrame + half)
        {
            DrawCrossFade(buffer, current - 1, current, FadeAmount(frame, shots[current].StartFrame), frame, seconds);
        }
        else if (half > 0 && current < shots.Count - 1 && frame >= shots[current].EndFrame - half)
        {
            DrawCrossFade(buffer, current, current + 1, FadeAmount(frame, shots[current].EndFrame), frame, seconds);
        }
        else
        {
            var placement = Place(current, frame);
            if (!placement.CoversFrame)
            {
                DrawBackdrop(buffer, seconds);
            }

            DrawShot(buffer, placement, seconds, 1f);
        }
    }

    public void Dispose()
    {
        _backdrop?.Dispose();
        _set?.Dispose();
        _blended.Dispose();
        _shadow.Dispose();
        _layer.Dispose();
    }

    private void DrawCrossFade(FrameBuffer buffer, int outgoingShot, int incomingShot, float mix, int frame, float seconds)
    {
        var outgoing = Place(outgoingShot, frame);
        var incoming = Place(incomingShot, frame);
        if (!outgoing.CoversFrame || !incoming.CoversFrame)
        {
            DrawBackdrop(buffer, seconds);
        }

        // Under an incoming shot that fills the frame, the outgoing one stays opaque: a true dissolve.
        // Otherwise it fades out too, or it would vanish at once when the fade ends.
        DrawShot(buffer, outgoing, seconds, incoming.CoversFrame ? 1f : 1f - mix);
        DrawShot(buffer, incoming, seconds, mix);
    }

    private float FadeAmount(int frame, int boundary)
    {
        var start = boundary - (_board.FadeFrames / 2);
        return Easing.SmoothStep((frame + 0.5f - start) / _board.FadeFrames);
    }

    private void DrawBackdrop(FrameBuffer buffer, float seconds)
    {
        if (_backdrop is not null)
        {
            _backdrop.Draw(buffer, _blit, seconds);
        }
        else
        {
            buffer.Canvas.Clear(SKColors.Black);
        }
    }

    /// <summary>Where a shot's content is on screen at this frame: the Ken Burns move applied to its framing.</summary>
    private Placement Place(int shotIndex, int frame)
    {
        var shot = _board.Shots[shotIndex];
        var half = _board.FadeFrames / 2;
        // The move spans everything the shot is visible for, fades included, so it never stops mid-fade.
        var visibleFrom = Math.Max(0, shot.StartFrame - half);
        var visibleTo = Math.Min(_board.FrameCount, shot.EndFrame + half);
        var t = Easing.InOutSine((frame + 0.5f - visibleFrom) / Math.Max(1, visibleTo - visibleFrom));
        var zoom = Easing.Lerp(shot.Camera.ZoomFrom, shot.Camera.ZoomTo, t);
        var panX = Easing.Lerp(shot.Camera.PanFrom.X, shot.Camera.PanTo.X, t);
        var panY = Easing.Lerp(shot.Camera.PanFrom.Y, shot.Camera.PanTo.Y, t);

        CastMember? member = shot.CastSlot >= 0 ? _cast[shot.CastSlot] : null;
        var framing = member?.Framing ?? Framing.Cover;
        var (baseWidth, baseHeight) = member is null
            ? (_frame.Width, _frame.Height)
            : ReferenceDecoder.BaseSize(member.Aspect, framing, _board.Width, _board.Height);
        // A contained image zooms half as much, so it stays inside the frame with its shadow.
        var scale = framing == Framing.Cover ? zoom : 1f + ((zoom - 1f) * 0.5f);
        var width = baseWidth * scale;
        var height = baseHeight * scale;

        // Covered frames pan within the overflow (kept a hair inside it so no edge ever shows);
        // contained images drift a little around the centre.
        var (roomX, roomY) = framing == Framing.Cover
            ? (MathF.Max(0f, (width - _frame.Width) * 0.49f), MathF.Max(0f, (height - _frame.Height) * 0.49f))
            : (_frame.Width * 0.025f, _frame.Height * 0.025f);
        var centreX = (_frame.Width * 0.5f) + (panX * roomX);
        var centreY = (_frame.Height * 0.5f) + (panY * roomY);
        var rect = new SKRect(centreX - (width * 0.5f), centreY - (height * 0.5f), centreX + (width * 0.5f), centreY + (height * 0.5f));

        // Every pixel centre inside an opaque image: nothing behind it can show.
        var covers = framing == Framing.Cover && (member?.IsOpaque ?? true)
            && rect.Left <= 0.5f && rect.Top <= 0.5f && rect.Right >= _frame.Width - 0.5f && rect.Bottom >= _frame.Height - 0.5f;
        return new Placement(member, rect, scale, covers);
    }

    private void DrawShot(FrameBuffer buffer, Placement placement, float seconds, float opacity)
    {
        if (opacity <= 0f)
        {
            return;
        }

        if (placement.Member is null)
        {
            DrawSet(buffer, placement, seconds, opacity);
            return;
        }

        var canvas = buffer.Canvas;
        var member = placement.Member;
        if (member.Shadow is { } shadow)
        {
            // Clipped to outside the image: the shadow's inside would be painted over anyway.
            _shadow.Color = SKColors.Black.WithAlpha(Alpha(0.55f * opacity));
            canvas.Save();
            var inner = placement.Rect;
            inner.Inflate(-1f, -1f);
            canvas.ClipRect(inner, SKClipOperation.Difference);
            canvas.DrawImage(shadow.Image, shadow.Around(placement.Rect, _frame.Height * 0.012f), Linear, _shadow);
            canvas.Restore();
        }

        if (member.IsOpaque)
        {
            _blit.Draw(member.Pixels, buffer.Pixels, placement.Rect, opacity);
        }
        else
        {
            // Transparency needs source-over compositing, which the blit does not do.
            _blended.Color = SKColors.Black.WithAlpha(Alpha(opacity));
            canvas.DrawImage(member.Image, new SKRect(0, 0, member.Image.Width, member.Image.Height), placement.Rect, Linear, _blended);
        }
    }

    private void DrawSet(FrameBuffer buffer, Placement placement, float seconds, float opacity)
    {
        var canvas = buffer.Canvas;
        var opaque = opacity >= 1f && placement.CoversFrame;
        if (opaque)
        {
            _blit.Draw(_set!.PlatePixels, buffer.Pixels, placement.Rect);
            canvas.Save();
        }
        else
        {
            _layer.Color = SKColors.Black.WithAlpha(Alpha(opacity));
            canvas.SaveLayer(_layer);
        }

        // The set is drawn under the camera matrix: world units are frame pixels at zoom 1.
        canvas.Translate(placement.Rect.Left, placement.Rect.Top);
        canvas.Scale(placement.Zoom);
        if (!opaque)
        {
            _set!.DrawPlate(canvas);
        }

        _set!.DrawLife(canvas, seconds);
        canvas.Restore();
    }

    private static byte Alpha(float opacity) => (byte)MathF.Round(255f * Easing.Clamp01(opacity));

    private readonly record struct Placement(CastMember? Member, SKRect Rect, float Zoom, bool CoversFrame);
}
