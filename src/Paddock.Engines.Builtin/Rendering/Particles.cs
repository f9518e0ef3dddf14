using System.Runtime.CompilerServices;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Rain, snow, petals and the other atmospheres: a few hundred small shapes splatted straight into
/// the frame (a Skia draw call per particle costs more than its pixels). Every particle's position
/// is a closed-form function of time (start, velocity, sway, wrapped round the frame), so any frame
/// can be drawn on its own and nothing is stepped or allocated per frame. Particles sit at depths
/// around the subjects' (parallax 0.7 to 1.8): the camera moves the near ones more, and they are
/// larger and faster.
/// </summary>
internal sealed class ParticleField
{
    private readonly Swarm[] _swarms;
    private readonly int _width;
    private readonly int _height;

    public ParticleField(IReadOnlyList<AtmosphereCue> atmosphere, Look look, long seed, int shotIndex, int width, int height)
    {
        _width = width;
        _height = height;
        // More particles in a larger frame, but not proportionally: they also get larger.
        var area = Math.Clamp(width * height / (1280f * 720f), 0.35f, 2f);
        _swarms = atmosphere.Select(cue => new Swarm(cue, look, DeterministicRandom.For(seed, $"particles/{shotIndex}/{cue.Kind}"), width, height, area)).ToArray();
    }

    /// <summary>Draws every swarm at <paramref name="seconds"/> (the shot's own time) under the camera, in rows top..bottom.</summary>
    public void Draw(byte[] frame, in CameraState camera, float seconds, int top, int bottom)
    {
        foreach (var swarm in _swarms)
        {
            swarm.Draw(frame, camera, seconds, _width, _height, top, bottom);
        }
    }

    /// <summary>One kind of particle: its look, and each particle's constants.</summary>
    private sealed class Swarm
    {
        private readonly AtmosphereKind _kind;
        private readonly Shape _shape;
        private readonly bool _additive;
        private readonly float _aspect;
        private readonly float[] _x;
        private readonly float[] _y;
        private readonly float[] _vx;
        private readonly float[] _vy;
        private readonly float[] _size;
        private readonly float[] _depth;
        private readonly float[] _phase;
        private readonly float[] _spin;
        private readonly SKColor[] _color;
        private readonly float _margin;

