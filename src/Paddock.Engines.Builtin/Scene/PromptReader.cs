using Paddock.Core.Prompts;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>
/// Reads a prompt into shots with the lexicon. Sentences and the lexicon's break phrases ("then",
/// "cut to", "meanwhile") split shots; in each, image mentions are subjects (or the set, after "in",
/// "through", ... or before "as the background"), and so are the lexicon's subjects ("a fox", "the
/// robot"): those the renderer draws as stand-ins, unless the noun only describes an image next to it
/// ("Image 1, a fox,"). An "Image N" of a request with no images at all is a stand-in too. Actions go to
/// the subjects named before them, and camera moves, looks, settings and particles are collected. A sentence that names nobody and
/// no action or place ("It is night.") describes the shot before it rather than starting one.
/// Unknown words are skipped; no input makes it throw.
/// </summary>
internal static class PromptReader
{
    /// <summary>More than the API allows (5000); a longer prompt is read up to here.</summary>
    internal const int MaxCharacters = 20_000;

    internal const int MaxShots = 12;

    private const int MaxTokens = 6_000;

    /// <summary>How far after a negation ("no", "without") cues are ignored, in tokens.</summary>
    private const int NegationReach = 3;

    private const string MentionPrefix = "\u0001";

    /// <summary>The most images a request can have: an "Image 12" of a request with none is not cast.</summary>
    private const int MaxStandInImages = 9;

    public static IReadOnlyList<ShotCues> Read(string? prompt, int referenceCount, Lexicon? lexicon = null)
    {
        lexicon ??= Lexicon.Default;
        var text = prompt ?? string.Empty;
        if (text.Length > MaxCharacters)
        {
            text = text[..MaxCharacters];
        }

        var cast = new Cast(Math.Max(0, referenceCount), lexicon);
        var segments = Split(Tokens(text, cast.ReferenceCount), lexicon);
        var raw = segments.Select(segment => ReadSegment(segment.Tokens, segment.Transition, lexicon, cast)).ToList();
        var shots = Merge(raw, out var whole);
        return Resolve(shots, whole, cast);
    }

    /// <summary>Tokens with mention tokens (one per image mention) and sentence ends ("" tokens).</summary>
    private static List<string> Tokens(string text, int referenceCount)
    {
        var tokens = new List<string>();
        var position = 0;
        foreach (var mention in ReferenceMentions.Find(text))
        {
            AddText(text.AsSpan(position, mention.Position - position), tokens);
            // An image the job does not have is ignored, like any unknown word; without any images, "Image 1" is a stand-in.
            var known = referenceCount == 0 ? mention.ImageIndex <= MaxStandInImages : mention.ImageIndex <= referenceCount;
            if (mention.NamesAnImage && known && tokens.Count < MaxTokens)
            {
                tokens.Add(MentionPrefix + mention.ImageIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            position = mention.Position + mention.Length;
        }

        AddText(text.AsSpan(position), tokens);
        return tokens;
    }

    private static void AddText(ReadOnlySpan<char> text, List<string> tokens)
    {
        var start = 0;
        for (var i = 0; i < text.Length && tokens.Count < MaxTokens; i++)
        {
            if (!IsSentenceEnd(text, i))
            {
                continue;
            }

            Lexicon.Tokenize(text[start..i], tokens, MaxTokens);
            tokens.Add(string.Empty);
            start = i + 1;
        }

        if (start < text.Length)
        {
            Lexicon.Tokenize(text[start..], tokens, MaxTokens);
        }
    }

    private static bool IsSentenceEnd(ReadOnlySpan<char> text, int i) => text[i] switch
    {
        // "1.5" is a number, not the end of a sentence.
        '.' => !(i > 0 && i + 1 < text.Length && char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1])),
        '!' or '?' or ';' or '\n' or '\u2026' or '\u3002' or '\uFF01' or '\uFF1F' or '\uFF1B' => true,
        _ => false,
    };

