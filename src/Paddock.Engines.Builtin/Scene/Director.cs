using Paddock.Core.Engines;
using Paddock.Engines.Builtin.Rendering.Figures;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// Turns what the prompt says (<see cref="PromptReader"/>) and what the references are
/// (<see cref="CastProfile"/>) into a storyboard: which reference acts or serves as the set in each
/// shot, shot lengths and transitions, camera curves, looks, particles, and where every subject
/// stands. References the prompt does not name still appear: as extra cast, as the set of a shot
/// that has none, or in a shot of their own at the end. Subjects no reference gives ("a fox") are
/// cast as stand-in figures the renderer draws; when the prompt names no image, the references
/// play those subjects first.
/// </summary>
internal static class Director
{
    /// <summary>
    /// A third of a second: nine references (the most the API allows) still fit the shortest clip
    /// (3 s), so every reference always appears.
    /// </summary>
    internal const int MinimumShotFrames = 8;

    /// <summary>A dissolve lasts half a second at 24 fps, less when shots are short.</summary>
    private const int PreferredFadeFrames = 12;

    private const int MaxActorsPerShot = 3;

    /// <summary>Stand-ins in one shot at most: a list of twenty animals is a crowd, not a cast.</summary>
    private const int MaxStandInsPerShot = 4;

    /// <summary>How far apart the depth lanes of several subjects are, as a share of the picture's height.</summary>
    private const float Lane = 0.085f;

    /// <summary>A framed print's border as a share of the image's height.</summary>
    internal const float CardBorder = 0.035f;

    /// <summary>Where a prompt that names no place happens; one choice per clip, from the seed.</summary>
    private static readonly SettingKind[] DefaultSettings =
    [
        SettingKind.Garden, SettingKind.Forest, SettingKind.Beach, SettingKind.City, SettingKind.Desert,
        SettingKind.Mountains, SettingKind.Studio, SettingKind.Snow, SettingKind.Ocean,
    ];

    public static Storyboard Plan(RenderJob job, IReadOnlyList<CastProfile> cast)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(cast);
        var cues = PromptReader.Read(job.Prompt, cast.Count);
        var take = Take.For(job.Seed, Lexicon.Default);
        var drafts = CastShots(cues, cast, job.Seed);
        Fit(drafts, Math.Max(1, job.FrameCount / MinimumShotFrames));

        var fallback = DefaultSettings[DeterministicRandom.For(job.Seed, "setting").Next(DefaultSettings.Length)];
        foreach (var draft in drafts.Where(d => d.SetSlot is null && d.Setting is null))
        {
            draft.Setting = fallback;
        }

        var boundaries = Boundaries(drafts.Select(d => d.Weight).ToArray(), job.FrameCount);
        var fades = new int[drafts.Count + 1];
        for (var i = 1; i < drafts.Count; i++)
        {
            var shortest = Math.Min(boundaries[i + 1] - boundaries[i], boundaries[i] - boundaries[i - 1]);
            // Even, and at most half the shorter neighbour, so two dissolves never overlap.
            fades[i] = drafts[i].Transition == TransitionKind.Dissolve ? Math.Min(PreferredFadeFrames, shortest / 2) & ~1 : 0;
        }

        var shots = new List<Shot>(drafts.Count);
        for (var i = 0; i < drafts.Count; i++)
        {
            shots.Add(Compose(job, cast, take, drafts[i], i, boundaries[i], boundaries[i + 1], fades[i], fades[i + 1]));
        }

