using Paddock.Core.Engines;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// What the prompt asks for is on screen: every check here measures rendered frames (drawn by the
/// engine's composer, exactly what it feeds the encoder), never the plan.
/// </summary>
public sealed class DirectingTests
{
    private static readonly string[] Kinds = ["fox", "robot", "owl"];

    [Fact]
    public void Every_named_reference_is_on_screen_for_most_of_its_shot()
    {
        var references = Kinds.Select((kind, i) => TestMedia.Character(kind, i + 1)).ToList();
        var job = TestMedia.Job(640, 360, 6, references,
            "Image 1 walks in the garden. Image 2 dances on the beach at sunset. Image 3 waves in the forest, pan left.", seed: 11);
        var frames = Enumerable.Range(0, 48).Select(i => (i * 3) + 1).ToList();
        var pictures = TestMedia.Frames(job, frames).Select(f => Measure.Shrink(Measure.Luma(f, 640, 360), 6)).ToList();
        var templates = references.Select((r, i) => Measure.Subject(r.Bytes, TestMedia.CharacterBackground(Kinds[i]))).ToList();

        for (var shot = 0; shot < 3; shot++)
        {
            // Three equal sentences: thirds of the clip.
            var inShot = frames.Select((frame, i) => (frame, i)).Where(p => p.frame / 48 == shot).ToList();
            var scores = inShot.Select(p => Measure.Find(pictures[p.i], templates[shot], 18, 46)).ToList();
            var seen = scores.Count(score => score >= 0.6);
            Assert.True(seen * 2 >= scores.Count, $"Image {shot + 1} matched in {seen} of {scores.Count} frames of its shot: {string.Join(" ", scores.Select(s => s.ToString("F2")))}");
        }
    }

    [Fact]
    public void A_reference_that_cannot_be_cut_out_is_shown_whole()
    {
        var photo = TestMedia.Photo(1);
        var frames = TestMedia.Frames(TestMedia.Job(640, 360, 3, [photo], "Image 1 waves on the beach", seed: 3), [12, 36, 60]);
        var template = Measure.Subject(photo.Bytes, background: null);

        foreach (var frame in frames)
        {
            var score = Measure.Find(Measure.Shrink(Measure.Luma(frame, 640, 360), 6), template, 26, 44);
            Assert.True(score >= 0.6, $"the photo matched at {score:F2}");
        }
    }

    [Theory]
    [InlineData("pan left", 1, 0)]
    [InlineData("pan right", -1, 0)]
    [InlineData("tilt up", 0, 1)]
    [InlineData("tilt down", 0, -1)]
    public void Pans_and_tilts_move_the_picture_the_stated_way(string move, int x, int y)
    {
        // Panning left, the camera turns left: the picture slides right. Tilting up, it slides down.
        var job = TestMedia.Job(320, 180, 4, [], $"A city street, {move}", seed: 5);
        var frames = TestMedia.Frames(job, [30, 36, 42, 48, 54, 60, 66]).Select(f => Measure.Luma(f, 320, 180)).ToList();
        var shifts = frames.Zip(frames.Skip(1), Measure.PhaseCorrelation).ToList();

        var (dx, dy) = (shifts.Sum(s => s.Dx), shifts.Sum(s => s.Dy));
        Assert.True(x == 0 ? Math.Abs(dx) <= 2 : Math.Sign(dx) == x && Math.Abs(dx) >= 6, $"{move}: horizontal motion {dx} px ({string.Join(" ", shifts)})");
        Assert.True(y == 0 ? Math.Abs(dy) <= 2 : Math.Sign(dy) == y && Math.Abs(dy) >= 3, $"{move}: vertical motion {dy} px ({string.Join(" ", shifts)})");
    }

    [Fact]
    public void Near_and_far_layers_move_apart()
    {
        // Sand below, sky and mesas above: the two bands' motion, measured separately.
        static (int Far, int Near) Shift(string move)
        {
            var frames = TestMedia.Frames(TestMedia.Job(320, 180, 4, [], $"The desert, {move}", seed: 5), [24, 36, 48, 60, 72]);
            var far = frames.Select(f => Band(Measure.Luma(f, 320, 180), 4)).ToList();
            var near = frames.Select(f => Band(Measure.Luma(f, 320, 180), 112)).ToList();
            return (far.Zip(far.Skip(1), Measure.PhaseCorrelation).Sum(s => s.Dx), near.Zip(near.Skip(1), Measure.PhaseCorrelation).Sum(s => s.Dx));
        }

        // A pan moves the ground more than the distance...
        var pan = Shift("pan right");
        Assert.True(pan.Near < 0 && pan.Far < 0 && pan.Near < pan.Far * 1.15, $"pan: far {pan.Far} px, near {pan.Near} px");
        // ...and an orbit turns round the subjects: the distance sweeps by while the ground they stand on barely moves.
        var orbit = Shift("orbit");
        Assert.True(Math.Abs(orbit.Far) >= 4 && Math.Abs(orbit.Near) * 3 <= Math.Abs(orbit.Far), $"orbit: far {orbit.Far} px, near {orbit.Near} px");
    }

