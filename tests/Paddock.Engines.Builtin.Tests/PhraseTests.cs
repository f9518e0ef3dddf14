using System.Text.Json;
using Paddock.Core.Engines;
using Paddock.Engines.Builtin.Rendering;
using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// Every camera phrase of the lexicon, alone and with each modifier before or after it ("slow zoom
/// out", "pan left slowly"), moves the rendered picture the way its words say and not the opposite
/// way; the slow modifiers make the move smaller and the fast ones larger. Measured on frames: zoom
/// by the best scale match, pans and tilts by phase correlation, orbits by the far band's motion,
/// speed and tracking by where the subject goes.
/// </summary>
public sealed class PhraseTests
{
    private const int Width = 128;
    private const int Height = 72;

    /// <summary>Each modifier with where it goes and whether it slows the move down.</summary>
    private static readonly (string Before, string After, bool Slower)[] Modifiers =
    [
        ("slow ", "", true), ("gentle ", "", true), ("slowly ", "", true), ("", " slowly", true),
        ("fast ", "", false), ("quick ", "", false), ("", " quickly", false),
    ];

    /// <summary>What each camera entry must do to the picture, as a measurement that is positive when it does.</summary>
    private static readonly Dictionary<string, Effect> Cameras = new(StringComparer.Ordinal)
    {
        ["zoom-in"] = Effect.Larger,
        ["zoom-out"] = Effect.Smaller,
        ["push-in"] = Effect.Larger,
        ["pull-back"] = Effect.Smaller,
        ["pan-left"] = Effect.PictureRight,
        ["pan-right"] = Effect.PictureLeft,
        ["truck-left"] = Effect.PictureRight,
        ["truck-right"] = Effect.PictureLeft,
        ["pan"] = Effect.Sideways,
        ["tilt-up"] = Effect.PictureDown,
        ["tilt-down"] = Effect.PictureUp,
        ["tilt"] = Effect.Vertical,
        ["crane"] = Effect.PictureDown,
        ["crane-down"] = Effect.PictureUp,
        ["orbit"] = Effect.Orbit,
        ["orbit-left"] = Effect.OrbitLeft,
        ["orbit-right"] = Effect.OrbitRight,
        ["tracking"] = Effect.Follows,
        ["handheld"] = Effect.Shakes,
        ["static"] = Effect.Still,
        ["slow-motion"] = Effect.SlowerAction,
        ["fast-motion"] = Effect.FasterAction,
        ["close-up"] = Effect.Closer,
        ["medium-shot"] = Effect.Closer,
        ["wide-shot"] = Effect.Wider,
    };

