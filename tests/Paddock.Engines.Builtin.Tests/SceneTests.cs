using Paddock.Core.Engines;
using Paddock.Core.Prompts;
using Paddock.Engines.Builtin.Scene;
using SkiaSharp;

namespace Paddock.Engines.Builtin.Tests;

public sealed class SceneTests
{
    private static readonly CastProfile Subject = new(0, CanCutOut: true, CutOutAspect: 0.6f, Bust: false, ImageAspect: 0.8f);
    private static readonly CastProfile Scenery = new(0, CanCutOut: false, CutOutAspect: 1.5f, Bust: false, ImageAspect: 1.5f);

    [Theory]
    [InlineData("Image 1 walks", 1)]
    [InlineData("Image1 walks", 1)]
    [InlineData("@Image1 walks", 1)]
    [InlineData("@image 1 walks", 1)]
    [InlineData("character1 walks", 1)]
    [InlineData("CHARACTER 3 walks", 3)]
    [InlineData("a dog (image2) runs", 2)]
    public void Every_spelling_of_a_reference_is_read(string prompt, int expected)
    {
        Assert.Equal([expected], ReferenceMentions.NamedWithin(prompt, 3));
        Assert.Equal(expected, PromptReader.Read(prompt, 3).Single().Actors.Single().ImageIndex);
    }

    [Fact]
    public void Mentions_keep_first_mention_order_and_ignore_what_does_not_exist()
    {
        Assert.Equal([3, 1], ReferenceMentions.NamedWithin("Image 3 meets @image1, then image 3 leaves; Image 12 and myimage2 are not mentions", 3));
        Assert.Empty(ReferenceMentions.NamedWithin("a quiet lake at dawn", 3));
        Assert.Empty(ReferenceMentions.NamedWithin("Image 1 walks", 0));
    }

    [Fact]
    public void Named_references_are_cast_in_prompt_order_and_the_rest_still_appear()
    {
        var board = Plan("character3 dances with Image 2", [Subject, Subject, Subject, Subject]);

        var first = board.Shots[0];
        Assert.Equal([2, 1], first.Actors.Take(2).Select(a => a.CastSlot));
        Assert.Equal([0, 1, 2, 3], Appearances(board).Order());
    }

    [Theory]
    [InlineData(72, 9)]
    [InlineData(72, 1)]
    [InlineData(120, 3)]
    [InlineData(360, 9)]
    public void Shots_cover_the_clip_and_none_is_too_short(int frames, int references)
    {
        var weights = Enumerable.Range(0, references).Select(i => i == 0 ? 2f : 1f).ToArray();

        var boundaries = Director.Boundaries(weights, frames);

        Assert.Equal(0, boundaries[0]);
        Assert.Equal(frames, boundaries[^1]);
        for (var i = 0; i < references; i++)
        {
            Assert.True(boundaries[i + 1] - boundaries[i] >= 8, $"shot {i}: {boundaries[i]}..{boundaries[i + 1]}");
        }
    }

    [Theory]
    [InlineData("Image 1 walks. Image 2 waves.")]
    [InlineData("A quiet lake at dawn")]
    [InlineData("Image 9 waves; then Image 3 jumps; cut to Image 5 in the rain")]
    public void Nine_references_in_three_seconds_all_appear(string prompt)
    {
        var cast = Enumerable.Range(0, 9).Select(i => (i % 2 == 0 ? Subject : Scenery) with { Slot = i }).ToList();

        var board = Director.Plan(Job(prompt, 9, seconds: 3), cast);

        Assert.Equal(Enumerable.Range(0, 9), Appearances(board).Order());
        Assert.All(board.Shots, shot => Assert.True(shot.Length >= Director.MinimumShotFrames, $"shot {shot.Index} is {shot.Length} frames"));
        Assert.Equal(72, board.Shots.Sum(s => s.Length));
    }