        return new Storyboard(job.Width, job.Height, job.FramesPerSecond, job.FrameCount, job.Seed, shots);
    }

    /// <summary>Shot boundaries (count + 1 of them, from 0 to frameCount) proportional to the weights.</summary>
    internal static int[] Boundaries(float[] weights, int frameCount)
    {
        var count = weights.Length;
        var boundaries = new int[count + 1];
        var minimum = Math.Min(MinimumShotFrames, frameCount / count);
        var total = weights.Sum();

        // Every shot first gets the minimum; the rest of the frames are shared by weight.
        var spare = frameCount - (minimum * count);
        var cumulative = 0f;
        for (var i = 0; i < count; i++)
        {
            cumulative += weights[i];
            boundaries[i + 1] = (minimum * (i + 1)) + (int)MathF.Round(spare * cumulative / total);
        }

        boundaries[count] = frameCount;
        return boundaries;
    }

    private static List<Draft> CastShots(IReadOnlyList<ShotCues> cues, IReadOnlyList<CastProfile> cast, long seed)
    {
        var drafts = cues.Select(c => new Draft(c, c.TransitionIn, 1f)).ToList();
        var named = new HashSet<int>();
        foreach (var draft in drafts)
        {
            var cue = draft.Cues;
            draft.SetSlot = cue.SetImages.Count > 0 ? cue.SetImages[0] - 1 : null;
            draft.Setting = cue.Setting;
            named.UnionWith(cue.SetImages.Select(i => i - 1));
            foreach (var actor in cue.Actors)
            {
                if (actor.StandIn is { } standIn)
                {
                    if (draft.Actors.Count(a => a.StandIn is not null) < MaxStandInsPerShot)
                    {
                        draft.Actors.Add(new DraftActor(-1, actor.Actions, standIn));
                    }

                    continue;
                }

                named.Add(actor.ImageIndex - 1);
                if (actor.ImageIndex - 1 != draft.SetSlot)
                {
                    draft.Actors.Add(new DraftActor(actor.ImageIndex - 1, actor.Actions));
                }
            }

            // A reference that cannot be cut out, in a shot that names no place, is the place.
            if (draft.SetSlot is null && draft.Setting is null && draft.Actors.FirstOrDefault(a => a.Slot >= 0 && !cast[a.Slot].CanCutOut) is { } whole)
            {
                draft.SetSlot = whole.Slot;
                draft.Actors.Remove(whole);
            }
        }

        var roles = drafts.SelectMany(d => d.Actors).Where(a => a.StandIn is not null).Select(a => a.Key).Distinct().ToList();
        if (named.Count == 0 && cast.Count > 0 && roles.Count <= 1)
        {
            // The prompt names no reference and at most one subject ("a fox runs"): the references play it,
            // one after another, and the prompt's actions are theirs.
            foreach (var draft in drafts)
            {
                draft.Actors.RemoveAll(a => a.StandIn is not null);
            }

            while (drafts.Count < cast.Count)
            {
                drafts.Add(drafts[^1].Continuation(1f));
            }

            for (var i = 0; i < drafts.Count; i++)
            {
                var role = drafts[i].Cues.Actors.FirstOrDefault(a => a.StandIn is not null);
                Assign(drafts[i], i % cast.Count, role is { Actions.Count: > 0 } ? role.Actions : drafts[i].Cues.Actions, cast);
            }

            return drafts;
        }

        if (named.Count == 0 && cast.Count > 0)
        {
            // Several subjects and no image named ("a fox chases a rabbit"): the references play them in order, the rest are drawn.
            for (var role = 0; role < Math.Min(roles.Count, cast.Count); role++)
            {
                foreach (var draft in drafts)
                {
                    var index = draft.Actors.FindIndex(a => a.Key == roles[role]);
                    if (index >= 0)
                    {
                        draft.Actors[index] = new DraftActor(role, draft.Actors[index].Actions);
                    }
                }

                named.Add(role);
            }
        }

        var unnamed = Enumerable.Range(0, cast.Count).Where(slot => !named.Contains(slot)).ToList();

        var random = DeterministicRandom.For(seed, "extras");
        foreach (var slot in unnamed)
        {
            if (!cast[slot].CanCutOut && drafts.FirstOrDefault(d => d.SetSlot is null && d.Setting is null) is { } placeless)
            {
                placeless.SetSlot = slot;
                continue;
            }

            var roomy = drafts.Where(d => d.Actors.Count < MaxActorsPerShot).OrderBy(d => d.Actors.Count).FirstOrDefault();
            if (roomy is not null)
            {
                roomy.Actors.Add(new DraftActor(slot, [new ActionCue(random.Chance(0.5f) ? ActionKind.Idle : ActionKind.LookAround, Heading.None)]));
                continue;
            }

            // No room anywhere: a shot of its own at the end, in the place and light of the last one.
            var insert = drafts[^1].Continuation(0.6f);
            if (cast[slot].CanCutOut)
            {
                insert.SetSlot = drafts[^1].SetSlot;
            }

            Assign(insert, slot, [], cast);
            drafts.Add(insert);
        }

        return drafts;
    }

    private static void Assign(Draft draft, int slot, IReadOnlyList<ActionCue> actions, IReadOnlyList<CastProfile> cast)
    {
        if (!cast[slot].CanCutOut && draft.SetSlot is null && draft.Setting is null)
        {
            draft.SetSlot = slot;
        }
        else
        {
            draft.Actors.Add(new DraftActor(slot, actions));
        }
    }

    /// <summary>Merges the last shots until the clip has room for every shot's minimum length; nobody is dropped.</summary>
    private static void Fit(List<Draft> drafts, int capacity)
    {
        while (drafts.Count > capacity)
        {
            var last = drafts[^1];
            var into = drafts[^2];
            drafts.RemoveAt(drafts.Count - 1);
            foreach (var actor in last.Actors.Where(a => into.Actors.All(mine => mine.Key != a.Key) && (a.Slot < 0 || a.Slot != into.SetSlot)))
            {
                into.Actors.Add(actor);
            }

            if (last.SetSlot is { } set && set != into.SetSlot && into.Actors.All(a => a.Slot != set))
            {
                if (into.SetSlot is null && into.Setting is null)
                {
                    into.SetSlot = set;
                }
                else
                {
                    into.Actors.Add(new DraftActor(set, []));
                }
            }

            into.Weight += last.Weight;
        }
    }

    private static Shot Compose(RenderJob job, IReadOnlyList<CastProfile> cast, Take take, Draft draft, int index, int start, int end, int fadeIn, int fadeOut)
    {
        var random = DeterministicRandom.For(job.Seed, $"shot{index}");
        var cues = draft.Cues;
        // The take's light and palette colour a painted set and what stands in it; a reference used whole as the
        // set keeps the user's own colours (and so does everything in front of it, to match).
        var look = Look.Combine(draft.SetSlot is null ? take.Grades(cues.Grades) : cues.Grades);
        var visibleSeconds = ((end - start) + (fadeIn / 2) + (fadeOut - (fadeOut / 2))) / (float)job.FramesPerSecond;
        var speed = Math.Clamp(cues.Camera.Aggregate(1f, (product, cue) => product * (cue.Spec.Speed is { } s ? MathF.Pow(s, MathF.Min(cue.Intensity, 1.5f)) : 1f)), 0.2f, 3f);
        var cameraCues = cues.Camera;
        var suggested = cues.Grades.SelectMany(g => g.Moves ?? []).Distinct().ToList();
        if (cameraCues.Count == 0 && suggested.Count > 0)
        {
            // A look that has a way of moving ("cinematic": a slow push, a truck, an orbit, a crane) moves so when the prompt says nothing.
            cameraCues = [new CameraCue(suggested[random.Next(suggested.Count)], 0.8f)];
        }

        var camera = CameraFor(cameraCues, visibleSeconds, random, job.Width, job.Height, take);

        SetPlan set;
        if (draft.SetSlot is { } slot)
        {
            set = new SetPlan(SetSource.Image, SettingKind.Studio, slot, look.Time, 0, 0.6f);
        }
        else
        {
            var setting = draft.Setting ?? SettingKind.Studio;
            // One variant per setting and seed: every shot in the garden is in the same garden.
            var variant = DeterministicRandom.For(job.Seed, $"set/{setting}").NextUInt64();
            var (low, high) = HorizonRange(setting);
            var horizon = low + ((high - low) * ((variant >> 40) / (float)(1 << 24)));
            set = new SetPlan(SetSource.Procedural, setting, -1, look.Time, variant, horizon);
        }

        var shot = new Shot(index, start, end, fadeIn, fadeOut, set, [], camera, look, cues.Atmosphere, speed, random.NextUInt64(), cues.Text);
        return shot with { Actors = Layout(job, cast, draft.Actors, shot, random, take) };
    }

    private static (float Low, float High) HorizonRange(SettingKind setting) => setting switch
    {
        SettingKind.Garden => (0.54f, 0.62f),
        SettingKind.Forest => (0.58f, 0.65f),
        SettingKind.Beach => (0.5f, 0.57f),
        SettingKind.Ocean => (0.48f, 0.55f),
        SettingKind.City => (0.6f, 0.68f),
        SettingKind.Desert => (0.54f, 0.6f),
        SettingKind.Snow => (0.54f, 0.62f),
        SettingKind.Mountains => (0.58f, 0.66f),
        SettingKind.Space => (0.66f, 0.74f),
        SettingKind.Studio => (0.62f, 0.68f),
        _ => (0.6f, 0.66f),
    };

    private static CameraPlan CameraFor(IReadOnlyList<CameraCue> cues, float seconds, DeterministicRandom random, int width, int height, Take take)
    {
        // How close the camera frames is the take's unless the prompt says (a close-up, a wide shot).
        var stated = cues.Select(c => c.Spec.Frame).OfType<float>().ToList();
        var frame = stated.Count > 0 ? stated.Max() : take.Framing;
        (float From, float To) zoom = (1f, 1f);
        (float From, float To) dolly = (1f, 1f);
        var panFrom = SKPoint.Empty;
        var panTo = SKPoint.Empty;
        var parallax = 0.5f;
        (float From, float To) orbit = (0f, 0f);
        var shake = 0f;
        var track = false;
        var moved = false;
        var still = false;
        var reach = Math.Clamp(seconds / 4f, 0.5f, 1.2f);
        // The take moves the camera a little more or less than another take would, the way the prompt says.
        var amount = take.CameraAmount;
        foreach (var (spec, intensity) in cues)
        {
            var k = reach * intensity * amount;

            if (spec.Zoom is { } z)
            {
                zoom = (1f + ((z.From - 1f) * k), 1f + ((z.To - 1f) * k));
                moved = true;
            }

            if (spec.Dolly is { } d)
            {
                dolly = (1f + ((d.From - 1f) * k), 1f + ((d.To - 1f) * k));
                moved = true;
            }

            if (spec.Pan is { } pan)
            {
                var direction = pan;
                if (direction.X == 0f && direction.Y == 0f)
                {
                    direction = spec.Vertical ? new SKPoint(0f, random.Sign()) : new SKPoint(random.Sign(), 0f);
                }

                var across = Math.Clamp(0.05f * seconds, 0.08f, 0.2f) * width * MathF.Min(intensity, 1.6f) * amount;
                var down = Math.Clamp(0.04f * seconds, 0.06f, 0.15f) * height * MathF.Min(intensity, 1.6f) * amount;
                panFrom += new SKPoint(-direction.X * across * 0.5f, -direction.Y * down * 0.5f);
                panTo += new SKPoint(direction.X * across * 0.5f, direction.Y * down * 0.5f);
                moved = true;
            }

            if (spec.Parallax is { } p)
            {
                parallax = p;
            }

            if (spec.Orbit != 0f)
            {
                var arc = Math.Clamp(0.035f * seconds, 0.05f, 0.12f) * width * MathF.Min(intensity, 1.6f) * amount * MathF.Sign(spec.Orbit) * (spec.OrbitEither ? random.Sign() : 1f);
                orbit = (-arc * 0.5f, arc * 0.5f);
                moved = true;
            }

            if (spec.Track)
            {
                track = true;
                parallax = spec.Parallax ?? 1f;
                moved = true;
            }

            shake += spec.Shake * intensity;
            still |= spec.Static;
        }

        if (still)
        {
            return CameraPlan.Still with { Frame = frame };
        }

        if (!moved)
        {
            // Nothing said: a slow, small move the seed picks, so no shot is a still photograph.
            var gentle = Math.Clamp(seconds / 5f, 0.4f, 1f) * take.CameraAmount;
            switch (random.Next(5))
            {
                case 0:
                    dolly = (1f, 1f + (0.1f * gentle));
                    break;
                case 1:
                    dolly = (1f + (0.1f * gentle), 1f);
                    break;
                case 2:
                    var side = random.Sign() * 0.06f * gentle * width;
                    (panFrom, panTo) = (new SKPoint(-side * 0.5f, 0f), new SKPoint(side * 0.5f, 0f));
                    break;
                case 3:
                    var arc = random.Sign() * 0.05f * gentle * width;
                    orbit = (-arc * 0.5f, arc * 0.5f);
                    break;
                default:
                    zoom = (1f, 1f + (0.07f * gentle));
                    break;
            }
        }

        return new CameraPlan(frame, zoom.From, zoom.To, dolly.From, dolly.To, panFrom, panTo, parallax, orbit.From, orbit.To,
            MathF.Min(shake, 3f), random.NextSingle(), track);
    }

    private static List<ActorPlan> Layout(RenderJob job, IReadOnlyList<CastProfile> cast, List<DraftActor> actors, Shot shot, DeterministicRandom random, Take take)
    {
        var width = job.Width;
        var height = job.Height;
        var count = actors.Count;
        var plans = new List<ActorPlan>(count);
        var duration = shot.Duration(job.FramesPerSecond);
        const float pictureTop = 0f;
        var pictureBottom = (float)height;
        var picture = pictureBottom - pictureTop;
        ActorPlan? leader = null;
        var horizonY = height * shot.Set.Horizon;

        // Several subjects stand at different depths, one lane each (nearer is lower and larger), so when
        // one passes another the nearer is always drawn over it; those who travel go the same way, side by
        // side, rather than walking into each other.
        var lanes = Enumerable.Range(0, count).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (lanes[i], lanes[j]) = (lanes[j], lanes[i]);
        }

        var travelling = actors.Select(a => TotalTravel(a.Actions, duration) > 0f).ToArray();
        var travellers = travelling.Count(t => t);
        // Beside each other, subjects keep their sizes: a dog comes up to a boy's waist, not his shoulder.
        var largest = actors.Select(a => a.StandIn?.Subject.Size ?? 1f).DefaultIfEmpty(1f).Max();
        // Who stands on which side is the seed's; those travelling together go from the first named towards the
        // others, so "a fox chases a rabbit" has the rabbit ahead.
        var mirrored = random.Chance(0.5f);
        var together = mirrored ? -1 : 1;
        for (var k = 0; k < count; k++)
        {
            var (slot, actions, standIn) = actors[k];
            var figure = standIn is null ? null : Figure.For(standIn, job.Seed);
            // The take's tempo: everyone a little brisker or more leisurely than in another take.
            actions = actions.Select(a => a with { Kind = figure?.Adapt(a.Kind) ?? a.Kind, Pace = a.Pace * take.Tempo }).ToList();

            var profile = slot >= 0 ? cast[slot] : null;
            var style = figure is not null ? ActorStyle.Figure : profile!.CanCutOut ? ActorStyle.CutOut : ActorStyle.Card;
            var bust = style == ActorStyle.CutOut && profile!.Bust;
            var aspect = style switch
            {
                ActorStyle.Figure => figure!.Aspect,
                ActorStyle.CutOut => profile!.CutOutAspect,
                _ => CardAspect(profile!.ImageAspect),
            };
            var share = count switch { 1 => 1f, 2 => 0.84f, 3 => 0.72f, _ => 0.62f };
            var fraction = (style, bust) switch
            {
                (ActorStyle.Card, _) => 0.62f,
                (_, true) => 0.74f,
                // A drawn subject is as tall as it is beside a person, within reason: a ball is small but seen.
                (ActorStyle.Figure, _) => 0.56f * Math.Clamp(MathF.Pow(largest, 0.55f), 0.45f, 1.1f) * Math.Clamp(MathF.Pow(standIn!.Subject.Size / largest, 0.8f), 0.3f, 1f),
                _ => 0.56f,
            } * share;
            var actorHeight = picture * fraction * (count == 1 && !bust ? take.SubjectScale : 1f);
            // Never wider than its share of the frame.
            var widest = width * ((0.72f / count) + 0.08f);
            if (actorHeight * aspect > widest)
            {
                actorHeight = widest / aspect;
            }

            var nearest = pictureBottom - (picture * 0.04f);
            var groundY = style == ActorStyle.Card
                ? ((pictureTop + pictureBottom) * 0.5f) + (actorHeight * 0.5f)
                : bust ? pictureBottom + (height * 0.02f)
                : count == 1 ? pictureBottom - (picture * random.Range(0.05f, 0.09f))
                : nearest - (picture * Lane * lanes[k]);
            if (count > 1 && style != ActorStyle.Card && !bust && horizonY < nearest)
            {
                // Perspective: a lane farther back is smaller by its distance from the horizon.
                actorHeight *= Math.Clamp((groundY - horizonY) / (nearest - horizonY), 0.55f, 1f);
            }

            // A lone subject stands where the take puts it; several share the frame; those who travel together start
            // close, one behind the other, so that they have room to go somewhere.
            var slotX = count == 1 ? width * take.Placement : width * ((mirrored ? count - k : k + 1f) / (count + 1f));
            if (travellers > 1 && travelling[k])
            {
                var travellerIndex = travelling.Take(k).Count(t => t);
                var spacing = MathF.Min(1f / (travellers + 1f), 0.2f) * width;
                slotX = (width * 0.5f) + ((travellerIndex - ((travellers - 1) * 0.5f)) * spacing * (mirrored ? -1f : 1f));
            }
            if (count > 1)
            {
                slotX += random.Range(-0.025f, 0.025f) * width;
            }

            // Moving subjects go the same way when several travel, head for the middle when one does among others, either way when alone.
            var travels = TotalTravel(actions, duration) > 0f;
            var direction = count == 1 ? (int)random.Sign() : travellers > 1 && travels ? together : slotX < width * 0.5f ? 1 : -1;
            var travel = TotalTravel(actions, duration) * width;
            plans.Add(KeepHeadInPicture(new ActorPlan(slot, style, actions, slotX - (direction * travel * 0.5f), groundY, actorHeight, aspect,
                height * shot.Set.Horizon, direction, random.NextSingle(), 1f, bust, standIn, figure?.Hover ?? 0f), shot, job));
        }

        // Those who travel together are kept on screen together: one travel scale and one shift for all, so the
        // space between them stays (fitted one by one, a chaser and the chased were pushed onto each other).
        var group = travellers > 1 ? Enumerable.Range(0, count).Where(k => TotalTravel(plans[k].Actions, duration) > 0f).ToList() : [];
        var placed = new ActorPlan?[count];
        for (var k = 0; k < count; k++)
        {
            if (placed[k] is not null)
            {
                continue;
            }

            var members = group.Contains(k) ? group : [k];
            var fitted = KeepOnScreen(members.Select(i => plans[i]).ToList(), shot, job, leader);
            if (fitted is null)
            {
                // Too wide together (a close camera): each on its own.
                members = [k];
                fitted = KeepOnScreen([plans[k]], shot, job, leader)!;
            }

            for (var m = 0; m < members.Count; m++)
            {
                placed[members[m]] = KeepFeetInPicture(fitted[m], shot, job, leader ?? fitted[0], pictureBottom);
            }

            leader ??= placed[0];
        }

        return [.. placed.OfType<ActorPlan>()];
    }

    /// <summary>The print border around a card adds to its width and height alike.</summary>
    internal static float CardAspect(float imageAspect)
    {
        var border = CardBorder * MathF.Min(1f, imageAspect);
        return (imageAspect + (2f * border)) / (1f + (2f * border));
    }

    private static float TotalTravel(IReadOnlyList<ActionCue> actions, float duration)
    {
        var span = duration / Math.Max(1, actions.Count);
        return actions.Sum(a => Motion.NaturalTravel(a.Kind, span * a.Pace));
    }

    /// <summary>
    /// Scales the subject's travel down until the whole of its motion fits in the frame under the
    /// shot's camera (checked at many instants), then moves its start so that it does fit.
    /// </summary>
    /// <remarks>
    /// The travel is cut down only as far as it must be (a search of the largest scale that fits), so a
    /// slower action never goes further than a faster one. Returns null when the subjects do not fit
    /// even standing still (a group is then fitted one by one).
    /// </remarks>
    private static List<ActorPlan>? KeepOnScreen(List<ActorPlan> plans, Shot shot, RenderJob job, ActorPlan? leader)
    {
        var margin = job.Width * 0.02f;
        var room = job.Width - (2f * margin);
        // A shift on the ground moves the subject on screen by the camera's scale, which a zoom changes over the shot.
        var duration = shot.Duration(job.FramesPerSecond);
        var scale = 0.5f * (shot.Camera.At(0f, 0f, float.NaN, job.Width, job.Height).Scale(1f) + shot.Camera.At(1f, duration, float.NaN, job.Width, job.Height).Scale(1f));

        (List<ActorPlan> Plans, bool Fits) At(float travel, float size = 1f)
        {
            var candidates = plans.Select(plan => plan with { TravelScale = travel, Height = plan.Height * size }).ToList();
            var (left, right) = Span(candidates);
            for (var attempt = 0; attempt < 4; attempt++)
            {
                var shift = right - left > room ? (job.Width * 0.5f) - ((left + right) * 0.5f)
                    : left < margin ? margin - left
                    : right > job.Width - margin ? job.Width - margin - right
                    : 0f;
                if (MathF.Abs(shift) < 0.5f)
                {
                    break;
                }

                candidates = candidates.Select(c => c with { HomeX = c.HomeX + (shift / scale) }).ToList();
                (left, right) = Span(candidates);
            }

            return (candidates, left >= margin - 1f && right <= job.Width - margin + 1f);
        }

        (float Left, float Right) Span(List<ActorPlan> candidates)
        {
            // A tracking camera follows the first subject: within the first's group, that is the candidate.
            var extents = candidates.Select(c => Extent(c, shot, job, leader ?? candidates[0])).ToList();
            return (extents.Min(e => e.Left), extents.Max(e => e.Right));
        }

        var best = At(1f);
        if (best.Fits)
        {
            return best.Plans;
        }

        best = At(0f);
        if (!best.Fits)
        {
            if (plans.Count > 1)
            {
                return null;
            }

            // Too wide even standing still (a close camera on a wide subject): smaller, and centred.
            var size = 1f;
            for (var attempt = 0; attempt < 4 && !best.Fits; attempt++)
            {
                size *= 0.8f;
                best = At(0f, size);
            }

            return best.Plans;
        }

        // The travel is cut down only as far as it must be, so a slower action never goes further than a faster one.
        var (low, high) = (0f, 1f);
        for (var step = 0; step < 10; step++)
        {
            var middle = (low + high) * 0.5f;
            var trial = At(middle);
            if (trial.Fits)
            {
                (low, best) = (middle, trial);
            }
            else
            {
                high = middle;
            }
        }

        return best.Plans;
    }

    /// <summary>The leftmost and rightmost screen x the subject reaches during the shot.</summary>
    private static (float Left, float Right) Extent(ActorPlan plan, Shot shot, RenderJob job, ActorPlan? leader)
    {
        const int samples = 32;
        var duration = shot.Duration(job.FramesPerSecond);
        var left = float.MaxValue;
        var right = float.MinValue;
        for (var s = 0; s <= samples; s++)
        {
            var progress = s / (float)samples;
            var pose = Motion.Evaluate(plan, progress, progress * duration, duration, job.Width);
            // A tracking camera follows the first subject.
            var trackX = leader is null ? pose.X : Motion.Evaluate(leader, progress, progress * duration, duration, job.Width).X;
            var camera = shot.Camera.At(progress, progress * duration, trackX, job.Width, job.Height);
            var feet = camera.ToScreen(new SKPoint(pose.X, pose.Y), 1f);
            var half = plan.Width * pose.Size * camera.Scale(1f) * 0.5f;
            left = MathF.Min(left, feet.X - half);
            right = MathF.Max(right, feet.X + half);
        }

        return (left, right);
    }

    /// <summary>Raises a subject whose feet a camera move (a push in, a tilt) would take below the picture.</summary>
    private static ActorPlan KeepFeetInPicture(ActorPlan plan, Shot shot, RenderJob job, ActorPlan? leader, float pictureBottom)
    {
        if (plan.Bust)
        {
            return plan;
        }

        const int samples = 24;
        var duration = shot.Duration(job.FramesPerSecond);
        var excess = 0f;
        for (var s = 0; s <= samples; s++)
        {
            var progress = s / (float)samples;
            var pose = Motion.Evaluate(plan, progress, progress * duration, duration, job.Width);
            var trackX = leader is null ? pose.X : Motion.Evaluate(leader, progress, progress * duration, duration, job.Width).X;
            var camera = shot.Camera.At(progress, progress * duration, trackX, job.Width, job.Height);
            var feet = camera.ToScreen(new SKPoint(pose.X, pose.Y + pose.Lift), 1f);
            excess = MathF.Max(excess, (feet.Y - (pictureBottom - (job.Height * 0.015f))) / camera.Scale(1f));
        }

        return excess > 0f ? plan with { GroundY = plan.GroundY - excess } : plan;
    }

    /// <summary>
    /// Makes a subject smaller when, under the shot's camera, the top of it would leave the picture (a
    /// big subject that leaps, a close framing): the highest it gets then touches the top margin.
    /// </summary>
    private static ActorPlan KeepHeadInPicture(ActorPlan plan, Shot shot, RenderJob job)
    {
        const int samples = 24;
        var duration = shot.Duration(job.FramesPerSecond);
        var margin = job.Height * 0.02f;
        var fit = 1f;
        for (var s = 0; s <= samples; s++)
        {
            var progress = s / (float)samples;
            var pose = Motion.Evaluate(plan, progress, progress * duration, duration, job.Width);
            var camera = shot.Camera.At(progress, progress * duration, pose.X, job.Width, job.Height);
            var ground = camera.ToScreen(new SKPoint(pose.X, pose.Y + pose.Lift), 1f).Y;
            var top = camera.ToScreen(new SKPoint(pose.X, pose.Y - (plan.Height * pose.Size * MathF.Max(1f, pose.ScaleY))), 1f).Y;
            if (top < margin && ground > margin && ground > top)
            {
                fit = MathF.Min(fit, (ground - margin) / (ground - top));
            }
        }

        return fit < 1f ? plan with { Height = plan.Height * MathF.Max(fit, 0.3f) } : plan;
    }

    /// <summary>How far the subject pokes out of the frame at worst (pixels), and on average (signed, to move it back by).</summary>
    private static float Overflow(ActorPlan plan, Shot shot, RenderJob job, ActorPlan? leader, out float shift)
    {
        const int samples = 24;
        var duration = shot.Duration(job.FramesPerSecond);
        var worst = 0f;
        var total = 0f;
        for (var s = 0; s <= samples; s++)
        {
            var progress = s / (float)samples;
            var pose = Motion.Evaluate(plan, progress, progress * duration, duration, job.Width);
            // A tracking camera follows the first subject.
            var trackX = leader is null ? pose.X : Motion.Evaluate(leader, progress, progress * duration, duration, job.Width).X;
            var camera = shot.Camera.At(progress, progress * duration, trackX, job.Width, job.Height);
            var feet = camera.ToScreen(new SKPoint(pose.X, pose.Y), 1f);
            var half = plan.Width * pose.Size * camera.Scale(1f) * 0.5f;
            var margin = job.Width * 0.02f;
            var left = margin - (feet.X - half);
            var right = (feet.X + half) - (job.Width - margin);
            var over = MathF.Max(0f, MathF.Max(left, right));
            worst = MathF.Max(worst, over);
            total += left > 0f ? left : right > 0f ? -right : 0f;
        }

        shift = total / (samples + 1);
        return worst;
    }

    /// <summary>A subject of a draft shot: reference <see cref="Slot"/>, or a stand-in (slot -1).</summary>
    private sealed record DraftActor(int Slot, IReadOnlyList<ActionCue> Actions, StandInCue? StandIn = null)
    {
        /// <summary>Who it is, whichever kind: the same subject in two shots has the same key.</summary>
        public string Key => StandIn?.Identity ?? $"slot{Slot}";
    }

    private sealed class Draft(ShotCues cues, TransitionKind transition, float weight)
    {
        public ShotCues Cues { get; } = cues;

        public TransitionKind Transition { get; } = transition;

        public float Weight { get; set; } = weight;

        public int? SetSlot { get; set; }

        public SettingKind? Setting { get; set; }

        public List<DraftActor> Actors { get; } = [];

        /// <summary>The same place, light and camera, dissolving in, with a cast of its own.</summary>
        public Draft Continuation(float weight) => new(Cues, TransitionKind.Dissolve, weight)
        {
            Setting = SetSlot is null ? Setting : null,
        };
    }
}