    public static TheoryData<string, string> CameraPhrases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (entry, phrase) in Lexicon("cameras"))
        {
            data.Add(entry, phrase);
        }

        return data;
    }

    [Fact]
    public void Every_camera_entry_has_a_measurable_effect()
    {
        var unknown = Lexicon("cameras").Select(p => p.Entry).Distinct().Where(e => !Cameras.ContainsKey(e)).ToList();
        Assert.True(unknown.Count == 0, $"no expectation for camera entries {string.Join(", ", unknown)}: say here what they do");
    }

    [Theory]
    [MemberData(nameof(CameraPhrases))]
    public void A_camera_phrase_moves_its_way_with_or_without_modifiers(string entry, string phrase)
    {
        var effect = Cameras[entry];
        var plain = Measured(effect, phrase);
        var problems = new List<string>();
        if (plain <= Threshold(effect))
        {
            problems.Add($"'{phrase}' ({entry}): {effect} measured {plain:F3}");
        }

        if (effect is Effect.Larger or Effect.Smaller or Effect.PictureLeft or Effect.PictureRight or Effect.PictureUp or Effect.PictureDown
            or Effect.Sideways or Effect.Vertical or Effect.Orbit or Effect.OrbitLeft or Effect.OrbitRight)
        {
            var measured = new double[Modifiers.Length];
            Parallel.For(0, Modifiers.Length, i => measured[i] = Measured(effect, $"{Modifiers[i].Before}{phrase}{Modifiers[i].After}"));
            for (var i = 0; i < Modifiers.Length; i++)
            {
                var (words, slower, modified) = ($"{Modifiers[i].Before}{phrase}{Modifiers[i].After}", Modifiers[i].Slower, measured[i]);
                if (modified <= Threshold(effect))
                {
                    problems.Add($"'{words}': {effect} measured {modified:F3} (plain {plain:F3})");
                }
                else if (slower ? modified >= plain * 0.92 : modified <= plain * 1.08)
                {
                    problems.Add($"'{words}': {(slower ? "not smaller" : "not larger")} than '{phrase}' ({modified:F3} against {plain:F3})");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>What each action of the lexicon does to the subject, measured on its box.</summary>
    private static readonly Dictionary<string, Act> Actions = new(StringComparer.Ordinal)
    {
        ["idle"] = Act.StaysPut,
        ["walk"] = Act.Travels,
        ["run"] = Act.Travels,
        ["roll"] = Act.Travels,
        ["fly"] = Act.Travels | Act.Rises,
        ["bounce"] = Act.Travels | Act.Rises,
        ["jump"] = Act.Rises,
        ["float"] = Act.Rises,
        ["spin"] = Act.Spins,
        ["turn"] = Act.Turns,
        ["wave"] = Act.Gestures,
        ["dance"] = Act.Gestures,
        ["look-around"] = Act.Gestures,
        ["approach"] = Act.Grows,
        ["leave"] = Act.Shrinks,
        ["sit"] = Act.Lowers,
    };

    public static TheoryData<string, string> ActionPhrases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (entry, phrase) in Lexicon("actions"))
        {
            data.Add(entry, phrase);
        }

        return data;
    }

    [Fact]
    public void Every_action_has_a_measurable_effect()
    {
        var unknown = Lexicon("actions").Select(p => p.Entry).Distinct().Where(e => !Actions.ContainsKey(e)).ToList();
        Assert.True(unknown.Count == 0, $"no expectation for actions {string.Join(", ", unknown)}: say here what they do");
    }

    /// <summary>
    /// Every action phrase makes the fox do its action; with "slowly" before or after it still does, and a
    /// travelling action goes less far; "to the left" and "to the right" send it that way, "away" and "toward
    /// the camera" make it shrink and grow, "up" and "down" make an airborne action rise more and less.
    /// </summary>
    [Theory]
    [MemberData(nameof(ActionPhrases))]
    public void An_action_phrase_acts_its_way_with_modifiers_and_directions(string entry, string phrase)
    {
        var act = Actions[entry];
        var plain = Acted($"Image 1 {phrase}");
        var problems = new List<string>();
        Check(phrase, plain, act);

        var variants = new List<(string Words, Func<Acting, string?> Expect)>
        {
            ($"Image 1 slowly {phrase}", a => act.HasFlag(Act.Travels) && Math.Abs(a.Travel) >= Math.Abs(plain.Travel) * 0.85 ? $"travels {a.Travel:F1} px, not less than {plain.Travel:F1}" : null),
            ($"Image 1 {phrase} slowly", a => act.HasFlag(Act.Travels) && Math.Abs(a.Travel) >= Math.Abs(plain.Travel) * 0.85 ? $"travels {a.Travel:F1} px, not less than {plain.Travel:F1}" : null),
            ($"Image 1 {phrase} fast", a => act.HasFlag(Act.Travels) && Math.Abs(a.Travel) < Math.Abs(plain.Travel) * 0.95 ? $"travels {a.Travel:F1} px, less than {plain.Travel:F1}" : null),
            ($"Image 1 quickly {phrase}", a => act.HasFlag(Act.Travels) && Math.Abs(a.Travel) < Math.Abs(plain.Travel) * 0.95 ? $"travels {a.Travel:F1} px, less than {plain.Travel:F1}" : null),
        };
        if (act.HasFlag(Act.Travels))
        {
            variants.Add(($"Image 1 {phrase} to the left", a => a.Travel > -0.03 * ActWidth ? $"went {a.Travel:F1} px, not left" : null));
            variants.Add(($"Image 1 {phrase} to the right", a => a.Travel < 0.03 * ActWidth ? $"went {a.Travel:F1} px, not right" : null));
        }

        if (act.HasFlag(Act.Travels) || act.HasFlag(Act.Rises))
        {
            variants.Add(($"Image 1 {phrase} away", a => a.Size > 0.8 ? $"size ratio {a.Size:F2}: it did not go away" : null));
            variants.Add(($"Image 1 {phrase} toward the camera", a => a.Size < 1.25 ? $"size ratio {a.Size:F2}: it did not come closer" : null));
        }

        if (act.HasFlag(Act.Rises))
        {
            variants.Add(($"Image 1 {phrase} up", a => a.Rise < plain.Rise * 1.1 ? $"rose {a.Rise:F1} px, not more than {plain.Rise:F1}" : null));
            variants.Add(($"Image 1 {phrase} down", a => a.Rise > plain.Rise * 0.85 ? $"rose {a.Rise:F1} px, not less than {plain.Rise:F1}" : null));
        }

        var results = new Acting[variants.Count];
        Parallel.For(0, variants.Count, i => results[i] = Acted(variants[i].Words));
        for (var i = 0; i < variants.Count; i++)
        {
            var words = variants[i].Words;
            // Going away or coming closer replaces the sideways travel; every other variant still does the action.
            if (!words.EndsWith(" away", StringComparison.Ordinal) && !words.EndsWith(" camera", StringComparison.Ordinal))
            {
                Check(words, results[i], act);
            }

            if (variants[i].Expect(results[i]) is { } problem)
            {
                problems.Add($"'{words}': {problem}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));

        void Check(string words, Acting a, Act expected)
        {
            if (expected.HasFlag(Act.Travels) && Math.Abs(a.Travel) < 0.05 * ActWidth)
            {
                problems.Add($"'{words}': travels {a.Travel:F1} px");
            }

            if (expected.HasFlag(Act.Rises) && a.Rise < 0.08 * a.Height)
            {
                problems.Add($"'{words}': rises {a.Rise:F1} px of {a.Height:F0}");
            }

            if (expected.HasFlag(Act.Spins) && a.Shape < 0.3)
            {
                problems.Add($"'{words}': its shape changes by {a.Shape:P0}");
            }

            if (expected.HasFlag(Act.Turns) && a.Narrowest > 0.6)
            {
                problems.Add($"'{words}': narrows to {a.Narrowest:P0} only");
            }

            if (expected.HasFlag(Act.Gestures) && a.Sway <= 1.5)
            {
                problems.Add($"'{words}': sways {a.Sway:F1} px");
            }

            if (expected.HasFlag(Act.Grows) && a.Size < 1.3)
            {
                problems.Add($"'{words}': grows to {a.Size:F2}");
            }

            if (expected.HasFlag(Act.Shrinks) && a.Size > 0.75)
            {
                problems.Add($"'{words}': shrinks to {a.Size:F2} only");
            }

            if (expected.HasFlag(Act.Lowers) && a.Size > 0.93)
            {
                problems.Add($"'{words}': its height goes to {a.Size:F2} only");
            }

            if (expected.HasFlag(Act.StaysPut) && (Math.Abs(a.Travel) > 0.03 * ActWidth || a.Size is < 0.9 or > 1.1))
            {
                problems.Add($"'{words}': moves {a.Travel:F1} px, size {a.Size:F2}");
            }
        }
    }

    private const int ActWidth = 160;
    private const int ActHeight = 90;

    /// <summary>The fox's box over "PROMPT in the studio, static shot", summed up.</summary>
    private static Acting Acted(string prompt)
    {
        var job = TestMedia.Job(ActWidth, ActHeight, 3, [Fox.Value], $"{prompt} in the studio, static shot", seed: 9);
        var boxes = TestMedia.Frames(job, Enumerable.Range(0, 13).Select(i => Math.Min(71, i * 6)), [ActingFox.Value]).Select(f => Measure.ColourBox(f, ActWidth, ActHeight, Measure.Orange)).ToList();
        Assert.True(boxes.All(b => b.Weight > 10), $"'{prompt}': the fox is not in every frame");
        var first = boxes[0];
        var aspect = first.Width / first.Height;
        return new Acting(
            boxes[^1].CentreX - first.CentreX,
            first.Top - boxes.Min(b => b.Top),
            boxes[^1].Height / first.Height,
            first.Height,
            boxes.Max(b => Math.Abs((b.Width / b.Height) - aspect) / aspect),
            boxes.Min(b => b.Width) / first.Width,
            boxes.Max(b => Math.Abs(b.CentreX - first.CentreX)) + boxes.Max(b => Math.Abs(b.Width - first.Width)));
    }

    private sealed record Acting(double Travel, double Rise, double Size, double Height, double Shape, double Narrowest, double Sway);

    [Flags]
    public enum Act
    {
        None = 0,
        Travels = 1,
        Rises = 2,
        Spins = 4,
        Turns = 8,
        Gestures = 16,
        Grows = 32,
        Shrinks = 64,
        Lowers = 128,
        StaysPut = 256,
    }

    private static double Threshold(Effect effect) => effect switch
    {
        Effect.Larger or Effect.Smaller or Effect.Closer or Effect.Wider => 0.02,
        Effect.Still => 0,
        // The subject's travel changes by a third at least; a camera that follows keeps it within half its travel.
        Effect.SlowerAction or Effect.FasterAction => 1.3,
        Effect.Follows => 2,
        // Shifts are whole pixels: one pixel the right way at least (the wrong way is negative).
        _ => 0.5,
    };

    /// <summary>The effect's measurement for "A city street, WORDS" (or the scene the effect needs): positive when the picture does what the effect says.</summary>
    private static double Measured(Effect effect, string words)
    {
        switch (effect)
        {
            case Effect.Larger or Effect.Smaller:
            {
                var (first, last) = Ends($"A city street, {words}");
                var scale = Math.Log(Measure.Scale(first, last, 0.6, 1.7, 0.005));
                return effect == Effect.Larger ? scale : -scale;
            }

            case Effect.PictureLeft or Effect.PictureRight or Effect.Sideways:
            {
                var (dx, dy) = Flow($"A city street, {words}");
                return effect == Effect.PictureRight ? dx : effect == Effect.PictureLeft ? -dx : Math.Abs(dx) - Math.Abs(dy);
            }

            case Effect.PictureUp or Effect.PictureDown or Effect.Vertical:
            {
                var (dx, dy) = Flow($"A city street, {words}");
                return effect == Effect.PictureDown ? dy : effect == Effect.PictureUp ? -dy : Math.Abs(dy) - Math.Abs(dx);
            }

            case Effect.Orbit or Effect.OrbitLeft or Effect.OrbitRight:
            {
                // Orbiting left, the camera circles left round what it looks at: the far distance slides left.
                var frames = TestMedia.Frames(Job($"The desert, {words}"), FlowFrames).Select(f => Band(Gray(f), 0, 24)).ToList();
                var dx = frames.Zip(frames.Skip(1), Measure.PhaseCorrelation).Sum(s => s.Dx);
                return effect == Effect.OrbitLeft ? -dx : effect == Effect.OrbitRight ? dx : Math.Abs(dx);
            }

            case Effect.Shakes:
            {
                var frames = TestMedia.Frames(Job($"A city street, {words}"), Enumerable.Range(0, 12).Select(i => i * 6)).Select(Gray).ToList();
                var steps = frames.Zip(frames.Skip(1), Measure.PhaseCorrelation).ToList();
                // Back and forth: the path is longer than the way from the first frame to the last.
                var path = steps.Sum(s => Math.Abs(s.Dx) + Math.Abs(s.Dy));
                var net = Math.Abs(steps.Sum(s => s.Dx)) + Math.Abs(steps.Sum(s => s.Dy));
                return path - net;
            }

            case Effect.Still:
            {
                var frames = TestMedia.Frames(Job($"A city street, {words}"), [0, 71]);
                return 1 - Measure.MeanAbsoluteDifference(frames[0], frames[1]);
            }

            case Effect.Closer or Effect.Wider:
            {
                // Against the opposite framing: a close-up is closer than a wide shot, a wide shot wider than a close-up.
                var opposite = Gray(TestMedia.Frames(Job($"A city street, static shot, {(effect == Effect.Closer ? "wide shot" : "close up")}"), [0])[0]);
                var framed = Gray(TestMedia.Frames(Job($"A city street, static shot, {words}"), [0])[0]);
                var scale = Math.Log(Measure.Scale(opposite, framed, 0.6, 1.6, 0.005));
                return effect == Effect.Closer ? scale : -scale;
            }

            case Effect.SlowerAction or Effect.FasterAction:
            {
                var normal = Travel("Image 1 walks in the studio, static shot");
                var changed = Travel($"Image 1 walks in the studio, static shot, {words}");
                return effect == Effect.SlowerAction ? normal / Math.Max(1, changed) : changed / Math.Max(1, normal);
            }

            case Effect.Follows:
            {
                var still = Travel("Image 1 walks in the studio, static shot");
                var followed = Travel($"Image 1 walks in the studio, {words}");
                return still / Math.Max(1, followed);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(effect));
        }
    }

    /// <summary>Five moments of the clip: the motion between neighbours is small enough for phase correlation to follow, whatever the move.</summary>
    private static readonly int[] FlowFrames = [0, 18, 36, 54, 71];

    /// <summary>The picture's whole shift over the clip, summed from one moment to the next.</summary>
    private static (int Dx, int Dy) Flow(string prompt)
    {
        var frames = TestMedia.Frames(Job(prompt), FlowFrames).Select(Gray).ToList();
        var steps = frames.Zip(frames.Skip(1), Measure.PhaseCorrelation).ToList();
        return (steps.Sum(s => s.Dx), steps.Sum(s => s.Dy));
    }

    private static (Gray First, Gray Last) Ends(string prompt)
    {
        var frames = TestMedia.Frames(Job(prompt), [0, 71]);
        return (Gray(frames[0]), Gray(frames[1]));
    }

    private static RenderJob Job(string prompt, IReadOnlyList<ReferenceImage>? references = null) =>
        TestMedia.Job(Width, Height, 3, references ?? [], prompt, seed: 5);

    private static Gray Gray(byte[] frame) => Measure.Luma(frame, Width, Height);

    private static Gray Band(Gray image, int top, int rows)
    {
        var values = new float[image.Width * rows];
        Array.Copy(image.Values, top * image.Width, values, 0, values.Length);
        return new Gray(values, image.Width, rows);
    }

    private static readonly Lazy<ReferenceImage> Fox = new(() => TestMedia.Character("fox", 1));

    /// <summary>The fox decoded once for each frame size: hundreds of renders share it (drawing only reads it).</summary>
    private static readonly Lazy<CastMember> SmallFox = new(() => ReferenceDecoder.Decode(Fox.Value, Width, Height));

    private static readonly Lazy<CastMember> ActingFox = new(() => ReferenceDecoder.Decode(Fox.Value, ActWidth, ActHeight));

    /// <summary>How far the fox's orange moves on screen between the first and the last frame, in pixels.</summary>
    private static double Travel(string prompt)
    {
        var frames = TestMedia.Frames(Job(prompt, [Fox.Value]), [0, 71], [SmallFox.Value]);
        return Math.Abs(OrangeX(frames[1]) - OrangeX(frames[0]));
    }

    private static double OrangeX(byte[] bgra)
    {
        double weight = 0, sum = 0;
        for (var i = 0; i < bgra.Length; i += 4)
        {
            var (b, g, r) = (bgra[i], bgra[i + 1], bgra[i + 2]);
            var orange = Math.Clamp((Math.Min(r - g, (r - b) * 0.6) - 30) / 40.0, 0, 1);
            weight += orange;
            sum += orange * ((i / 4 % Width) + 0.5);
        }

        Assert.True(weight > 10, "the fox is not in the frame");
        return sum / weight;
    }

    /// <summary>(entry, phrase) for every phrase of a section of the embedded lexicon.</summary>
    internal static IEnumerable<(string Entry, string Phrase)> Lexicon(string section)
    {
        using var stream = typeof(Lexicon).Assembly.GetManifestResourceStream("Paddock.Engines.Builtin.Scene.Lexicon.json")!;
        using var document = JsonDocument.Parse(stream);
        var list = new List<(string, string)>();
        foreach (var entry in document.RootElement.GetProperty(section).EnumerateObject().Where(e => !e.Name.StartsWith('$')))
        {
            var phrases = entry.Value.ValueKind == JsonValueKind.Array ? entry.Value : entry.Value.GetProperty("phrases");
            list.AddRange(phrases.EnumerateArray().Select(p => (entry.Name, p.GetString()!)));
        }

        return list;
    }

    public enum Effect
    {
        Larger,
        Smaller,
        PictureLeft,
        PictureRight,
        PictureUp,
        PictureDown,
        Sideways,
        Vertical,
        Orbit,
        OrbitLeft,
        OrbitRight,
        Follows,
        Shakes,
        Still,
        SlowerAction,
        FasterAction,
        Closer,
        Wider,
    }
}