    [Fact]
    public void Three_sentences_are_three_shots_of_equal_length_joined_by_cuts()
    {
        var board = Plan("Image 1 walks in the garden. Image 1 jumps. Image 1 waves.", [Subject], seconds: 6);

        Assert.Equal([(0, 48), (48, 96), (96, 144)], board.Shots.Select(s => (s.StartFrame, s.EndFrame)));
        Assert.All(board.Shots, shot => Assert.Equal(0, shot.FadeIn));
    }

    [Fact]
    public void Then_dissolves_between_shots()
    {
        var board = Plan("Image 1 walks then Image 1 jumps", [Subject], seconds: 4);

        Assert.Equal(2, board.Shots.Count);
        Assert.Equal(12, board.Shots[1].FadeIn);
        Assert.Equal(12, board.Shots[0].FadeOut);
    }

    [Fact]
    public void A_reference_that_cannot_be_cut_out_is_the_set_or_is_framed()
    {
        var alone = Plan("Image 1 waves", [Scenery]).Shots.Single();
        Assert.Equal(SetSource.Image, alone.Set.Source);
        Assert.Empty(alone.Actors);

        // Somewhere the prompt names, it is a framed print in that place.
        var placed = Plan("Image 1 waves on the beach", [Scenery]).Shots.Single();
        Assert.Equal((SetSource.Procedural, SettingKind.Beach), (placed.Set.Source, placed.Set.Setting));
        Assert.Equal(ActorStyle.Card, placed.Actors.Single().Style);

        // A subject that can be cut out stands in the set the prompt gives it.
        var cast = Plan("Image 1 walks through Image 2", [Subject, Scenery with { Slot = 1 }]).Shots.Single();
        Assert.Equal((SetSource.Image, 1), (cast.Set.Source, cast.Set.CastSlot));
        Assert.Equal((0, ActorStyle.CutOut), (cast.Actors.Single().CastSlot, cast.Actors.Single().Style));
    }

    [Fact]
    public void Without_mentions_each_reference_gets_the_prompts_action_in_turn()
    {
        var board = Plan("A fox runs through the snow", [Subject, Subject with { Slot = 1 }]);

        Assert.Equal(2, board.Shots.Count);
        Assert.Equal([0, 1], board.Shots.Select(s => s.Actors.Single().CastSlot));
        Assert.All(board.Shots, s => Assert.Equal(ActionKind.Run, s.Actors.Single().Actions.Single().Kind));
        Assert.All(board.Shots, s => Assert.Equal(SettingKind.Snow, s.Set.Setting));
    }

    [Fact]
    public void Camera_words_become_camera_curves()
    {
        CameraPlan Camera(string prompt) => Plan(prompt, [Subject]).Shots.Single().Camera;

        Assert.True(Camera("Image 1 waves, pan left").PanTo.X < Camera("Image 1 waves, pan left").PanFrom.X);
        Assert.True(Camera("Image 1 waves, pan right").PanTo.X > Camera("Image 1 waves, pan right").PanFrom.X);
        Assert.True(Camera("Image 1 waves, tilt up").PanTo.Y < Camera("Image 1 waves, tilt up").PanFrom.Y);
        Assert.True(Camera("Image 1 waves, zoom in").ZoomTo > Camera("Image 1 waves, zoom in").ZoomFrom);
        Assert.True(Camera("Image 1 waves, pull back").DollyTo < Camera("Image 1 waves, pull back").DollyFrom);
        // Still: no move at all (how close it frames is the take's).
        Assert.Equal(CameraPlan.Still, Camera("Image 1 waves, static shot") with { Frame = 1f });
        Assert.True(Plan("Image 1 waves in slow motion", [Subject]).Shots.Single().Speed < 0.5f);
    }

