using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Rain, snow, petals and the other atmospheres: a few hundred small sprites from one atlas, drawn
/// with a single <c>DrawAtlas</c> call per kind. Every particle's position is a closed-form function
/// of time (start, velocity, sway, wrapped around the frame), so any frame can be drawn on its own
/// and nothing is stepped or allocated per frame. Particles sit at depths around the subjects'
/// (parallax 0.7 to 1.8): the camera moves the near ones more, and they are larger and faster.
/// </summary>
internal sealed class ParticleField : IDisposable
{
    private const int Cell = 64;

    private readonly Swarm[] _swarms;
    private readonly SKPaint _normal = new() { IsAntialias = false };
    private readonly SKPaint _additive = new() { BlendMode = SKBlendMode.Plus };
    private readonly int _width;
    private readonly int _height;

    public ParticleField(IReadOnlyList<AtmosphereCue> atmosphere, Look look, long seed, int shotIndex, int width, int height, SKImage atlas)
    {
        Atlas = atlas;
        _width = width;
        _height = height;
        // More particles in a larger frame, but not proportionally: they also get larger.
        var area = Math.Clamp(width * height / (1280f * 720f), 0.35f, 2f);
        _swarms = atmosphere.Select(cue => new Swarm(cue, look, DeterministicRandom.For(seed, $"particles/{shotIndex}/{cue.Kind}"), width, height, area)).ToArray();
    }

    public SKImage Atlas { get; }