        public Swarm(AtmosphereCue cue, Look look, DeterministicRandom random, int width, int height, float area)
        {
            _kind = cue.Kind;
            var (shape, count, additive, aspect) = Kind(cue.Kind);
            (_shape, _additive, _aspect) = (shape, additive, aspect);
            var n = Math.Clamp((int)MathF.Round(count * area * Math.Clamp(cue.Intensity, 0.3f, 2.5f)), 4, 2000);
            _x = new float[n];
            _y = new float[n];
            _vx = new float[n];
            _vy = new float[n];
            _size = new float[n];
            _depth = new float[n];
            _phase = new float[n];
            _spin = new float[n];
            _color = new SKColor[n];
            _margin = height * 0.08f;
            var wind = random.Range(-1f, 1f);
            var palette = Palette(cue.Kind);
            var h = (float)height;
            for (var i = 0; i < n; i++)
            {
                _depth[i] = random.Range(0.7f, 1.8f);
                _x[i] = random.Range(-_margin, width + _margin);
                _y[i] = random.Range(-_margin, height + _margin);
                _phase[i] = random.Range(0f, MathF.Tau);
                _spin[i] = random.Range(-1f, 1f);
                var color = look.Apply(palette[random.Next(palette.Length)]);
                var alpha = random.Range(0.55f, 1f);
                (_vx[i], _vy[i], _size[i], alpha) = cue.Kind switch
                {
                    AtmosphereKind.Rain => ((0.12f + (0.25f * wind)) * h, random.Range(1.5f, 2.2f) * h, random.Range(0.035f, 0.055f) * h, alpha * 0.55f),
                    AtmosphereKind.Snow => (0.03f * wind * h, random.Range(0.06f, 0.13f) * h, random.Range(0.006f, 0.012f) * h, alpha),
                    AtmosphereKind.Petals => ((0.04f + (0.05f * wind)) * h, random.Range(0.05f, 0.09f) * h, random.Range(0.012f, 0.019f) * h, alpha),
                    AtmosphereKind.Leaves => ((0.05f * wind) * h, random.Range(0.06f, 0.11f) * h, random.Range(0.016f, 0.026f) * h, alpha),
                    AtmosphereKind.Fireflies => (0f, 0f, random.Range(0.014f, 0.024f) * h, alpha),
                    AtmosphereKind.Dust => (0.012f * (wind + 0.3f) * h, random.Range(-0.01f, 0.01f) * h, random.Range(0.003f, 0.006f) * h, alpha * 0.45f),
                    AtmosphereKind.Sparkles => (0f, -0.012f * h, random.Range(0.018f, 0.032f) * h, alpha),
                    AtmosphereKind.Bubbles => (0.01f * wind * h, -random.Range(0.06f, 0.11f) * h, random.Range(0.012f, 0.026f) * h, alpha * 0.7f),
                    AtmosphereKind.Confetti => (0.03f * wind * h, random.Range(0.09f, 0.15f) * h, random.Range(0.01f, 0.015f) * h, alpha),
                    _ => (0.02f * wind * h, -random.Range(0.08f, 0.16f) * h, random.Range(0.006f, 0.012f) * h, alpha),
                };
                _color[i] = color.WithAlpha((byte)MathF.Round(255f * Math.Clamp(alpha, 0f, 1f)));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Draw(byte[] frame, in CameraState camera, float t, int width, int height, int top, int bottom)
        {
            var spanX = width + (2f * _margin);
            var spanY = height + (2f * _margin);
            var cx = width * 0.5f;
            var cy = height * 0.5f;
            for (var i = 0; i < _x.Length; i++)
            {
                var depth = _depth[i];
                var phase = _phase[i];
                var x = _x[i] + (_vx[i] * depth * t);
                var y = _y[i] + (_vy[i] * depth * t);
                var angle = 0f;
                var alpha = 1f;
                switch (_kind)
                {
                    case AtmosphereKind.Rain:
                        angle = MathF.Atan2(-_vx[i], _vy[i]);
                        break;
                    case AtmosphereKind.Snow or AtmosphereKind.Bubbles:
                        x += height * 0.012f * MathF.Sin((t * (0.8f + (0.5f * _spin[i]))) + phase);
                        break;
                    case AtmosphereKind.Petals or AtmosphereKind.Leaves or AtmosphereKind.Confetti:
                        x += height * 0.02f * MathF.Sin((t * 1.3f) + phase);
                        angle = phase + (t * _spin[i] * (_kind == AtmosphereKind.Confetti ? 6f : 2.2f));
                        break;
                    case AtmosphereKind.Fireflies:
                        x += height * 0.04f * MathF.Sin((t * (0.35f + (0.2f * _spin[i]))) + phase);
                        y += height * 0.03f * MathF.Sin((t * (0.5f + (0.15f * _spin[i]))) + (phase * 1.7f));
                        var pulse = 0.5f + (0.5f * MathF.Sin((t * 2.4f) + (phase * 3f)));
                        alpha = 0.2f + (0.8f * pulse * pulse);
                        break;
                    case AtmosphereKind.Sparkles:
                        var twinkle = MathF.Max(0f, MathF.Sin((t * (2f + _spin[i])) + phase));
                        alpha = twinkle * twinkle * twinkle;
                        break;
                    case AtmosphereKind.Embers:
                        x += height * 0.015f * MathF.Sin((t * 2.1f) + phase);
                        alpha = 0.55f + (0.45f * MathF.Sin((t * 7f) + phase));
                        break;
                }

                var color = _color[i];
                if (alpha < 1f)
                {
                    color = color.WithAlpha((byte)(color.Alpha * Math.Clamp(alpha, 0f, 1f)));
                }

                if (color.Alpha == 0)
                {
                    continue;
                }

                // The camera: nearer particles move more with it, then everything wraps round the frame.
                var offset = camera.Offset(depth);
                x = Wrap(x - offset.X + _margin, spanX) - _margin;
                y = Wrap(y - offset.Y + _margin, spanY) - _margin;
                var scale = camera.Scale(depth);
                var sx = cx + ((x - cx) * scale);
                var sy = cy + ((y - cy) * scale);
                var size = _size[i] * depth * scale;
                switch (_shape)
                {
                    case Shape.Streak:
                        // Along the fall: from the tail (transparent) to the head.
                        var (dx, dy) = (-MathF.Sin(angle), MathF.Cos(angle));
                        Splats.Streak(frame, width, height, top, bottom, sx - (dx * size * 0.5f), sy - (dy * size * 0.5f), dx * size, dy * size, MathF.Max(1f, size * 0.022f), color, _additive);
                        break;
                    case Shape.Star:
                        Splats.Glint(frame, width, height, top, bottom, sx, sy, size * 0.5f, color);
                        break;
                    case Shape.Dot or Shape.Glow:
                        Splats.Disc(frame, width, height, top, bottom, sx, sy, MathF.Max(0.8f, size * 0.5f), color, _additive, _shape == Shape.Glow);
                        break;
                    default:
                        Splats.Shape(frame, width, height, top, bottom, sx, sy, size * 0.5f, size * 0.5f * _aspect, angle, _shape == Shape.Ring ? Splats.Outline.Ring : _shape == Shape.Box ? Splats.Outline.Box : Splats.Outline.Ellipse, color);
                        break;
                }
            }
        }

        private static float Wrap(float value, float span)
        {
            var wrapped = value % span;
            return wrapped < 0f ? wrapped + span : wrapped;
        }

        private static (Shape Shape, int Count, bool Additive, float Aspect) Kind(AtmosphereKind kind) => kind switch
        {
            AtmosphereKind.Rain => (Shape.Streak, 260, false, 1f),
            AtmosphereKind.Snow => (Shape.Dot, 200, false, 1f),
            AtmosphereKind.Petals => (Shape.Ellipse, 60, false, 0.6f),
            AtmosphereKind.Leaves => (Shape.Ellipse, 40, false, 0.45f),
            AtmosphereKind.Fireflies => (Shape.Glow, 40, true, 1f),
            AtmosphereKind.Dust => (Shape.Dot, 110, true, 1f),
            AtmosphereKind.Sparkles => (Shape.Star, 45, true, 1f),
            AtmosphereKind.Bubbles => (Shape.Ring, 40, false, 1f),
            AtmosphereKind.Confetti => (Shape.Box, 80, false, 0.55f),
            _ => (Shape.Glow, 60, true, 1f),
        };

        private static SKColor[] Palette(AtmosphereKind kind) => kind switch
        {
            AtmosphereKind.Rain => [new SKColor(206, 218, 236)],
            AtmosphereKind.Snow => [SKColors.White, new SKColor(236, 242, 255)],
            AtmosphereKind.Petals => [new SKColor(255, 183, 197), new SKColor(255, 205, 215), new SKColor(250, 160, 185)],
            AtmosphereKind.Leaves => [new SKColor(214, 110, 40), new SKColor(190, 60, 30), new SKColor(230, 170, 50), new SKColor(150, 100, 40)],
            AtmosphereKind.Fireflies => [new SKColor(220, 255, 120), new SKColor(255, 240, 140)],
            AtmosphereKind.Dust => [new SKColor(255, 240, 210)],
            AtmosphereKind.Sparkles => [SKColors.White, new SKColor(255, 230, 160), new SKColor(200, 230, 255)],
            AtmosphereKind.Bubbles => [new SKColor(220, 240, 255), new SKColor(240, 220, 255)],
            AtmosphereKind.Confetti => [new SKColor(240, 70, 90), new SKColor(60, 160, 240), new SKColor(250, 210, 60), new SKColor(80, 200, 120), new SKColor(190, 90, 220)],
            _ => [new SKColor(255, 150, 50), new SKColor(255, 110, 30), new SKColor(255, 200, 90)],
        };
    }

    private enum Shape
    {
        Dot,
        Streak,
        Ellipse,
        Star,
        Ring,
        Box,
        Glow,
    }
}

/// <summary>
/// Small shapes drawn straight into the frame, anti-aliased by their distance to the edge: soft
/// discs and glows, rain streaks, glints, rotated ellipses, boxes and rings (petals, leaves,
/// confetti, bubbles), and the subjects' contact shadows. Blended over, or added for light.
/// </summary>
internal static unsafe class Splats
{
    /// <summary>Opacity by squared distance from the centre (0..1 of the radius²): a soft dot, or a glow with a long tail.</summary>
    private static readonly float[] Soft = Profile(glow: false);
    private static readonly float[] Glowing = Profile(glow: true);

