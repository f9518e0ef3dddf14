using Paddock.Core.Engines;
using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin.Tests;

/// <summary>
/// A prompt's subjects are on screen doing what it says even when no reference image gives them:
/// the renderer draws a stand-in. Measured on frames against a render of the same scene without
/// the subject (same seed, same place, same camera): what differs is the subject.
/// </summary>
public sealed class StandInTests
{
    private const int Width = 320;
    private const int Height = 180;

    [Fact]
    public void The_original_pages_example_without_references_shows_someone_walking_through_the_garden()
    {
        var frames = Enumerable.Range(0, 20).Select(i => (i * 6) + 2).ToList();
        var scene = Foregrounds("Image 1 walks through a beautiful garden, cinematic lighting.", "A beautiful garden, cinematic lighting.", seconds: 5, frames);

        AssertPresent(scene, "Image 1");
        // Walking: it gets somewhere, one way.
        var travel = scene[^1].CentreX - scene[0].CentreX;
        Assert.True(Math.Abs(travel) > Width * 0.08, $"Image 1 moved {travel:F1} px");
    }

    [Fact]
    public void A_fox_runs_through_a_snowy_forest_with_clear_motion()
    {
        var frames = Enumerable.Range(0, 20).Select(i => (i * 6) + 2).ToList();
        var scene = Foregrounds("A fox runs through a snowy forest", "A snowy forest", seconds: 5, frames, model: "happyhorse-1.0-t2v");

        AssertPresent(scene, "the fox");
        // Running: far across the frame, steadily one way.
        var travel = scene[^1].CentreX - scene[0].CentreX;
        Assert.True(Math.Abs(travel) > Width * 0.25, $"the fox ran {travel:F1} px");
        var steps = scene.Zip(scene.Skip(1), (a, b) => b.CentreX - a.CentreX).ToList();
        Assert.True(steps.Count(step => Math.Sign(step) == Math.Sign(travel)) >= steps.Count * 0.8, $"steps {string.Join(" ", steps.Select(s => s.ToString("F1")))}");
        // A fox: longer than tall, and orange.
        var widest = scene.OrderByDescending(f => f.Share).First();
        Assert.True(widest.Box.Width > widest.Box.Height * 1.1, $"the fox's box is {widest.Box.Width}x{widest.Box.Height}");
        var frame = TestMedia.Frames(Job("A fox runs through a snowy forest", 5, "happyhorse-1.0-t2v"), [frames[scene.IndexOf(widest)]]).Single();
        Assert.True(OrangeShare(frame, widest.Mask) > 0.3, $"{OrangeShare(frame, widest.Mask):P0} of the fox is orange");
    }

    /// <summary>Each kind of subject, standing in a studio: there, drawn in several colours (not a flat box), with its own silhouette.</summary>
    [Theory]
    [InlineData("person", 0.1, 0.7)]
    [InlineData("robot", 0.15, 0.8)]
    [InlineData("fox", 1.1, 3)]
    [InlineData("cat", 1.0, 3)]
    [InlineData("dog", 1.0, 3)]
    [InlineData("horse", 0.9, 2.5)]
    [InlineData("ball", 0.8, 1.3)]
    [InlineData("car", 1.6, 4)]
    [InlineData("bird", 0.7, 3)]
    public void Every_kind_of_subject_is_drawn_as_itself(string subject, double minAspect, double maxAspect)
    {
        var frames = new List<int> { 12, 36, 60 };
        var scene = Foregrounds($"A {subject} stands in the studio, static shot", "The studio, static shot", seconds: 3, frames);

        AssertPresent(scene, subject, everyFrame: true);
        var foreground = scene[1];
        // The subject without the soft contact shadow at its feet (darker only, no colour of its own) would be tighter; the box is close enough.
        var aspect = foreground.Box.Width / foreground.Box.Height;
        Assert.InRange(aspect, minAspect, maxAspect);
        Assert.True(foreground.Colours >= 3, $"the {subject} is drawn in {foreground.Colours} colours");
    }

    [Fact]
    public void Different_subjects_look_different()
    {
        var kinds = new[] { "person", "fox", "robot", "cat", "ball", "horse", "bird", "dog", "car" };
        var empty = TestMedia.Frames(Job("The studio, static shot", 3), [36]).Single();
        var frames = kinds.ToDictionary(k => k, k => TestMedia.Frames(Job($"A {k} stands in the studio, static shot", 3), [36]).Single());
        var masks = kinds.ToDictionary(k => k, k => Measure.Foreground(frames[k], empty, Width, Height).Mask);

        foreach (var a in kinds)
        {
            foreach (var b in kinds.Where(b => string.CompareOrdinal(a, b) < 0))
            {
                // Where either is, the two pictures differ: another shape, other colours.
                var either = Enumerable.Range(0, masks[a].Length).Where(i => masks[a][i] || masks[b][i]).ToList();
                var difference = either.Average(i => (Math.Abs(frames[a][i * 4] - frames[b][i * 4]) + Math.Abs(frames[a][(i * 4) + 1] - frames[b][(i * 4) + 1]) + Math.Abs(frames[a][(i * 4) + 2] - frames[b][(i * 4) + 2])) / 3.0);
                Assert.True(difference > 20, $"a {a} and a {b} differ by {difference:F1} levels where either is");
            }
        }
    }

