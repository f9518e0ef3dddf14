using System.Text;
using System.Text.Json;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Scene;

/// <summary>What one lexicon phrase means.</summary>
internal enum CueKind
{
    CutBreak,
    DissolveBreak,
    Action,
    Subject,
    Direction,
    Setting,
    Atmosphere,
    Camera,
    Grade,
    Intensity,
    Pronoun,
    Negation,
    Connector,
    Article,
    SetBefore,
    SetNoun,
}

/// <summary>One meaning of a phrase; <see cref="Value"/> is the enum, spec or factor the kind calls for.</summary>
internal sealed record Cue(CueKind Kind, string Name, int Words, object? Value);

/// <summary>
/// The words the renderer understands, loaded from <c>Scene/Lexicon.json</c> (an embedded resource).
/// Phrases are stored as token sequences and matched longest first at each position of a prompt,
/// so "pan left" beats "pan", and "close-up" beats nothing. A phrase may carry several meanings
/// ("snow" is a setting and an atmosphere); the prompt reader decides between them.
/// </summary>
internal sealed class Lexicon
{
    private const string ResourceName = "Paddock.Engines.Builtin.Scene.Lexicon.json";

    private static readonly Lazy<Lexicon> Embedded = new(LoadEmbedded);

    /// <summary>First token → phrases starting with it, longest first.</summary>
    private readonly Dictionary<string, List<(string[] Tokens, Cue Cue)>> _index = new(StringComparer.Ordinal);

    private Lexicon()
    {
    }

    public static Lexicon Default => Embedded.Value;

    /// <summary>The lights a take may be in when the prompt names none (the <c>takes.lights</c> grades).</summary>
    public IReadOnlyList<GradeSpec> TakeLights { get; private set; } = [];

    /// <summary>The subject drawn for an "Image N" the request has no image for (the entry marked <c>stands_in</c>).</summary>
    public SubjectSpec? StandIn { get; private set; }

    /// <summary>How many phrases, over all kinds: a measure of how much the renderer understands.</summary>
    public int PhraseCount { get; private set; }

    /// <summary>The meanings of the longest phrase starting at <paramref name="position"/>, and its length in tokens (0 when none).</summary>
    public int Match(IReadOnlyList<string> tokens, int position, List<Cue> meanings)
    {
        meanings.Clear();
        if (position >= tokens.Count || !_index.TryGetValue(tokens[position], out var candidates))
        {
            return 0;
        }

        var best = 0;
        foreach (var (phrase, cue) in candidates)
        {
            if (phrase.Length < best)
            {
                break;
            }

            if (position + phrase.Length > tokens.Count || !Matches(tokens, position, phrase))
            {
                continue;
            }

            best = phrase.Length;
            meanings.Add(cue);
        }

        return best;
    }