    private static Gray Band(Gray image, int top)
    {
        var values = new float[image.Width * 64];
        Array.Copy(image.Values, top * image.Width, values, 0, values.Length);
        return new Gray(values, image.Width, 64);
    }

    [Theory]
    [InlineData("zoom in", true)]
    [InlineData("push in", true)]
    [InlineData("pull back", false)]
    [InlineData("zoom out", false)]
    public void Zooms_scale_the_picture_the_stated_way(string move, bool larger)
    {
        var job = TestMedia.Job(320, 180, 4, [], $"A city street, {move}", seed: 5);
        var frames = TestMedia.Frames(job, [24, 48, 72]).Select(f => Measure.Luma(f, 320, 180)).ToList();

        foreach (var (a, b) in frames.Zip(frames.Skip(1)))
        {
            var scale = Measure.Scale(a, b);
            Assert.True(larger ? scale > 1.01 : scale < 0.99, $"{move}: scale {scale:F3}");
        }
    }

    [Fact]
    public void Night_is_darker_than_golden_hour()
    {
        var references = new[] { TestMedia.Character("fox", 1) };
        double Brightness(string light) =>
            TestMedia.Frames(TestMedia.Job(320, 180, 3, references, $"Image 1 walks in the garden {light}", seed: 4), [10, 36, 60]).Average(Measure.MeanLuma);

        var night = Brightness("at night");
        var golden = Brightness("at golden hour");

        Assert.True(night < golden * 0.6, $"night {night:F1}, golden hour {golden:F1}");
    }

    [Fact]
    public void A_subject_stays_recognisable_under_stacked_dark_grades()
    {
        // Night, moonlight, noir and "dramatic" each darken; together they once left the subject a black silhouette.
        var fox = TestMedia.Character("fox", 1);
        var job = TestMedia.Job(640, 360, 3, [fox], "Image 1 walks through a dark city street at night, moonlight, film noir, dramatic", seed: 3);
        var frames = Enumerable.Range(0, 12).Select(i => (i * 6) + 2).ToList();
        var template = Measure.Subject(fox.Bytes, TestMedia.CharacterBackground("fox"));

        var scores = TestMedia.Frames(job, frames).Select(f => Measure.Find(Measure.Shrink(Measure.Luma(f, 640, 360), 6), template, 18, 46)).ToList();

        var seen = scores.Count(score => score >= 0.6);
        Assert.True(seen * 2 >= scores.Count, $"matched in {seen} of {scores.Count} frames: {string.Join(" ", scores.Select(s => s.ToString("F2")))}");
    }

    [Fact]
    public void Black_and_white_has_no_colour_anywhere()
    {
        var references = new[] { TestMedia.Character("fox", 1), TestMedia.Photo(2) };
        var job = TestMedia.Job(320, 180, 3, references, "Image 1 dances in the garden with falling petals and sparkles, then Image 2 waves. Black and white.", seed: 8);

        var frames = TestMedia.Frames(job, [0, 20, 36, 40, 60, 71]);

        Assert.All(frames, frame => Assert.True(Measure.MaxChroma(frame) <= 1, $"chroma {Measure.MaxChroma(frame)} at {Where(frame)}"));
        // The same prompt in colour is colourful: the check above is not trivially true.
        var colour = TestMedia.Frames(job with { Prompt = job.Prompt.Replace("Black and white.", "") }, [20]).Single();
        Assert.True(Measure.MaxChroma(colour) > 100);
    }

    private static string Where(byte[] bgra)
    {
        var found = new List<string>();
        for (var i = 0; i < bgra.Length && found.Count < 5; i += 4)
        {
            var max = Math.Max(bgra[i], Math.Max(bgra[i + 1], bgra[i + 2]));
            var min = Math.Min(bgra[i], Math.Min(bgra[i + 1], bgra[i + 2]));
            if (max - min > 1)
            {
                found.Add($"({i / 4 % 320},{i / 4 / 320}) bgr {bgra[i]},{bgra[i + 1]},{bgra[i + 2]}");
            }
        }

        return string.Join("; ", found);
    }