    internal enum Outline
    {
        Ellipse,
        Box,
        Ring,
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Disc(byte[] frame, int width, int height, int top, int bottom, float cx, float cy, float radius, SKColor color, bool additive, bool glow)
    {
        var left = Math.Max(0, (int)MathF.Floor(cx - radius));
        var right = Math.Min(width, (int)MathF.Ceiling(cx + radius));
        var from = Math.Max(Math.Max(0, top), (int)MathF.Floor(cy - radius));
        var to = Math.Min(Math.Min(height, bottom), (int)MathF.Ceiling(cy + radius));
        if (left >= right || from >= to)
        {
            return;
        }

        var profile = glow ? Glowing : Soft;
        var inverse = 1f / (radius * radius);
        var scale = profile.Length - 1;
        fixed (byte* bytes = frame)
        {
            var pixels = (uint*)bytes;
            for (var y = from; y < to; y++)
            {
                var ry = y + 0.5f - cy;
                var row = pixels + ((nint)y * width);
                for (var x = left; x < right; x++)
                {
                    var rx = x + 0.5f - cx;
                    var d = ((rx * rx) + (ry * ry)) * inverse;
                    if (d >= 1f)
                    {
                        continue;
                    }

                    row[x] = Blend(row[x], color, profile[(int)(d * scale)], additive);
                }
            }
        }
    }