    [Theory]
    [InlineData(1280, 720)]
    [InlineData(720, 1280)]
    [InlineData(720, 720)]
    public void Subjects_stay_in_the_frame_whatever_they_do(int width, int height)
    {
        var actions = new[] { "walks", "runs", "flies", "bounces", "jumps", "dances", "approaches", "leaves", "spins" };
        var cameras = new[] { "pan left", "pan right", "tracking shot", "zoom in", "pull back", "orbit", "handheld", "" };
        var cast = new[] { Subject, Subject with { Slot = 1 }, Scenery with { Slot = 2 } };
        for (var i = 0; i < 30; i++)
        {
            var prompt = $"Image {(i % 3) + 1} {actions[i % actions.Length]} and Image {((i + 1) % 3) + 1} {actions[(i * 7) % actions.Length]} in the garden, {cameras[i % cameras.Length]}";
            var job = Job(prompt, 3, seconds: 3 + (i % 5)) with { Width = width, Height = height, Seed = i };
            var board = Director.Plan(job, cast);
            foreach (var shot in board.Shots)
            {
                var duration = shot.Duration(24);
                foreach (var actor in shot.Actors)
                {
                    for (var s = 0; s <= 20; s++)
                    {
                        var progress = s / 20f;
                        var pose = Motion.Evaluate(actor, progress, progress * duration, duration, width);
                        var lead = Motion.Evaluate(shot.Actors[0], progress, progress * duration, duration, width);
                        var camera = shot.Camera.At(progress, progress * duration, lead.X, width, height);
                        var feet = camera.ToScreen(new SKPoint(pose.X, pose.Y), 1f);
                        var half = actor.Width * pose.Size * camera.Scale(1f) * 0.5f * Math.Abs(pose.ScaleX);
                        Assert.True(feet.X - half > -0.05f * width && feet.X + half < 1.05f * width,
                            $"'{prompt}' seed {i}: subject {actor.CastSlot} spans {feet.X - half:F0}..{feet.X + half:F0} at {progress:F2}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Random_streams_are_splitmix64_and_independent_per_purpose()
    {
        // The published SplitMix64 sequence for seed 0.
        Assert.Equal(0xE220A8397B1DCDAFUL, new DeterministicRandom(0).NextUInt64());

        var camera = DeterministicRandom.For(42, "camera");
        var again = DeterministicRandom.For(42, "camera");
        var palette = DeterministicRandom.For(42, "palette");
        var first = camera.NextUInt64();
        Assert.Equal(first, again.NextUInt64());
        Assert.NotEqual(first, palette.NextUInt64());
    }

    [Fact]
    public void Plans_depend_on_the_seed_only_through_the_job()
    {
        var job = Job("Image 2 waves", 2);
        var cast = new[] { Subject, Subject with { Slot = 1 } };

        var plan = Director.Plan(job, cast);
        var again = Director.Plan(job, cast);
        var otherSeed = Director.Plan(job with { Seed = job.Seed + 1 }, cast);

        Assert.Equal(plan.Shots.Select(Describe), again.Shots.Select(Describe));
        Assert.Equal(1, plan.Shots[0].Actors[0].CastSlot);
        Assert.NotEqual(plan.Shots.Select(Describe), otherSeed.Shots.Select(Describe));
    }

    private static string Describe(Shot shot) =>
        $"{shot.StartFrame}-{shot.EndFrame} {shot.Set} {shot.Camera} {string.Join(";", shot.Actors.Select(a => $"{a with { Actions = [] }} {string.Join(",", a.Actions)}"))}";

    private static Storyboard Plan(string prompt, IReadOnlyList<CastProfile> cast, int seconds = 5) =>
        Director.Plan(Job(prompt, cast.Count, seconds), cast);

    private static RenderJob Job(string prompt, int references, int seconds = 5) =>
        new(Guid.Empty, "happyhorse-1.0-r2v", prompt,
            Enumerable.Range(1, references).Select(i => new ReferenceImage(i, "", [], "image/png", 800, 1000)).ToList(),
            1280, 720, 24, 24 * seconds, 42);

    /// <summary>Every cast slot that is on screen somewhere: as a subject or as a set.</summary>
    private static IEnumerable<int> Appearances(Storyboard board) =>
        board.Shots.SelectMany(s => s.Actors.Select(a => a.CastSlot).Append(s.Set.Source == SetSource.Image ? s.Set.CastSlot : -1))
            .Where(slot => slot >= 0).Distinct();
}
