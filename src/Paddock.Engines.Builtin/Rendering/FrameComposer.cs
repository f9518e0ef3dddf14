using Paddock.Engines.Builtin.Rendering.Figures;
using Paddock.Engines.Builtin.Rendering.Sets;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Rendering;

/// <summary>
/// Draws frame N of a storyboard. Everything costly happens before drawing: the sets' planes are
/// painted and graded once (shared by the shots in the same place and light) and the subjects'
/// sprites graded once per look; the first shot in the constructor, the others in the background
/// while the first frames are drawn. A frame is then: the planes behind
/// the subjects back to front (skipping what a nearer opaque plane hides), contact shadows and
/// subjects, foreground planes, particles and vignette; two shots mixed during a
/// dissolve. <see cref="Compose"/> allocates nothing.
/// </summary>
internal sealed class FrameComposer : IDisposable
{
    /// <summary>Camera curves are sampled this often (frames) to find what each plane must cover.</summary>
    private const int SampleEvery = 2;

    private readonly Storyboard _board;
    private readonly Stage?[] _stages;
    private readonly Task _later = Task.CompletedTask;
    private readonly List<IDisposable> _owned = [];
    private readonly ImageBlit _blit;
    private readonly FrameBuffer? _scratch;

    /// <summary>Drawn figures, baked once per subject, look and size (shots in the same light share them).</summary>
    private readonly Dictionary<string, FigurePoses> _figures = new(StringComparer.Ordinal);