    private static bool IsMention(string token, out int index)
    {
        index = 0;
        return token.StartsWith(MentionPrefix, StringComparison.Ordinal)
            && int.TryParse(token.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }

    private static List<(List<string> Tokens, TransitionKind Transition)> Split(List<string> tokens, Lexicon lexicon)
    {
        var segments = new List<(List<string>, TransitionKind)>();
        var current = new List<string>();
        var transition = TransitionKind.Cut;
        var meanings = new List<Cue>();
        var i = 0;
        while (i < tokens.Count)
        {
            if (tokens[i].Length == 0)
            {
                Flush(TransitionKind.Cut);
                i++;
                continue;
            }

            var length = lexicon.Match(tokens, i, meanings);
            var breaking = meanings.FirstOrDefault(m => m.Kind is CueKind.CutBreak or CueKind.DissolveBreak);
            if (breaking is not null)
            {
                Flush(breaking.Kind == CueKind.CutBreak ? TransitionKind.Cut : TransitionKind.Dissolve);
                i += length;
                continue;
            }

            var take = Math.Max(1, length);
            current.AddRange(tokens.Skip(i).Take(take));
            i += take;
        }

        Flush(TransitionKind.Cut);
        return segments;

        void Flush(TransitionKind next)
        {
            if (current.Count > 0)
            {
                segments.Add((current, transition));
                current = [];
                transition = next;
            }
            else if (next == TransitionKind.Dissolve || segments.Count == 0)
            {
                // "... . Then ..." : the break word after a full stop decides how the next shot begins.
                transition = next;
            }
        }
    }

    private static RawShot ReadSegment(List<string> tokens, TransitionKind transition, Lexicon lexicon, Cast cast)
    {
        var shot = new RawShot(transition, string.Join(' ', tokens.Select(t => IsMention(t, out var n) ? $"image{n}" : t)));
        var meanings = new List<Cue>();
        var scratch = new List<Cue>();
        var group = new List<int>();
        var groupActed = false;
        var negatedUntil = -1;
        var pendingIntensity = (Position: -1, Value: 1f);
        var lastAction = (Position: -10, Count: 0);
        var lastCameraEnd = -1;
        var atmosphereEndsAt = -1;
        var i = 0;
        while (i < tokens.Count)
        {
            if (IsMention(tokens[i], out var image))
            {
                if (NamesSet(tokens, i, lexicon, scratch))
                {
                    // A request without images has no picture to be the place: the words around it still set the scene.
                    if (cast.ReferenceCount > 0 && !shot.SetImages.Contains(image))
                    {
                        shot.SetImages.Add(image);
                    }
                }
                else
                {
                    Join(image, i);
                }

                i++;
                continue;
            }

            var length = lexicon.Match(tokens, i, meanings);
            if (length == 0)
            {
                i++;
                continue;
            }

            if (meanings.Any(m => m.Kind == CueKind.Subject) && meanings.Any(m => m.Kind == CueKind.Camera))
            {
                // "a truck drives" is a truck; ", truck left" is a camera move: a subject has an article or an action.
                var isSubject = (i > 0 && IsKind(tokens, i - 1, 1, CueKind.Article, lexicon, scratch)) || lexicon.StartsWith(tokens, i + length, CueKind.Action, scratch);
                meanings.RemoveAll(m => m.Kind == (isSubject ? CueKind.Camera : CueKind.Subject));
            }

            if (meanings.FirstOrDefault(m => m.Kind == CueKind.Subject) is { Value: SubjectSpec subject } && !(i <= negatedUntil))
            {
                // "Image 1, a fox," or "a dog (image2)": the noun says what the image is; otherwise the noun is a subject of its own.
                if (DescribedImage(tokens, i, length, lexicon, scratch) is { } described)
                {
                    cast.Describe(described, subject);
                }
                else
                {
                    Join(cast.IdOf(subject), i);
                }
            }

            var negated = i <= negatedUntil;
            var afterSubject = SubjectEndsBefore(tokens, i, lexicon, scratch);
            var hasAction = meanings.Any(m => m.Kind == CueKind.Action);
            if (hasAction && meanings.Any(m => m.Kind is CueKind.Setting or CueKind.Atmosphere))
            {
                // "Image 1 leaves" is an action; "autumn leaves" are particles.
                meanings.RemoveAll(m => afterSubject ? m.Kind is CueKind.Setting or CueKind.Atmosphere : m.Kind == CueKind.Action);
            }

            if (meanings.Any(m => m.Kind == CueKind.Intensity))
            {
                // A modifier scales what follows it ("slow zoom out", "heavy rain", "slowly walks"), or else, when it
                // means nothing else, the camera move or action just before it ("zoom out slowly", "runs fast").
                var next = i + length;
                var scalesNext = lexicon.StartsWith(tokens, next, CueKind.Atmosphere, scratch) || lexicon.StartsWith(tokens, next, CueKind.Camera, scratch)
                    || lexicon.StartsWith(tokens, next, CueKind.Action, scratch);
                var factor = (float)meanings.First(m => m.Kind == CueKind.Intensity).Value!;
                if (!scalesNext && !negated && meanings.All(m => m.Kind == CueKind.Intensity))
                {
                    if (lastCameraEnd == i && shot.Camera.Count > 0)
                    {
                        shot.Camera[^1] = shot.Camera[^1] with { Intensity = shot.Camera[^1].Intensity * factor };
                    }
                    else if (i - lastAction.Position <= 3)
                    {
                        SetPace(shot, group, lastAction.Count, factor);
                    }
                }

                meanings.RemoveAll(m => scalesNext ? m.Kind != CueKind.Intensity : m.Kind == CueKind.Intensity);
            }

            var settingIsWeak = meanings.Any(m => m.Kind == CueKind.Atmosphere);
            foreach (var cue in meanings)
            {
                if (negated && cue.Kind is not CueKind.Negation)
                {
                    if (cue is { Kind: CueKind.Atmosphere, Value: AtmosphereKind negatedKind })
                    {
                        shot.NegatedAtmosphere.Add(negatedKind);
                    }

                    continue;
                }

                switch (cue.Kind)
                {
                    case CueKind.Negation:
                        negatedUntil = i + length - 1 + NegationReach;
                        break;
                    case CueKind.Intensity:
                        pendingIntensity = (i + length, (float)cue.Value!);
                        break;
                    case CueKind.Action when cue.Value is ActionKind action:
                        // "petals drifting": the action belongs to the particles, not to a subject.
                        if (atmosphereEndsAt == i)
                        {
                            break;
                        }

                        var pace = pendingIntensity.Position == i ? pendingIntensity.Value : 1f;
                        if (group.Count == 0)
                        {
                            shot.LooseActions.Add(new ActionCue(action, Heading.None, pace));
                            lastAction = (i + length, -1);
                        }
                        else
                        {
                            foreach (var member in group)
                            {
                                shot.Actors.First(a => a.Image == member).Actions.Add(new ActionCue(action, Heading.None, pace));
                            }

                            groupActed = true;
                            lastAction = (i + length, group.Count);
                        }

                        break;
                    case CueKind.Direction when cue.Value is Heading heading && i - lastAction.Position <= 3:
                        SetHeading(shot, group, lastAction.Count, heading);
                        // "walks to the left slowly": a modifier after the direction still belongs to the action.
                        lastAction = (i + length, lastAction.Count);
                        break;
                    case CueKind.Setting when cue.Value is SettingKind setting:
                        if (settingIsWeak)
                        {
                            shot.WeakSetting ??= setting;
                        }
                        else
                        {
                            shot.Setting ??= setting;
                        }

                        break;
                    case CueKind.Atmosphere when cue.Value is AtmosphereKind kind:
                        var intensity = pendingIntensity.Position == i ? pendingIntensity.Value : 1f;
                        var existing = shot.Atmosphere.FindIndex(a => a.Kind == kind);
                        if (existing < 0)
                        {
                            shot.Atmosphere.Add(new AtmosphereCue(kind, intensity));
                        }
                        else
                        {
                            shot.Atmosphere[existing] = new AtmosphereCue(kind, Math.Max(intensity, shot.Atmosphere[existing].Intensity));
                        }

                        atmosphereEndsAt = i + length;
                        break;
                    case CueKind.Camera when cue.Value is CameraSpec spec:
                        shot.Camera.Add(new CameraCue(spec, pendingIntensity.Position == i ? pendingIntensity.Value : 1f));
                        lastCameraEnd = i + length;
                        break;
                    case CueKind.Grade when cue.Value is GradeSpec grade:
                        if (!shot.Grades.Contains(grade))
                        {
                            shot.Grades.Add(grade);
                        }

                        break;
                }
            }

            i += length;
        }

        return shot;

        // A subject joins the group the next action goes to; "with" keeps the group and its action ("a boy walks with a dog"),
        // and so does being what a travelling action goes after ("a fox chases a rabbit": the rabbit runs too).
        void Join(int id, int position)
        {
            var along = groupActed && position > 0 && (IsAlong(tokens, position) || FollowsTravel(tokens, position, lastAction.Position, shot, group));
            if (groupActed && !along)
            {
                group.Clear();
                groupActed = false;
            }

            if (shot.Actors.All(a => a.Image != id))
            {
                var actions = new List<ActionCue>();
                if (along && group.Count > 0)
                {
                    actions.AddRange(shot.Actors.First(a => a.Image == group[^1]).Actions);
                }

                shot.Actors.Add((id, actions));
            }

            if (!group.Contains(id))
            {
                group.Add(id);
            }
        }
    }

    /// <summary>Whether the last action of the group travels and ends right before <paramref name="position"/> (articles aside): its object.</summary>
    private static bool FollowsTravel(List<string> tokens, int position, int actionEnd, RawShot shot, List<int> group)
    {
        var before = position;
        while (before > 0 && tokens[before - 1] is "a" or "an" or "the" or "his" or "her" or "its" or "their" or "my" or "our" or "after")
        {
            before--;
        }

        return before == actionEnd && group.Count > 0
            && shot.Actors.First(a => a.Image == group[^1]).Actions is [.., var last] && Motion.NaturalTravel(last.Kind, 1f) > 0f;
    }

    /// <summary>"with", "alongside", "along with", "together with" (and an article) right before <paramref name="position"/>.</summary>
    private static bool IsAlong(List<string> tokens, int position)
    {
        var before = position;
        while (before > 0 && tokens[before - 1] is "a" or "an" or "the" or "his" or "her" or "its" or "their" or "my" or "our")
        {
            before--;
        }

        return before > 0 && tokens[before - 1] is "with" or "alongside" or "beside";
    }

    /// <summary>The image a subject noun stands next to ("Image 1 the fox", "a fox (Image 1)"), skipping articles and commas.</summary>
    private static int? DescribedImage(List<string> tokens, int position, int length, Lexicon lexicon, List<Cue> scratch)
    {
        var before = position;
        while (before > 0 && (tokens[before - 1] == "," || IsKind(tokens, before - 1, 1, CueKind.Article, lexicon, scratch)))
        {
            before--;
        }

        if (before > 0 && IsMention(tokens[before - 1], out var previous))
        {
            return previous;
        }

        var after = position + length;
        while (after < tokens.Count && (tokens[after] == "," || IsKind(tokens, after, 1, CueKind.Article, lexicon, scratch)))
        {
            after++;
        }

        return after < tokens.Count && IsMention(tokens[after], out var next) ? next : null;
    }

    private static void SetHeading(RawShot shot, List<int> group, int count, Heading heading)
    {
        if (count < 0 && shot.LooseActions.Count > 0)
        {
            shot.LooseActions[^1] = shot.LooseActions[^1] with { Heading = heading };
            return;
        }

        foreach (var member in group)
        {
            var actions = shot.Actors.First(a => a.Image == member).Actions;
            if (actions.Count > 0)
            {
                actions[^1] = actions[^1] with { Heading = heading };
            }
        }
    }

    private static void SetPace(RawShot shot, List<int> group, int count, float pace)
    {
        if (count < 0 && shot.LooseActions.Count > 0)
        {
            shot.LooseActions[^1] = shot.LooseActions[^1] with { Pace = shot.LooseActions[^1].Pace * pace };
            return;
        }

        foreach (var member in group)
        {
            var actions = shot.Actors.First(a => a.Image == member).Actions;
            if (actions.Count > 0)
            {
                actions[^1] = actions[^1] with { Pace = actions[^1].Pace * pace };
            }
        }
    }

    /// <summary>Whether a subject (an image, a pronoun) ends right before <paramref name="position"/>, modifiers aside: "Image 1 slowly leaves".</summary>
    private static bool SubjectEndsBefore(List<string> tokens, int position, Lexicon lexicon, List<Cue> scratch)
    {
        var end = position;
        while (end > 0 && IsModifier(tokens, end, lexicon, scratch, out var start))
        {
            end = start;
        }

        return end > 0 && (IsMention(tokens[end - 1], out _) || KindEndsAt(tokens, end, CueKind.Pronoun, lexicon, scratch)
            || KindEndsAt(tokens, end, CueKind.Subject, lexicon, scratch));
    }

    /// <summary>Whether a phrase that only modifies ("slowly", "very fast") ends at <paramref name="end"/>, and where it starts.</summary>
    private static bool IsModifier(List<string> tokens, int end, Lexicon lexicon, List<Cue> scratch, out int start)
    {
        for (start = Math.Max(0, end - 2); start < end; start++)
        {
            if (lexicon.Match(tokens, start, scratch) == end - start && scratch.Count > 0 && scratch.All(c => c.Kind == CueKind.Intensity))
            {
                return true;
            }
        }

        return false;
    }

    private static bool KindEndsAt(List<string> tokens, int position, CueKind kind, Lexicon lexicon, List<Cue> scratch)
    {
        for (var start = Math.Max(0, position - 3); start < position; start++)
        {
            var length = lexicon.Match(tokens, start, scratch);
            if (start + length == position && scratch.Any(c => c.Kind == kind))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"in Image 2", "through the image2", "the world of Image 2", "Image 2 as the background".</summary>
    private static bool NamesSet(List<string> tokens, int position, Lexicon lexicon, List<Cue> scratch)
    {
        var before = position;
        while (before > 0 && IsKind(tokens, before - 1, 1, CueKind.Article, lexicon, scratch))
        {
            before--;
        }

        for (var start = Math.Max(0, before - 3); start < before; start++)
        {
            if (IsKind(tokens, start, before - start, CueKind.SetBefore, lexicon, scratch))
            {
                return true;
            }
        }

        if (before >= 2 && tokens[before - 1] == "of" && IsKind(tokens, before - 2, 1, CueKind.SetNoun, lexicon, scratch))
        {
            return true;
        }

        var after = position + 1;
        if (after < tokens.Count && tokens[after] == "as")
        {
            after++;
            while (after < tokens.Count && IsKind(tokens, after, 1, CueKind.Article, lexicon, scratch))
            {
                after++;
            }
        }

        return after < tokens.Count && IsKind(tokens, after, 1, CueKind.SetNoun, lexicon, scratch);
    }

    private static bool IsKind(List<string> tokens, int start, int length, CueKind kind, Lexicon lexicon, List<Cue> scratch) =>
        lexicon.Match(tokens, start, scratch) == length && scratch.Any(c => c.Kind == kind);

    /// <summary>
    /// A segment that names nobody, no action and no place describes rather than shows: between
    /// shots it joins the one before; before the first shot or after the last ("Black and white.",
    /// "Cinematic lighting.") it describes the whole clip and is returned as <paramref name="whole"/>.
    /// </summary>
    private static List<RawShot> Merge(List<RawShot> raw, out RawShot whole)
    {
        whole = new RawShot(TransitionKind.Cut, string.Empty);
        var first = raw.FindIndex(s => s.HasContent);
        var last = raw.FindLastIndex(s => s.HasContent);
        var shots = new List<RawShot>();
        for (var i = 0; i < raw.Count; i++)
        {
            var shot = raw[i];
            if (shot.HasContent)
            {
                shots.Add(shot);
            }
            else if (first < 0 || i < first || i > last)
            {
                whole.Absorb(shot, prepend: false);
            }
            else
            {
                shots[^1].Absorb(shot, prepend: false);
            }
        }

        if (shots.Count == 0)
        {
            // Only description: one shot of it.
            shots.Add(new RawShot(TransitionKind.Cut, whole.Text.Trim(' ', '.')));
        }

        // Beyond the most shots a clip has room for, the rest of the prompt continues the last shot.
        while (shots.Count > MaxShots)
        {
            shots[MaxShots - 1].Absorb(shots[MaxShots], prepend: false);
            shots.RemoveAt(MaxShots);
        }

        return shots;
    }

    private static List<ShotCues> Resolve(List<RawShot> raw, RawShot whole, Cast cast)
    {
        var resolved = new List<ShotCues>(raw.Count);
        IReadOnlyList<ActorCue> actors = [];
        IReadOnlyList<GradeSpec> grades = [];
        IReadOnlyList<AtmosphereCue> atmosphere = [];
        IReadOnlyList<int> setImages = [];
        SettingKind? setting = null;
        foreach (var shot in raw)
        {
            if (shot.Actors.Count > 0)
            {
                // Actions said before anyone is named ("Dancing, Image 1 ...") go to those who have none.
                actors = shot.Actors.Select(a => cast.Cue(a.Image, a.Actions.Count > 0 ? [.. a.Actions] : [.. shot.LooseActions])).OfType<ActorCue>().ToList();
            }
            else
            {
                // "She jumps": the cast of the shot before, doing what this shot says.
                actors = actors.Select(a => a with { Actions = [.. shot.LooseActions] }).ToList();
            }

            var stated = shot.Setting ?? shot.WeakSetting;
            var changedPlace = stated is not null && stated != setting || shot.SetImages.Count > 0;
            if (shot.SetImages.Count > 0)
            {
                setImages = [.. shot.SetImages];
                setting = stated;
            }
            else if (stated is not null)
            {
                setImages = [];
                setting = stated;
            }

            if (shot.Grades.Count > 0)
            {
                grades = [.. shot.Grades];
            }

            if (shot.Atmosphere.Count > 0)
            {
                atmosphere = [.. shot.Atmosphere];
            }
            else if (changedPlace)
            {
                atmosphere = [];
            }

            atmosphere = atmosphere.Where(a => !shot.NegatedAtmosphere.Contains(a.Kind)).ToList();
            // What describes the whole clip adds to every shot; a shot's own camera move wins over the clip's.
            var shotGrades = grades.Concat(whole.Grades.Where(g => !grades.Contains(g))).ToList();
            var shotAtmosphere = atmosphere.Concat(whole.Atmosphere.Where(a => atmosphere.All(mine => mine.Kind != a.Kind) && !shot.NegatedAtmosphere.Contains(a.Kind))).ToList();
            var camera = shot.Camera.Count > 0 ? shot.Camera : whole.Camera;
            resolved.Add(new ShotCues(shot.Transition, actors, [.. shot.LooseActions], setImages, setting, stated is not null, [.. camera], shotGrades, shotAtmosphere, shot.Text));
        }

        // Shots before the first named place are in that place too, rather than somewhere the seed picks.
        var first = resolved.FirstOrDefault(s => s.Setting is not null || s.SetImages.Count > 0);
        if (first?.Setting is { } firstSetting && first.SetImages.Count == 0)
        {
            for (var i = 0; i < resolved.Count && resolved[i] != first; i++)
            {
                resolved[i] = resolved[i] with { Setting = firstSetting };
            }
        }

        return resolved;
    }

    /// <summary>
    /// Who the prompt's subjects are: reference images by number (positive ids), the lexicon's subjects
    /// by name (negative ids, one per subject however often it is named), and what each "Image N" of a
    /// request without images is said to be ("Image 1, a fox,").
    /// </summary>
    private sealed class Cast(int referenceCount, Lexicon lexicon)
    {
        private readonly List<SubjectSpec> _subjects = [];
        private readonly Dictionary<int, SubjectSpec> _described = [];

        public int ReferenceCount { get; } = referenceCount;

        public int IdOf(SubjectSpec subject)
        {
            var index = _subjects.FindIndex(s => s.Name == subject.Name);
            if (index < 0)
            {
                _subjects.Add(subject);
                index = _subjects.Count - 1;
            }

            return -(index + 1);
        }

        public void Describe(int image, SubjectSpec subject)
        {
            if (ReferenceCount == 0)
            {
                _described.TryAdd(image, subject);
            }
        }

        /// <summary>The cue for an actor id; null for an "Image N" there is nothing to draw for (a lexicon without a stand-in).</summary>
        public ActorCue? Cue(int id, IReadOnlyList<ActionCue> actions)
        {
            if (id < 0)
            {
                var subject = _subjects[-id - 1];
                return new ActorCue(0, actions, new StandInCue(subject, subject.Name));
            }

            if (ReferenceCount > 0)
            {
                return new ActorCue(id, actions);
            }

            var figure = _described.GetValueOrDefault(id) ?? lexicon.StandIn;
            return figure is null ? null : new ActorCue(id, actions, new StandInCue(figure, $"image{id}"));
        }
    }

    /// <summary>One segment as read, before merging and carrying cues forward.</summary>
    private sealed class RawShot(TransitionKind transition, string text)
    {
        public TransitionKind Transition { get; } = transition;

        public string Text { get; private set; } = text;

        public List<(int Image, List<ActionCue> Actions)> Actors { get; } = [];

        public List<ActionCue> LooseActions { get; } = [];

        public List<int> SetImages { get; } = [];

        public SettingKind? Setting { get; set; }

        public SettingKind? WeakSetting { get; set; }

        public List<CameraCue> Camera { get; } = [];

        public List<GradeSpec> Grades { get; } = [];

        public List<AtmosphereCue> Atmosphere { get; } = [];

        public HashSet<AtmosphereKind> NegatedAtmosphere { get; } = [];

        public bool HasContent => Actors.Count > 0 || LooseActions.Count > 0 || SetImages.Count > 0 || Setting is not null || WeakSetting is not null;

        public void Absorb(RawShot other, bool prepend)
        {
            foreach (var actor in other.Actors.Where(a => Actors.All(mine => mine.Image != a.Image)))
            {
                Actors.Add(actor);
            }

            LooseActions.AddRange(other.LooseActions);
            SetImages.AddRange(other.SetImages.Where(i => !SetImages.Contains(i)));
            Setting ??= other.Setting;
            WeakSetting ??= other.WeakSetting;
            Camera.AddRange(other.Camera);
            Grades.AddRange(other.Grades.Where(g => !Grades.Contains(g)));
            foreach (var cue in other.Atmosphere.Where(a => Atmosphere.All(mine => mine.Kind != a.Kind)))
            {
                Atmosphere.Add(cue);
            }

            NegatedAtmosphere.UnionWith(other.NegatedAtmosphere);
            Text = prepend ? $"{other.Text}. {Text}" : $"{Text}. {other.Text}";
        }
    }
}