    [Theory]
    [InlineData("A person walks to the left", "travel", -1)]
    [InlineData("A dog runs to the right", "travel", 1)]
    [InlineData("A cat jumps", "rise", 1)]
    [InlineData("A robot approaches", "grow", 1)]
    [InlineData("A horse walks away", "grow", -1)]
    [InlineData("A ball rolls to the left", "travel", -1)]
    [InlineData("A bird flies", "rise", 1)]
    public void A_stand_in_does_what_the_prompt_says(string prompt, string measure, int sign)
    {
        var frames = Enumerable.Range(0, 12).Select(i => (i * 6) + 2).ToList();
        var scene = Foregrounds($"{prompt} in the studio, static shot", "The studio, static shot", seconds: 3, frames);

        AssertPresent(scene, prompt, everyFrame: true);
        var (first, last) = (scene[0], scene[^1]);
        var value = measure switch
        {
            "travel" => (last.CentreX - first.CentreX) / Width,
            "rise" => (first.Box.Top - scene.Min(f => f.Box.Top)) / first.Box.Height,
            _ => (last.Box.Height / first.Box.Height) - 1,
        };
        Assert.True(value * sign > 0.1, $"'{prompt}': {measure} {value:F2}");
    }

    [Fact]
    public void Two_subjects_named_are_two_figures()
    {
        var scene = Foregrounds("A boy walks with his dog in the studio, static shot", "The studio, static shot", seconds: 3, [12, 36, 60]);

        foreach (var foreground in scene)
        {
            var pieces = Measure.Pieces(foreground.Mask, Width, Height);
            Assert.True(pieces.Count >= 2 && pieces[1] > Width * Height * 0.004, $"pieces of the foreground: {string.Join(", ", pieces.Take(4))}");
        }
    }

    [Theory]
    [InlineData("Image 1, a fox, walks in the garden", "Quadruped")]
    [InlineData("a robot (Image 1) waves", "Robot")]
    [InlineData("Image 1 walks in the garden", "Person")]
    public void Without_images_an_image_named_is_a_stand_in_of_what_the_prompt_says_it_is(string prompt, string figure)
    {
        var actor = PromptReader.Read(prompt, 0).Single().Actors.Single();

        Assert.Equal(1, actor.ImageIndex);
        Assert.Equal(figure, actor.StandIn?.Subject.Figure.ToString());
    }

    [Fact]
    public void With_images_a_noun_beside_an_image_describes_it_and_other_nouns_are_drawn()
    {
        var described = PromptReader.Read("Image 1, a fox, chases a ball", 1).Single();

        Assert.Equal(2, described.Actors.Count);
        Assert.Equal((1, (string?)null), (described.Actors[0].ImageIndex, described.Actors[0].StandIn?.Subject.Name));
        Assert.Equal("ball", described.Actors[1].StandIn?.Subject.Name);
        Assert.Equal(ActionKind.Run, described.Actors[0].Actions.Single().Kind);
    }

    private static void AssertPresent(List<Foreground> scene, string what, bool everyFrame = false)
    {
        var present = scene.Count(f => f.Share > 0.004);
        Assert.True(everyFrame ? present == scene.Count : present >= scene.Count * 0.8,
            $"{what} is on screen in {present} of {scene.Count} frames (shares {string.Join(" ", scene.Select(f => f.Share.ToString("P1")))})");
    }

    private static List<Foreground> Foregrounds(string prompt, string withoutSubject, int seconds, IReadOnlyList<int> frames, string model = "happyhorse-1.0-r2v")
    {
        var with = TestMedia.Frames(Job(prompt, seconds, model), frames);
        var without = TestMedia.Frames(Job(withoutSubject, seconds, model), frames);
        return with.Zip(without, (a, b) => Measure.Foreground(a, b, Width, Height)).ToList();
    }

    private static RenderJob Job(string prompt, int seconds, string model = "happyhorse-1.0-r2v") =>
        TestMedia.Job(Width, Height, seconds, [], prompt, seed: 42) with { Model = model };

    private static double OrangeShare(byte[] frame, bool[] mask)
    {
        var inside = 0;
        var orange = 0;
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i])
            {
                inside++;
                orange += Measure.Orange(frame[i * 4], frame[(i * 4) + 1], frame[(i * 4) + 2]) > 0.3 ? 1 : 0;
            }
        }

        return orange / (double)Math.Max(1, inside);
    }
}