    /// <summary>Whether the phrase at <paramref name="position"/> has a meaning of <paramref name="kind"/> (longest match, like <see cref="Match"/>).</summary>
    public bool StartsWith(IReadOnlyList<string> tokens, int position, CueKind kind, List<Cue> scratch)
    {
        Match(tokens, position, scratch);
        foreach (var cue in scratch)
        {
            if (cue.Kind == kind)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Splits text into lowercase word tokens: runs of letters and digits (any script) with inner
    /// apostrophes, plus "&amp;" and "," as tokens of their own. Everything else separates words.
    /// </summary>
    public static void Tokenize(ReadOnlySpan<char> text, List<string> tokens, int maxTokens = int.MaxValue)
    {
        var word = new StringBuilder();
        for (var i = 0; i <= text.Length && tokens.Count < maxTokens; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            var apostrophe = c is '\'' or '\u2019' && word.Length > 0 && i + 1 < text.Length && char.IsLetter(text[i + 1]);
            if (char.IsLetterOrDigit(c) || apostrophe)
            {
                word.Append(apostrophe ? '\'' : char.ToLowerInvariant(c));
                continue;
            }

            if (word.Length > 0)
            {
                tokens.Add(word.ToString());
                word.Clear();
            }

            if (c is '&' or ',' && tokens.Count < maxTokens)
            {
                tokens.Add(c.ToString());
            }
        }
    }

    /// <summary>Parses a lexicon document (the embedded one, or another in tests).</summary>
    /// <exception cref="InvalidDataException">The document names something the renderer does not know.</exception>
    public static Lexicon Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var lexicon = new Lexicon();

        foreach (var (name, phrases) in Groups(root, "breaks"))
        {
            var kind = name switch
            {
                "cut" => CueKind.CutBreak,
                "dissolve" => CueKind.DissolveBreak,
                _ => throw new InvalidDataException($"Lexicon breaks: unknown kind '{name}' (cut or dissolve)."),
            };
            lexicon.Add(kind, name, null, phrases);
        }

        foreach (var entry in Entries(root, "subjects"))
        {
            var subject = ParseSubject(entry.Name, entry.Value);
            lexicon.Add(CueKind.Subject, entry.Name, subject, Phrases(entry.Value, $"subjects.{entry.Name}"));
            if (subject.StandsIn)
            {
                lexicon.StandIn ??= subject;
            }
        }

        foreach (var (name, phrases) in Groups(root, "actions"))
        {
            lexicon.Add(CueKind.Action, name, ParseEnum<ActionKind>(name, "actions"), phrases);
        }

        foreach (var (name, phrases) in Groups(root, "directions"))
        {
            lexicon.Add(CueKind.Direction, name, ParseEnum<Heading>(name, "directions"), phrases);
        }

        foreach (var (name, phrases) in Groups(root, "settings"))
        {
            lexicon.Add(CueKind.Setting, name, ParseEnum<SettingKind>(name, "settings"), phrases);
        }

        foreach (var (name, phrases) in Groups(root, "atmospheres"))
        {
            lexicon.Add(CueKind.Atmosphere, name, ParseEnum<AtmosphereKind>(name, "atmospheres"), phrases);
        }

        if (root.TryGetProperty("intensity", out var intensity))
        {
            foreach (var entry in intensity.EnumerateObject().Where(e => !e.Name.StartsWith('$')))
            {
                lexicon.Add(CueKind.Intensity, entry.Name, Math.Clamp(entry.Value.GetSingle(), 0.1f, 4f), [entry.Name]);
            }
        }

        var cameras = new Dictionary<string, CameraSpec>(StringComparer.Ordinal);
        foreach (var entry in Entries(root, "cameras"))
        {
            var camera = cameras[entry.Name] = ParseCamera(entry.Name, entry.Value);
            lexicon.Add(CueKind.Camera, entry.Name, camera, Phrases(entry.Value, $"cameras.{entry.Name}"));
        }

        foreach (var entry in Entries(root, "grades"))
        {
            lexicon.Add(CueKind.Grade, entry.Name, ParseGrade(entry.Name, entry.Value, cameras), Phrases(entry.Value, $"grades.{entry.Name}"));
        }

        if (root.TryGetProperty("takes", out var takes) && takes.TryGetProperty("lights", out var lights))
        {
            var grades = lexicon._index.Values.SelectMany(list => list).Select(p => p.Cue.Value).OfType<GradeSpec>().DistinctBy(g => g.Name).ToDictionary(g => g.Name);
            lexicon.TakeLights = Strings(lights, "takes.lights").Select(name => grades.TryGetValue(name, out var grade)
                ? grade
                : throw new InvalidDataException($"Lexicon takes.lights: no grade named '{name}'.")).ToList();
        }

        foreach (var (name, phrases) in Groups(root, "words"))
        {
            var kind = name switch
            {
                "pronouns" => CueKind.Pronoun,
                "negations" => CueKind.Negation,
                "connectors" => CueKind.Connector,
                "articles" => CueKind.Article,
                "set_before" => CueKind.SetBefore,
                "set_nouns" => CueKind.SetNoun,
                _ => throw new InvalidDataException($"Lexicon words: unknown list '{name}'."),
            };
            lexicon.Add(kind, name, null, phrases);
        }

        // Longest phrases first, so the first match found at a position is the one to keep.
        foreach (var list in lexicon._index.Values)
        {
            list.Sort((a, b) => b.Tokens.Length.CompareTo(a.Tokens.Length));
        }

        lexicon.RefuseShadowingModifiers();
        return lexicon;
    }

    /// <summary>
    /// A camera or action phrase that starts with a modifier followed by another camera or action
    /// phrase ("slow zoom") would win over the modifier by being longer, and swallow what follows
    /// ("slow zoom out" read as a zoom in). Such a phrase is refused: the modifier already scales
    /// whatever comes after it.
    /// </summary>
    private void RefuseShadowingModifiers()
    {
        var meanings = new List<Cue>();
        foreach (var (phrase, cue) in _index.Values.SelectMany(list => list).Where(p => p.Cue.Kind is CueKind.Camera or CueKind.Action))
        {
            for (var split = 1; split < phrase.Length; split++)
            {
                var head = phrase[..split];
                var rest = phrase[split..];
                var headIsModifier = _index.TryGetValue(head[0], out var heads)
                    && heads.Any(h => h.Cue.Kind == CueKind.Intensity && h.Tokens.AsSpan().SequenceEqual(head));
                if (headIsModifier && Match(rest, 0, meanings) > 0 && meanings.Any(m => m.Kind is CueKind.Camera or CueKind.Action))
                {
                    throw new InvalidDataException(
                        $"Lexicon {cue.Kind.ToString().ToLowerInvariant()} '{string.Join(' ', phrase)}' starts with the modifier '{string.Join(' ', head)}': write '{string.Join(' ', rest)}' alone, the modifier scales it.");
                }
            }
        }
    }

    private static Lexicon LoadEmbedded()
    {
        using var stream = typeof(Lexicon).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return Parse(reader.ReadToEnd());
    }

    private void Add(CueKind kind, string name, object? value, IEnumerable<string> phrases)
    {
        var tokens = new List<string>();
        foreach (var phrase in phrases)
        {
            tokens.Clear();
            Tokenize(phrase, tokens);
            if (tokens.Count == 0)
            {
                continue;
            }

            var cue = new Cue(kind, name, tokens.Count, value);
            if (!_index.TryGetValue(tokens[0], out var list))
            {
                _index[tokens[0]] = list = [];
            }

            list.Add(([.. tokens], cue));
            PhraseCount++;
        }
    }

    private static bool Matches(IReadOnlyList<string> tokens, int position, string[] phrase)
    {
        for (var i = 1; i < phrase.Length; i++)
        {
            if (!string.Equals(tokens[position + i], phrase[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<JsonProperty> Entries(JsonElement root, string section) =>
        root.TryGetProperty(section, out var element) && element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject().Where(e => !e.Name.StartsWith('$')).ToList()
            : [];

    private static IEnumerable<(string Name, IEnumerable<string> Phrases)> Groups(JsonElement root, string section) =>
        Entries(root, section).Select(e => (e.Name, (IEnumerable<string>)Strings(e.Value, $"{section}.{e.Name}"))).ToList();

    private static IEnumerable<string> Phrases(JsonElement entry, string where) =>
        entry.TryGetProperty("phrases", out var phrases)
            ? Strings(phrases, where)
            : throw new InvalidDataException($"Lexicon {where}: no phrases.");

    private static List<string> Strings(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Array
            ? element.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
            : throw new InvalidDataException($"Lexicon {where}: expected a list of phrases.");

    private static T ParseEnum<T>(string name, string section)
        where T : struct, Enum =>
        Enum.TryParse<T>(name.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidDataException($"Lexicon {section}: the renderer has no '{name}' (it knows {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}).");

    private static CameraSpec ParseCamera(string name, JsonElement entry)
    {
        (float, float)? Pair(string field) =>
            entry.TryGetProperty(field, out var value)
                ? (Math.Clamp(value[0].GetSingle(), 0.5f, 2.5f), Math.Clamp(value[1].GetSingle(), 0.5f, 2.5f))
                : null;
        float? Number(string field, float min, float max) =>
            entry.TryGetProperty(field, out var value) ? Math.Clamp(value.GetSingle(), min, max) : null;
        bool Flag(string field) => entry.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.True;

        SKPoint? pan = entry.TryGetProperty("pan", out var p) ? new SKPoint(Math.Clamp(p[0].GetSingle(), -1f, 1f), Math.Clamp(p[1].GetSingle(), -1f, 1f)) : null;
        // "orbit": 1 circles right, -1 left, "either" lets the seed pick.
        var orbitEither = entry.TryGetProperty("orbit", out var o) && o.ValueKind == JsonValueKind.String;
        if (orbitEither && o.GetString() != "either")
        {
            throw new InvalidDataException($"Lexicon cameras.{name}.orbit: '{o.GetString()}' is not 1, -1 or 'either'.");
        }

        var orbit = orbitEither ? 1f : Number("orbit", -1f, 1f) ?? 0f;
        return new CameraSpec(name, Pair("zoom"), Pair("dolly"), pan, Flag("vertical"), orbit, Flag("track"),
            Number("shake", 0f, 3f) ?? 0f, Flag("static"), Number("speed", 0.1f, 4f), Number("frame", 0.8f, 2f), Number("parallax", 0f, 1f), orbitEither);
    }

    private static SubjectSpec ParseSubject(string name, JsonElement entry)
    {
        var figure = entry.TryGetProperty("figure", out var f) && f.ValueKind == JsonValueKind.String
            ? ParseEnum<FigureKind>(f.GetString() ?? "", $"subjects.{name}.figure")
            : throw new InvalidDataException($"Lexicon subjects.{name}: no figure (quadruped, person, robot, bird, ball, vehicle or fish).");
        var size = entry.TryGetProperty("size", out var sizeValue) ? Math.Clamp(sizeValue.GetSingle(), 0.05f, 3f) : 1f;
        var colors = new Dictionary<string, SKColor[]>(StringComparer.Ordinal);
        if (entry.TryGetProperty("colors", out var colorsElement))
        {
            foreach (var part in colorsElement.EnumerateObject())
            {
                var texts = part.Value.ValueKind == JsonValueKind.Array ? Strings(part.Value, $"subjects.{name}.colors.{part.Name}") : [part.Value.GetString() ?? ""];
                colors[part.Name] = texts.Select(text => SKColor.TryParse(text, out var color)
                    ? color
                    : throw new InvalidDataException($"Lexicon subjects.{name}.colors.{part.Name}: '{text}' is not a colour like #rrggbb.")).ToArray();
                if (colors[part.Name].Length == 0)
                {
                    throw new InvalidDataException($"Lexicon subjects.{name}.colors.{part.Name}: no colour.");
                }
            }
        }

        var words = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var numbers = new Dictionary<string, float>(StringComparer.Ordinal);
        string[] known = ["phrases", "figure", "size", "colors", "stands_in"];
        foreach (var field in entry.EnumerateObject().Where(e => !e.Name.StartsWith('$') && !known.Contains(e.Name)))
        {
            switch (field.Value.ValueKind)
            {
                case JsonValueKind.Number:
                    numbers[field.Name] = Math.Clamp(field.Value.GetSingle(), 0f, 10f);
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    words[field.Name] = [field.Value.ValueKind == JsonValueKind.True ? "true" : "false"];
                    break;
                case JsonValueKind.String:
                    words[field.Name] = [field.Value.GetString() ?? ""];
                    break;
                case JsonValueKind.Array when field.Value.GetArrayLength() > 0:
                    words[field.Name] = [.. Strings(field.Value, $"subjects.{name}.{field.Name}")];
                    break;
                default:
                    throw new InvalidDataException($"Lexicon subjects.{name}.{field.Name}: expected a number, a word, true/false or a list of words.");
            }
        }

        var standsIn = entry.TryGetProperty("stands_in", out var standsInValue) && standsInValue.ValueKind == JsonValueKind.True;
        return new SubjectSpec(name, figure, size, standsIn, colors, words, numbers);
    }

    private static GradeSpec ParseGrade(string name, JsonElement entry, Dictionary<string, CameraSpec> cameras)
    {
        if (entry.TryGetProperty("letterbox", out _))
        {
            // Black bars take away the picture the user asked for; a look changes how it looks, never how much of it there is.
            throw new InvalidDataException($"Lexicon grades.{name}: 'letterbox' is not a look: a look never covers the picture.");
        }

        IReadOnlyList<CameraSpec>? moves = null;
        if (entry.TryGetProperty("moves", out var movesElement))
        {
            moves = Strings(movesElement, $"grades.{name}.moves").Select(move => cameras.TryGetValue(move, out var camera)
                ? camera
                : throw new InvalidDataException($"Lexicon grades.{name}.moves: no camera named '{move}'.")).ToList();
        }

        float? Number(string field, float min, float max) =>
            entry.TryGetProperty(field, out var value) ? Math.Clamp(value.GetSingle(), min, max) : null;

        TimeOfDay? time = entry.TryGetProperty("time", out var t) ? ParseEnum<TimeOfDay>(t.GetString() ?? "", $"grades.{name}.time") : null;
        SKColor? tone = null;
        if (entry.TryGetProperty("tone", out var toneText))
        {
            tone = SKColor.TryParse(toneText.GetString(), out var color)
                ? color
                : throw new InvalidDataException($"Lexicon grades.{name}.tone: '{toneText.GetString()}' is not a colour like #rrggbb.");
        }

        return new GradeSpec(name, time, Number("exposure", 0.1f, 3f), Number("contrast", 0.3f, 3f), Number("saturation", 0f, 3f),
            Number("temperature", -1f, 1f), Number("tint", -1f, 1f), Number("lift", 0f, 0.3f), Number("fog", 0f, 1f),
            Number("vignette", 0f, 1f), Number("depth", 0f, 1f), tone, entry.TryGetProperty("neon", out var neon) && neon.ValueKind == JsonValueKind.True, moves);
    }
}