    [Theory]
    [InlineData("as snow falls")]
    [InlineData("in the rain")]
    public void Snow_and_rain_add_moving_particles(string weather)
    {
        var references = new[] { TestMedia.Character("fox", 1) };
        var plain = TestMedia.Job(320, 180, 3, references, "Image 1 walks in the garden", seed: 6);
        var frames = new[] { 20, 23, 26, 29 };

        var without = TestMedia.Frames(plain, frames);
        var with = TestMedia.Frames(plain with { Prompt = $"Image 1 walks in the garden {weather}" }, frames);

        // Everything else is the same picture; the particles are what differs...
        var masks = with.Zip(without, (a, b) => Measure.Differs(a, b, 10)).ToList();
        foreach (var mask in masks)
        {
            var share = mask.Count(d => d) / (double)mask.Length;
            Assert.True(share is >= 0.001 and <= 0.25, $"{share:P2} of the pixels differ");
        }

        // ...and they move: where they are changes from one moment to the next.
        foreach (var (a, b) in masks.Zip(masks.Skip(1)))
        {
            var both = a.Zip(b).Count(p => p.First && p.Second);
            var either = a.Zip(b).Count(p => p.First || p.Second);
            Assert.True(both < either * 0.5, $"particles overlap {both} of {either} pixels between frames");
        }
    }

    [Fact]
    public void Three_sentences_cut_twice_at_the_shot_boundaries()
    {
        var references = new[] { TestMedia.Character("fox", 1), TestMedia.Character("robot", 2) };
        var job = TestMedia.Job(320, 180, 6, references, "Image 1 walks in the garden. Image 2 jumps in the garden. Image 1 waves in the garden.", seed: 2);

        var frames = TestMedia.Frames(job);
        var changes = frames.Zip(frames.Skip(1), Measure.MeanAbsoluteDifference).ToList();

        // changes[i] is the change into frame i + 1; three equal sentences cut at frames 48 and 96.
        var spikes = changes.Select((change, i) => (change, frame: i + 1)).OrderByDescending(c => c.change).Take(2).Select(c => c.frame).Order();
        Assert.Equal([48, 96], spikes);
        var typical = changes.Order().ElementAt(changes.Count / 2);
        Assert.True(changes[47] > typical * 4 && changes[95] > typical * 4, $"cuts {changes[47]:F1} and {changes[95]:F1}, typical change {typical:F2}");
    }

    [Fact]
    public void A_dissolve_blends_over_several_frames_instead_of_cutting()
    {
        var references = new[] { TestMedia.Character("fox", 1), TestMedia.Character("robot", 2) };
        var job = TestMedia.Job(320, 180, 4, references, "Image 1 walks in the garden then Image 2 jumps on the beach", seed: 2);

        var frames = TestMedia.Frames(job);
        var changes = frames.Zip(frames.Skip(1), Measure.MeanAbsoluteDifference).ToList();

        // The biggest frame-to-frame change is a fraction of the whole transition's.
        var whole = Measure.MeanAbsoluteDifference(frames[36], frames[60]);
        Assert.True(changes.Max() < whole * 0.35, $"largest step {changes.Max():F1} of a total change {whole:F1}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Different_seeds_give_visibly_different_takes(bool withReferences)
    {
        IReadOnlyList<ReferenceImage> references = withReferences ? [TestMedia.Character("fox", 1), TestMedia.Character("owl", 2)] : [];
        var prompt = withReferences ? "Image 1 and Image 2 dance" : "A sunny day";
        var takes = Enumerable.Range(1, 3).Select(seed => TestMedia.Frames(TestMedia.Job(320, 180, 3, references, prompt, seed: seed), [12, 36, 60])).ToList();

        for (var a = 0; a < takes.Count; a++)
        {
            for (var b = a + 1; b < takes.Count; b++)
            {
                var difference = takes[a].Zip(takes[b], Measure.MeanAbsoluteDifference).Average();
                Assert.True(difference > 10, $"seeds {a + 1} and {b + 1} differ by {difference:F1} levels on average");
            }
        }
    }

    [Fact]
    public void Every_setting_is_its_own_place_and_varies_with_the_seed()
    {
        var settings = new[] { "garden", "forest", "beach", "ocean", "city", "desert", "snowfield", "mountains", "space", "studio", "room" };
        var pictures = settings.ToDictionary(s => s, s => TestMedia.Frames(TestMedia.Job(320, 180, 3, [], $"The {s}, static shot", seed: 1), [36]).Single());

        foreach (var a in settings)
        {
            foreach (var b in settings.Where(b => string.CompareOrdinal(a, b) < 0))
            {
                var difference = Measure.MeanAbsoluteDifference(pictures[a], pictures[b]);
                Assert.True(difference > 8, $"{a} and {b} differ by {difference:F1}");
            }

            var other = TestMedia.Frames(TestMedia.Job(320, 180, 3, [], $"The {a}, static shot", seed: 2), [36]).Single();
            var variation = Measure.MeanAbsoluteDifference(pictures[a], other);
            Assert.True(variation > 2.5, $"{a}: seeds 1 and 2 differ by {variation:F1}");
        }
    }
}