    public FrameComposer(Storyboard board, IReadOnlyList<CastMember> cast, CancellationToken cancellationToken = default)
    {
        _board = board;
        _stages = new Stage?[board.Shots.Count];
        try
        {
            // Layers are at most the visible world (a little more than the frame) at 1.3 pixels a unit.
            _blit = new ImageBlit(board.Width, board.Height, board.Width * 3);
            if (board.Shots.Any(s => s.FadeIn > 0))
            {
                _scratch = new FrameBuffer(board.Width, board.Height);
            }

            _later = Prepare(board, cast, cancellationToken);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Compose(FrameBuffer buffer, int frame)
    {
        var shots = _board.Shots;
        var current = _board.ShotIndexAt(frame);
        var shot = shots[current];
        if (shot.FadeIn > 0 && frame < shot.StartFrame + shot.FadeIn - (shot.FadeIn / 2))
        {
            Dissolve(buffer, current - 1, current, frame, shot.StartFrame - (shot.FadeIn / 2), shot.FadeIn);
        }
        else if (current + 1 < shots.Count && shots[current + 1] is { FadeIn: > 0 } next && frame >= next.StartFrame - (next.FadeIn / 2))
        {
            Dissolve(buffer, current, current + 1, frame, next.StartFrame - (next.FadeIn / 2), next.FadeIn);
        }
        else
        {
            Draw(StageOf(current), buffer, frame);
        }
    }

    public void Dispose()
    {
        try
        {
            // Nothing may be freed while the background preparation still uses it.
            _later.Wait();
        }
        catch (AggregateException)
        {
            // Its failure (or cancellation) was, or will never be, reported by Compose.
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _owned.Clear();
        _scratch?.Dispose();
    }

    /// <summary>The shot's stage; waits (once) for the background preparation when it is not ready yet.</summary>
    private Stage StageOf(int index)
    {
        if (Volatile.Read(ref _stages[index]) is { } stage)
        {
            return stage;
        }

        _later.GetAwaiter().GetResult();
        return _stages[index]!;
    }

    private void Dissolve(FrameBuffer buffer, int outgoing, int incoming, int frame, int start, int length)
    {
        var mix = Easing.SmoothStep((frame + 0.5f - start) / length);
        Draw(StageOf(outgoing), buffer, frame);
        Draw(StageOf(incoming), _scratch!, frame);
        ImageBlit.Mix(buffer.Pixels, _scratch!.Pixels, mix);
    }

    private void Draw(Stage stage, FrameBuffer target, int frame)
    {
        var shot = stage.Shot;
        var fps = _board.FramesPerSecond;
        var progress = shot.Progress(frame);
        var seconds = shot.Seconds(frame, fps);
        var duration = shot.Duration(fps);
        var actors = stage.Actors;
        for (var k = 0; k < actors.Length; k++)
        {
            stage.Poses[k] = Motion.Evaluate(actors[k].Plan, progress, seconds, duration, _board.Width);
        }

        var camera = shot.Camera.At(progress, seconds, actors.Length > 0 ? stage.Poses[0].X : float.NaN, _board.Width, _board.Height);
        const int top = 0;
        var bottom = _board.Height;

        // Planes behind the subjects, from the front backwards: the opaque bands of the nearer planes
        // that join up with the bottom of the picture hide everything behind them there.
        var layers = stage.Layers;
        var bands = stage.Bands;
        for (var i = stage.BehindCount - 1; i >= 0; i--)
        {
            var layer = layers[i];
            var rect = camera.ToScreen(layer.World, layer.Parallax);
            stage.Rects[i] = rect;
            stage.Clips[i] = CoveredFrom(bands, i + 1, stage.BehindCount, bottom);
            bands[i] = (0, 0);
            if (layer.OpaqueTo > layer.OpaqueFrom && rect.Left <= 0f && rect.Right >= _board.Width)
            {
                var perRow = rect.Height / layer.Pixels.Height;
                bands[i] = ((int)MathF.Ceiling(rect.Top + (layer.OpaqueFrom * perRow)) + 1, (int)MathF.Floor(rect.Top + (layer.OpaqueTo * perRow)) - 1);
            }
        }

        for (var i = 0; i < stage.BehindCount; i++)
        {
            DrawLayer(layers[i], target, stage.Rects[i], top, stage.Clips[i]);
        }

        DrawActors(stage, target, camera, top, bottom);

        for (var i = stage.BehindCount; i < layers.Length; i++)
        {
            DrawLayer(layers[i], target, camera.ToScreen(layers[i].World, layers[i].Parallax), top, bottom);
        }

        stage.Particles?.Draw(target.Pixels, camera, seconds, top, bottom);
        stage.Post.Apply(target.Pixels);
    }

    /// <summary>The highest row from which the bands of planes <paramref name="from"/>..<paramref name="to"/> cover everything down to <paramref name="bottom"/>.</summary>
    private static int CoveredFrom((int From, int To)[] bands, int from, int to, int bottom)
    {
        var covered = bottom;
        var changed = true;
        while (changed)
        {
            changed = false;
            for (var j = from; j < to; j++)
            {
                var (a, b) = bands[j];
                if (b > a && b >= covered && a < covered)
                {
                    covered = a;
                    changed = true;
                }
            }
        }

        return covered;
    }

    private void DrawLayer(Layer layer, FrameBuffer target, SKRect rect, int top, int bottom)
    {
        if (bottom <= top)
        {
            return;
        }

        if (layer.Opaque)
        {
            _blit.Draw(layer.Pixels, target.Pixels, rect, 1f, top, bottom);
        }
        else
        {
            _blit.DrawOver(layer.Pixels, target.Pixels, rect, top, bottom, layer.Tiles);
        }
    }

    private void DrawActors(Stage stage, FrameBuffer target, in CameraState camera, int top, int bottom)
    {
        var order = stage.Order;
        var poses = stage.Poses;
        // Farther (higher on the ground) first; insertion sort of a handful, no allocation.
        for (var i = 1; i < order.Length; i++)
        {
            var key = order[i];
            var j = i - 1;
            while (j >= 0 && poses[order[j]].Y + poses[order[j]].Lift > poses[key].Y + poses[key].Lift)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = key;
        }

        var scale = camera.Scale(1f);
        foreach (var k in order)
        {
            var actor = stage.Actors[k];
            var pose = poses[k];
            var plan = actor.Plan;
            var size = scale * pose.Size;
            var width = plan.Width * size;
            var height = plan.Height * size;
            if (actor.ContactShadow)
            {
                var ground = camera.ToScreen(new SKPoint(pose.X, pose.Y + pose.Lift), 1f);
                var lifted = Math.Clamp(pose.Lift / MathF.Max(1f, plan.Height), 0f, 1f);
                Splats.Shadow(target.Pixels, _board.Width, _board.Height, top, bottom, ground.X, ground.Y,
                    width * 0.42f * (1f - (0.4f * lifted)), width * 0.075f * (1f - (0.4f * lifted)), 0.45f * (1f - lifted));
            }

            var feet = camera.ToScreen(new SKPoint(pose.X, pose.Y), 1f);
            // A drawn figure shows the pose of its gait, facing the way it goes.
            var sprite = actor.Poses?.At(pose.Gait, pose.Cycle) ?? actor.Sprite!;
            var content = sprite.Content;
            var scaleX = actor.Poses is null ? pose.ScaleX : pose.ScaleX * pose.Heading;
            // Sprite pixels → the subject's box standing on the origin → posed → at the feet on screen. It turns
            // about its middle, not its feet: a spin about the feet would swing it upside down below the frame.
            var middle = height * pose.ScaleY * 0.5f;
            var map = SKMatrix.CreateTranslation(-content.MidX, -content.Bottom)
                .PostConcat(SKMatrix.CreateScale(width / content.Width * scaleX, height / content.Height * pose.ScaleY))
                .PostConcat(SKMatrix.CreateRotation(pose.Rotation, 0f, -middle))
                .PostConcat(SKMatrix.CreateTranslation(feet.X, feet.Y));
            AffineBlit.Draw(sprite.Pixels, target.Pixels, _board.Width, _board.Height, map, top, bottom, sprite.Spans);
        }
    }

    /// <summary>
    /// Prepares the first shot now, and the others on a background task (returned): the encoder is
    /// still filling its pipeline over the first frames, so their baking mostly costs no wall time.
    /// </summary>
    private Task Prepare(Storyboard board, IReadOnlyList<CastMember> cast, CancellationToken cancellationToken)
    {
        var shots = board.Shots;
        var samples = shots.Select(shot => Samples(board, shot)).ToList();

        // One bake per place and look, of the union of what its shots' cameras see.
        var work = new List<(string Key, Func<Layer?> Bake)>();
        foreach (var members in shots.GroupBy(SetKey).Select(g => g.ToList()))
        {
            var first = members[0];
            (SKRect, float) Visible(float parallax) => Union(members.SelectMany(s => samples[s.Index]), parallax, board);
            if (first.Set.Source == SetSource.Image)
            {
                const float parallax = 0.85f;
                work.Add((SetKey(first), () =>
                {
                    var (area, scale) = Visible(parallax);
                    return SetLayers.BakeImage(cast[first.Set.CastSlot], first.Look, board.Width, board.Height, parallax, area, scale);
                }));
            }
            else
            {
                foreach (var plane in Scenery.Planes(first.Set.Setting))
                {
                    work.Add((SetKey(first), () =>
                    {
                        var (area, scale) = Visible(plane.Parallax);
                        return SetLayers.BakePlane(first.Set, first.Look, plane, board.Width, board.Height, area, scale);
                    }));
                }
            }
        }

        var sets = new Dictionary<string, List<Layer>>(StringComparer.Ordinal);
        var sprites = new Dictionary<string, Sprite>(StringComparer.Ordinal);
        var posts = new Dictionary<float, PostEffects>();
        var firstKey = SetKey(shots[0]);
        Bake(work.Where(w => w.Key == firstKey).ToList(), sets, cancellationToken);
        Volatile.Write(ref _stages[0], Build(shots[0], sets, sprites, posts, samples, cast, board));
        if (shots.Count == 1)
        {
            return Task.CompletedTask;
        }

        // The rest: only this task touches the dictionaries from here on.
        return Task.Run(
            () =>
            {
                Bake(work.Where(w => w.Key != firstKey).ToList(), sets, cancellationToken);
                foreach (var shot in shots.Skip(1))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Volatile.Write(ref _stages[shot.Index], Build(shot, sets, sprites, posts, samples, cast, board));
                }
            },
            cancellationToken);
    }

    /// <summary>Bakes the planes, independent of each other, on all cores; adds them to their sets in order.</summary>
    private void Bake(List<(string Key, Func<Layer?> Bake)> work, Dictionary<string, List<Layer>> sets, CancellationToken cancellationToken)
    {
        var baked = new Layer?[work.Count];
        try
        {
            Parallel.For(0, work.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => baked[i] = work[i].Bake());
        }
        catch (AggregateException failure) when (failure.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure.InnerExceptions[0]).Throw();
        }
        finally
        {
            Own(baked.OfType<Layer>());
        }

        for (var i = 0; i < work.Count; i++)
        {
            if (!sets.TryGetValue(work[i].Key, out var layers))
            {
                sets[work[i].Key] = layers = [];
            }

            if (baked[i] is { } layer)
            {
                layers.Add(layer);
            }
        }
    }

    private Stage Build(Shot shot, Dictionary<string, List<Layer>> sets, Dictionary<string, Sprite> sprites, Dictionary<float, PostEffects> posts,
        List<List<CameraSample>> samples, IReadOnlyList<CastMember> cast, Storyboard board)
    {
        var largest = samples[shot.Index].Select(s => s.Camera.Scale(1f)).DefaultIfEmpty(1f).Max();
        var actors = shot.Actors.Select(plan => plan.StandIn is { } standIn
            ? FigureFor(plan, standIn, shot.Look, largest, board.Seed, sprites)
            : new StageActor(plan, SpriteFor(plan, shot.Look, largest, cast, sprites), null, plan.Style == ActorStyle.CutOut && !plan.Bust)).ToArray();
        var particles = shot.Atmosphere.Count > 0 ? new ParticleField(shot.Atmosphere, shot.Look, board.Seed, shot.Index, board.Width, board.Height) : null;
        if (!posts.TryGetValue(shot.Look.Vignette, out var post))
        {
            posts[shot.Look.Vignette] = post = new PostEffects(board.Width, board.Height, shot.Look.Vignette);
        }

        var layers = sets[SetKey(shot)].OrderBy(l => l.BehindActors ? 0 : 1).ThenBy(l => l.Parallax).ToArray();
        return new Stage(shot, layers, layers.Count(l => l.BehindActors), actors, particles, post);
    }

    private void Own(IEnumerable<IDisposable> resources)
    {
        lock (_owned)
        {
            _owned.AddRange(resources);
        }
    }

    private Sprite SpriteFor(ActorPlan plan, Look look, float cameraScale, IReadOnlyList<CastMember> cast, Dictionary<string, Sprite> sprites)
    {
        var member = cast[plan.CastSlot];
        // The subjects are lit: a night or a dark mood dims them less than the set, as a key light would.
        look = look.Exposure < 1f ? look with { Exposure = MathF.Pow(look.Exposure, 0.55f) } : look;
        // Big enough for the closest it comes (camera zoom, approaching), and never more than the source has.
        var height = plan.Height * cameraScale * 1.3f;
        var key = $"{plan.CastSlot}|{plan.Style}|{look.Key}|{MathF.Ceiling(height / 64f)}";
        if (!sprites.TryGetValue(key, out var sprite))
        {
            sprite = plan.Style == ActorStyle.CutOut && member.CutOut is { } cutOut
                ? Sprite.CutOut(cutOut, look, look.Fog * SetLayers.ActorFog, Sky.Haze(look.Time), MathF.Ceiling(height / 64f) * 64f)
                : Sprite.Card(member.Image, member.Aspect, look, MathF.Ceiling(height / 64f) * 64f);
            sprites[key] = sprite;
            Own([sprite]);
        }

        return sprite;
    }

    private StageActor FigureFor(ActorPlan plan, StandInCue standIn, Look look, float cameraScale, long seed, Dictionary<string, Sprite> sprites)
    {
        var figure = Figure.For(standIn, seed);
        // Big enough for the closest it comes (camera zoom; approaching, it grows by a fifth), and no more: a figure is baked in several poses.
        var growth = plan.Actions.Any(a => a.Kind == ActionKind.Approach || a.Heading == Heading.Toward) ? 1.25f : 1.05f;
        var height = MathF.Ceiling(plan.Height * cameraScale * growth / 32f) * 32f;
        var gaits = string.Join(",", plan.Actions.Select(a => a.Kind).Distinct().Order());
        var key = $"figure|{standIn.Identity}|{look.Key}|{height}|{gaits}";
        if (!_figures.TryGetValue(key, out var poses))
        {
            poses = new FigurePoses(figure, plan.Actions.SelectMany(a => Motion.Gaits(a.Kind)), look, look.Fog * SetLayers.ActorFog, Sky.Haze(look.Time), height);
            _figures[key] = poses;
            Own([poses]);
        }

        return new StageActor(plan, null, poses, figure.Grounded);
    }

    private static string SetKey(Shot shot) =>
        $"{shot.Set.Source}|{shot.Set.Setting}|{shot.Set.CastSlot}|{shot.Set.Variant}|{shot.Set.Horizon}|{shot.Look.Key}";

    /// <summary>The camera at every other frame the shot is visible, and at its last.</summary>
    private static List<CameraSample> Samples(Storyboard board, Shot shot)
    {
        var fps = board.FramesPerSecond;
        var from = Math.Max(0, shot.VisibleStart);
        var to = Math.Min(board.FrameCount, shot.VisibleEnd) - 1;
        var samples = new List<CameraSample>();
        var duration = shot.Duration(fps);
        for (var frame = from; frame <= to; frame = frame == to ? to + 1 : Math.Min(to, frame + SampleEvery))
        {
            var progress = shot.Progress(frame);
            var seconds = shot.Seconds(frame, fps);
            var trackX = shot.Actors.Count > 0 ? Motion.Evaluate(shot.Actors[0], progress, seconds, duration, board.Width).X : float.NaN;
            samples.Add(new CameraSample(shot.Camera.At(progress, seconds, trackX, board.Width, board.Height)));
        }

        return samples;
    }

    /// <summary>What a plane at <paramref name="parallax"/> must cover for these camera samples, and the largest scale it is shown at.</summary>
    private static (SKRect Area, float Scale) Union(IEnumerable<CameraSample> samples, float parallax, Storyboard board)
    {
        var area = SKRect.Empty;
        var scale = 0f;
        var any = false;
        foreach (var sample in samples)
        {
            var visible = sample.Camera.VisibleWorld(parallax);
            area = any ? SKRect.Union(area, visible) : visible;
            scale = MathF.Max(scale, sample.Camera.Scale(parallax));
            any = true;
        }

        if (!any)
        {
            area = new SKRect(0, 0, board.Width, board.Height);
            scale = 1f;
        }

        // Between samples the camera moves a little further, and handheld wobble peaks: a margin.
        var margin = (MathF.Max(board.Width, board.Height) * 0.015f) + 2f;
        area.Inflate(margin, margin);
        return (area, scale);
    }

    private readonly record struct CameraSample(CameraState Camera);

    /// <summary>A subject ready to draw: a reference's sprite, or a drawn figure's poses.</summary>
    private sealed record StageActor(ActorPlan Plan, Sprite? Sprite, FigurePoses? Poses, bool ContactShadow);

    /// <summary>One shot ready to draw, with scratch arrays so drawing allocates nothing.</summary>
    private sealed class Stage(Shot shot, Layer[] layers, int behindCount, StageActor[] actors, ParticleField? particles, PostEffects post)
    {
        public Shot Shot { get; } = shot;

        public Layer[] Layers { get; } = layers;

        public int BehindCount { get; } = behindCount;

        public StageActor[] Actors { get; } = actors;

        public ParticleField? Particles { get; } = particles;

        public PostEffects Post { get; } = post;

        public Pose[] Poses { get; } = new Pose[actors.Length];

        public int[] Order { get; } = Enumerable.Range(0, actors.Length).ToArray();

        public SKRect[] Rects { get; } = new SKRect[layers.Length];

        public int[] Clips { get; } = new int[layers.Length];

        public (int From, int To)[] Bands { get; } = new (int, int)[layers.Length];
    }
}