    /// <summary>A soft-edged ellipse, blended over: a contact shadow on the ground.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Shadow(byte[] frame, int width, int height, int top, int bottom, float cx, float cy, float rx, float ry, float opacity)
    {
        var left = Math.Max(0, (int)MathF.Floor(cx - rx));
        var right = Math.Min(width, (int)MathF.Ceiling(cx + rx));
        var from = Math.Max(Math.Max(0, top), (int)MathF.Floor(cy - ry));
        var to = Math.Min(Math.Min(height, bottom), (int)MathF.Ceiling(cy + ry));
        if (left >= right || from >= to || opacity <= 0f || rx < 0.5f || ry < 0.5f)
        {
            return;
        }

        var shade = SKColors.Black.WithAlpha((byte)(255f * Math.Clamp(opacity, 0f, 1f)));
        var scale = Soft.Length - 1;
        fixed (byte* bytes = frame)
        {
            var pixels = (uint*)bytes;
            for (var y = from; y < to; y++)
            {
                var ny = (y + 0.5f - cy) / ry;
                var row = pixels + ((nint)y * width);
                for (var x = left; x < right; x++)
                {
                    var nx = (x + 0.5f - cx) / rx;
                    var d = (nx * nx) + (ny * ny);
                    if (d < 1f)
                    {
                        // The shadow is densest under the subject and fades out to its rim.
                        row[x] = Blend(row[x], shade, Soft[(int)(d * scale)] * (1f - (0.5f * d)), additive: false);
                    }
                }
            }
        }
    }

    /// <summary>
    /// A rotated ellipse, box or ring with half-sizes <paramref name="rx"/> × <paramref name="ry"/>,
    /// its edge anti-aliased over about a pixel: petals, leaves, confetti, bubbles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Shape(byte[] frame, int width, int height, int top, int bottom, float cx, float cy, float rx, float ry, float angle, Outline outline, SKColor color)
    {
        rx = MathF.Max(rx, 0.6f);
        ry = MathF.Max(ry, 0.6f);
        var reach = MathF.Max(rx, ry) + 1f;
        var left = Math.Max(0, (int)MathF.Floor(cx - reach));
        var right = Math.Min(width, (int)MathF.Ceiling(cx + reach));
        var from = Math.Max(Math.Max(0, top), (int)MathF.Floor(cy - reach));
        var to = Math.Min(Math.Min(height, bottom), (int)MathF.Ceiling(cy + reach));
        if (left >= right || from >= to)
        {
            return;
        }

        var (sin, cos) = MathF.SinCos(angle);
        var small = MathF.Min(rx, ry);
        fixed (byte* bytes = frame)
        {
            var pixels = (uint*)bytes;
            for (var y = from; y < to; y++)
            {
                var dy = y + 0.5f - cy;
                var row = pixels + ((nint)y * width);
                for (var x = left; x < right; x++)
                {
                    var dx = x + 0.5f - cx;
                    var u = ((dx * cos) + (dy * sin)) / rx;
                    var v = ((dy * cos) - (dx * sin)) / ry;
                    // Distance inside the edge, in pixels (approximately, for an ellipse).
                    var inside = outline switch
                    {
                        Outline.Box => MathF.Min((1f - MathF.Abs(u)) * rx, (1f - MathF.Abs(v)) * ry),
                        Outline.Ring => (0.22f * small) - MathF.Abs((1f - MathF.Sqrt((u * u) + (v * v))) * small),
                        _ => (1f - MathF.Sqrt((u * u) + (v * v))) * small,
                    };
                    var coverage = inside + 0.5f;
                    if (coverage > 0f)
                    {
                        row[x] = Blend(row[x], color, MathF.Min(1f, coverage), additive: false);
                    }
                }
            }
        }
    }