    /// <summary>One atlas of white shapes, tinted per particle: dot, streak, petal, leaf, star, ring, confetti, glow.</summary>
    public static SKImage CreateAtlas()
    {
        using var surface = SKSurface.Create(new SKImageInfo(Cell * 8, Cell, SKColorType.Bgra8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        const float half = Cell / 2f;
        using (var shader = SKShader.CreateRadialGradient(new SKPoint(half, half), half * 0.9f, [SKColors.White, SKColors.White, SKColors.White.WithAlpha(0)], [0f, 0.45f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader })
        {
            canvas.DrawCircle(half, half, half, paint);
        }

        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 4), new SKPoint(0, Cell - 4), [SKColors.White.WithAlpha(0), SKColors.White, SKColors.White.WithAlpha(60)], [0f, 0.7f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader, IsAntialias = true })
        {
            canvas.DrawRoundRect(new SKRect(Cell + half - 1.5f, 4, Cell + half + 1.5f, Cell - 4), 1.5f, 1.5f, paint);
        }

        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using (var builder = new SKPathBuilder())
        {
            // A petal: a teardrop with a notch.
            var x = (2 * Cell) + half;
            builder.MoveTo(x, half - 16);
            builder.CubicTo(x + 18, half - 10, x + 14, half + 14, x + 2, half + 16);
            builder.LineTo(x, half + 12);
            builder.LineTo(x - 2, half + 16);
            builder.CubicTo(x - 14, half + 14, x - 18, half - 10, x, half - 16);
            builder.Close();
            using var petal = builder.Detach();
            canvas.DrawPath(petal, white);
        }

        using (var builder = new SKPathBuilder())
        {
            // A leaf: two arcs meeting at the tips, and a stem.
            var x = (3 * Cell) + half;
            builder.MoveTo(x, 6);
            builder.QuadTo(x + 24, half, x, Cell - 10);
            builder.QuadTo(x - 24, half, x, 6);
            builder.Close();
            builder.AddRect(new SKRect(x - 1, Cell - 12, x + 1, Cell - 3));
            using var leaf = builder.Detach();
            canvas.DrawPath(leaf, white);
        }

        using (var builder = new SKPathBuilder())
        {
            // A four-point glint.
            var x = (4 * Cell) + half;
            builder.MoveTo(x, 2);
            builder.QuadTo(x + 3, half - 3, Cell * 5 - 2, half);
            builder.QuadTo(x + 3, half + 3, x, Cell - 2);
            builder.QuadTo(x - 3, half + 3, (4 * Cell) + 2, half);
            builder.QuadTo(x - 3, half - 3, x, 2);
            builder.Close();
            using var star = builder.Detach();
            canvas.DrawPath(star, white);
        }

        using (var ring = new SKPaint { Color = SKColors.White.WithAlpha(200), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 3f })
        {
            canvas.DrawCircle((5 * Cell) + half, half, half - 6, ring);
            canvas.DrawCircle((5 * Cell) + half - 8, half - 8, 4, white);
        }

        canvas.DrawRect(new SKRect((6 * Cell) + 16, half - 9, (6 * Cell) + 48, half + 9), white);
        using (var shader = SKShader.CreateRadialGradient(new SKPoint((7 * Cell) + half, half), half, [SKColors.White, SKColors.White.WithAlpha(110), SKColors.White.WithAlpha(0)], [0f, 0.25f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader })
        {
            canvas.DrawCircle((7 * Cell) + half, half, half, paint);
        }

        return surface.Snapshot();
    }

    /// <summary>Draws every swarm at <paramref name="seconds"/> (the shot's own time) under the camera.</summary>
    public void Draw(FrameBuffer target, in CameraState camera, float seconds, int top, int bottom)
    {
        var sampling = new SKSamplingOptions(SKFilterMode.Linear);
        foreach (var swarm in _swarms)
        {
            swarm.Update(camera, seconds, _width, _height);
            if (swarm.Splatted)
            {
                swarm.Splat(target.Pixels, _width, top, bottom);
            }
            else
            {
                target.Canvas.DrawAtlas(Atlas, swarm.Sprites, swarm.Transforms, swarm.Colors, SKBlendMode.Modulate, sampling, swarm.Additive ? _additive : _normal);
            }
        }
    }

    public void Dispose()
    {
        _normal.Dispose();
        _additive.Dispose();
    }

    private enum Shape
    {
        Dot,
        Streak,
        Petal,
        Leaf,
        Star,
        Ring,
        Confetti,
        Glow,
    }

    /// <summary>One kind of particle: its parameters, each particle's constants, and the arrays DrawAtlas reads.</summary>
    private sealed class Swarm
    {
        private readonly AtmosphereKind _kind;
        private readonly float[] _x;
        private readonly float[] _y;
        private readonly float[] _vx;
        private readonly float[] _vy;
        private readonly float[] _size;
        private readonly float[] _depth;
        private readonly float[] _phase;
        private readonly float[] _spin;
        private readonly SKColor[] _base;
        private readonly float _margin;
        private readonly Shape _shape;
        private readonly float[] _screenX;
        private readonly float[] _screenY;
        private readonly float[] _screenSize;

        public Swarm(AtmosphereCue cue, Look look, DeterministicRandom random, int width, int height, float area)
        {
            _kind = cue.Kind;
            var (shape, count, additive) = Kind(cue.Kind);
            Additive = additive;
            _shape = shape;
            Splatted = shape is Shape.Streak or Shape.Dot or Shape.Glow or Shape.Star;
            var n = Math.Clamp((int)MathF.Round(count * area * Math.Clamp(cue.Intensity, 0.3f, 2.5f)), 4, 2000);
            _x = new float[n];
            _y = new float[n];
            _vx = new float[n];
            _vy = new float[n];
            _size = new float[n];
            _depth = new float[n];
            _phase = new float[n];
            _spin = new float[n];
            _base = new SKColor[n];
            Sprites = new SKRect[n];
            Transforms = new SKRotationScaleMatrix[n];
            Colors = new SKColor[n];
            _screenX = new float[n];
            _screenY = new float[n];
            _screenSize = new float[n];
            _margin = height * 0.08f;
            var wind = random.Range(-1f, 1f);
            var palette = Palette(cue.Kind);
            var h = (float)height;
            for (var i = 0; i < n; i++)
            {
                var depth = random.Range(0.7f, 1.8f);
                _depth[i] = depth;
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
                    AtmosphereKind.Petals => ((0.04f + (0.05f * wind)) * h, random.Range(0.05f, 0.09f) * h, random.Range(0.014f, 0.022f) * h, alpha),
                    AtmosphereKind.Leaves => ((0.05f * wind) * h, random.Range(0.06f, 0.11f) * h, random.Range(0.02f, 0.032f) * h, alpha),
                    AtmosphereKind.Fireflies => (0f, 0f, random.Range(0.014f, 0.024f) * h, alpha),
                    AtmosphereKind.Dust => (0.012f * (wind + 0.3f) * h, random.Range(-0.01f, 0.01f) * h, random.Range(0.003f, 0.006f) * h, alpha * 0.45f),
                    AtmosphereKind.Sparkles => (0f, -0.012f * h, random.Range(0.018f, 0.032f) * h, alpha),
                    AtmosphereKind.Bubbles => (0.01f * wind * h, -random.Range(0.06f, 0.11f) * h, random.Range(0.014f, 0.03f) * h, alpha * 0.7f),
                    AtmosphereKind.Confetti => (0.03f * wind * h, random.Range(0.09f, 0.15f) * h, random.Range(0.012f, 0.018f) * h, alpha),
                    _ => (0.02f * wind * h, -random.Range(0.08f, 0.16f) * h, random.Range(0.006f, 0.012f) * h, alpha),
                };
                _base[i] = color.WithAlpha((byte)MathF.Round(255f * Math.Clamp(alpha, 0f, 1f)));
                Sprites[i] = Bounds(shape);
            }
        }

        public bool Additive { get; }

        /// <summary>Drawn pixel by pixel rather than by Skia: many small plain shapes, where a Skia draw call per particle costs more than its pixels.</summary>
        public bool Splatted { get; }

        public SKRect[] Sprites { get; }

        public SKRotationScaleMatrix[] Transforms { get; }

        public SKColor[] Colors { get; }

        public void Update(in CameraState camera, float t, int width, int height)
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
                        angle = phase + (t * 0.4f * _spin[i]);
                        break;
                    case AtmosphereKind.Embers:
                        x += height * 0.015f * MathF.Sin((t * 2.1f) + phase);
                        alpha = 0.55f + (0.45f * MathF.Sin((t * 7f) + phase));
                        break;
                }

                // The camera: nearer particles move more with it, then everything wraps round the frame.
                var offset = camera.Offset(depth);
                x = Wrap(x - offset.X + _margin, spanX) - _margin;
                y = Wrap(y - offset.Y + _margin, spanY) - _margin;
                var scale = camera.Scale(depth);
                var sx = cx + ((x - cx) * scale);
                var sy = cy + ((y - cy) * scale);
                _screenX[i] = sx;
                _screenY[i] = sy;
                _screenSize[i] = _size[i] * depth * scale;
                var size = _size[i] * depth * scale / Cell;
                var cos = MathF.Cos(angle) * size;
                var sin = MathF.Sin(angle) * size;
                // Rotated and scaled about the middle of the sprite's own box.
                var halfWidth = Sprites[i].Width * 0.5f;
                var halfHeight = Sprites[i].Height * 0.5f;
                Transforms[i] = new SKRotationScaleMatrix(cos, sin, sx - ((cos * halfWidth) - (sin * halfHeight)), sy - ((sin * halfWidth) + (cos * halfHeight)));
                var color = _base[i];
                Colors[i] = alpha >= 1f ? color : color.WithAlpha((byte)(color.Alpha * Math.Clamp(alpha, 0f, 1f)));
            }
        }

        public void Splat(byte[] frame, int width, int top, int bottom)
        {
            var height = frame.Length / 4 / width;
            for (var i = 0; i < _x.Length; i++)
            {
                var color = Colors[i];
                if (color.Alpha == 0)
                {
                    continue;
                }

                if (_shape == Shape.Streak)
                {
                    // Along the fall: from the tail (transparent) to the head.
                    var length = _screenSize[i];
                    var dx = -Transforms[i].SSin / MathF.Max(1e-6f, MathF.Sqrt((Transforms[i].SCos * Transforms[i].SCos) + (Transforms[i].SSin * Transforms[i].SSin)));
                    var dy = MathF.Sqrt(MathF.Max(0f, 1f - (dx * dx)));
                    Splats.Streak(frame, width, height, top, bottom, _screenX[i] - (dx * length * 0.5f), _screenY[i] - (dy * length * 0.5f), dx * length, dy * length,
                        MathF.Max(1f, length * 0.022f), color, Additive);
                }
                else if (_shape == Shape.Star)
                {
                    Splats.Glint(frame, width, height, top, bottom, _screenX[i], _screenY[i], _screenSize[i] * 0.5f, color);
                }
                else
                {
                    Splats.Disc(frame, width, height, top, bottom, _screenX[i], _screenY[i], MathF.Max(0.8f, _screenSize[i] * 0.5f), color, Additive, _shape == Shape.Glow);
                }
            }
        }

        /// <summary>Each shape's tight box in the atlas: a rain streak is 4 pixels wide, not a whole cell.</summary>
        private static SKRect Bounds(Shape shape)
        {
            var x = (int)shape * Cell;
            const float half = Cell / 2f;
            return shape switch
            {
                Shape.Streak => new SKRect(x + half - 2, 3, x + half + 2, Cell - 3),
                Shape.Petal => new SKRect(x + half - 17, half - 17, x + half + 17, half + 17),
                Shape.Leaf => new SKRect(x + half - 13, 5, x + half + 13, Cell - 2),
                Shape.Confetti => new SKRect(x + 15, half - 10, x + 49, half + 10),
                Shape.Dot => new SKRect(x + 3, 3, x + Cell - 3, Cell - 3),
                _ => new SKRect(x, 0, x + Cell, Cell),
            };
        }

        private static float Wrap(float value, float span)
        {
            var wrapped = value % span;
            return wrapped < 0f ? wrapped + span : wrapped;
        }

        private static (Shape Shape, int Count, bool Additive) Kind(AtmosphereKind kind) => kind switch
        {
            AtmosphereKind.Rain => (Shape.Streak, 260, false),
            AtmosphereKind.Snow => (Shape.Dot, 200, false),
            AtmosphereKind.Petals => (Shape.Petal, 60, false),
            AtmosphereKind.Leaves => (Shape.Leaf, 40, false),
            AtmosphereKind.Fireflies => (Shape.Glow, 40, true),
            AtmosphereKind.Dust => (Shape.Dot, 110, true),
            AtmosphereKind.Sparkles => (Shape.Star, 45, true),
            AtmosphereKind.Bubbles => (Shape.Ring, 40, false),
            AtmosphereKind.Confetti => (Shape.Confetti, 80, false),
            _ => (Shape.Glow, 60, true),
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
}

/// <summary>Plain particle shapes drawn straight into the frame: soft discs and rain streaks, blended over or added.</summary>
internal static unsafe class Splats
{
    /// <summary>Opacity by squared distance from the centre (0..1 of the radius²): a soft dot, or a glow with a long tail.</summary>
    private static readonly float[] Soft = Profile(glow: false);
    private static readonly float[] Glowing = Profile(glow: true);

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

    /// <summary>A thin line from (x, y) along (dx, dy), mostly downwards, fading in from its start.</summary>
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
        // The colour's own alpha times the coverage, as a 0..256 weight.
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