    /// <summary>A thin line from (x, y) along (dx, dy), mostly downwards, fading in from its start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Streak(byte[] frame, int width, int height, int top, int bottom, float x, float y, float dx, float dy, float thickness, SKColor color, bool additive)
    {
        if (dy < 1f)
        {
            return;
        }

        var from = Math.Max(Math.Max(0, top), (int)MathF.Floor(y));
        var to = Math.Min(Math.Min(height, bottom), (int)MathF.Ceiling(y + dy));
        var slope = dx / dy;
        var half = thickness * 0.5f;
        fixed (byte* bytes = frame)
        {
            var pixels = (uint*)bytes;
            for (var row = from; row < to; row++)
            {
                var t = (row + 0.5f - y) / dy;
                if (t is < 0f or > 1f)
                {
                    continue;
                }

                var centre = x + (slope * (row + 0.5f - y));
                var strength = t * t;
                var left = (int)MathF.Floor(centre - half);
                var right = (int)MathF.Ceiling(centre + half);
                var line = pixels + ((nint)row * width);
                for (var column = Math.Max(0, left); column < Math.Min(width, right); column++)
                {
                    // How much of this pixel's width the line covers.
                    var cover = MathF.Min(column + 1f, centre + half) - MathF.Max(column, centre - half);
                    if (cover > 0f)
                    {
                        line[column] = Blend(line[column], color, strength * MathF.Min(1f, cover), additive);
                    }
                }
            }
        }
    }

    /// <summary>A twinkle: a small glow with a thin cross of light through it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Glint(byte[] frame, int width, int height, int top, int bottom, float cx, float cy, float radius, SKColor color)
    {
        Disc(frame, width, height, top, bottom, cx, cy, MathF.Max(1f, radius * 0.4f), color, additive: true, glow: true);
        var reach = (int)MathF.Ceiling(radius);
        var x = (int)MathF.Floor(cx);
        var y = (int)MathF.Floor(cy);
        fixed (byte* bytes = frame)
        {
            var pixels = (uint*)bytes;
            for (var k = -reach; k <= reach; k++)
            {
                var fade = 1f - (MathF.Abs(k) / (reach + 1f));
                var strength = fade * fade * 0.9f;
                if (x + k >= 0 && x + k < width && y >= Math.Max(0, top) && y < Math.Min(height, bottom) && k != 0)
                {
                    pixels[((nint)y * width) + x + k] = Blend(pixels[((nint)y * width) + x + k], color, strength, additive: true);
                }

                if (y + k >= Math.Max(0, top) && y + k < Math.Min(height, bottom) && x >= 0 && x < width && k != 0)
                {
                    pixels[((nint)(y + k) * width) + x] = Blend(pixels[((nint)(y + k) * width) + x], color, strength, additive: true);
                }
            }
        }
    }

    private static uint Blend(uint target, SKColor color, float amount, bool additive)
    {
        // The colour's own alpha times the coverage, as a 0..255 weight.
        var alpha = (uint)((color.Alpha * amount) + 0.5f);
        if (alpha == 0)
        {
            return target;
        }

        var r = (color.Red * alpha) / 255;
        var g = (color.Green * alpha) / 255;
        var b = (color.Blue * alpha) / 255;
        var tb = target & 0xFF;
        var tg = (target >> 8) & 0xFF;
        var tr = (target >> 16) & 0xFF;
        if (additive)
        {
            tb = Math.Min(255u, tb + b);
            tg = Math.Min(255u, tg + g);
            tr = Math.Min(255u, tr + r);
        }
        else
        {
            var keep = 255 - alpha;
            tb = b + ((tb * keep) / 255);
            tg = g + ((tg * keep) / 255);
            tr = r + ((tr * keep) / 255);
        }

        return tb | (tg << 8) | (tr << 16) | 0xFF000000u;
    }

    private static float[] Profile(bool glow)
    {
        var values = new float[64];
        for (var i = 0; i < values.Length; i++)
        {
            var d = MathF.Sqrt(i / (float)(values.Length - 1));
            values[i] = glow
                ? MathF.Pow(1f - d, 2.2f)
                : d < 0.45f ? 1f : 1f - ((d - 0.45f) / 0.55f * ((d - 0.45f) / 0.55f) * (3f - (2f * (d - 0.45f) / 0.55f)));
        }

        return values;
    }
}
