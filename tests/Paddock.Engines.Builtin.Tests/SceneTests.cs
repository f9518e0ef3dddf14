using Paddock.Core.Prompts;
using Paddock.Engines.Builtin.Scene;

namespace Paddock.Engines.Builtin.Tests;

public sealed class SceneTests
{
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
    }

    [Fact]
    public void Mentions_keep_first_mention_order_and_ignore_what_does_not_exist()
    {
        Assert.Equal([3, 1], ReferenceMentions.NamedWithin("Image 3 meets @image1, then image 3 leaves; Image 12 and myimage2 are not mentions", 3));
        Assert.Empty(ReferenceMentions.NamedWithin("a quiet lake at dawn", 3));
        Assert.Empty(ReferenceMentions.NamedWithin("Image 1 walks", 0));
    }

    [Fact]
    public void Named_references_come_first_and_the_rest_still_appear()
    {
        var order = Director.CastOrder("character3 dances with Image 2", 4);

        Assert.Equal([(2, true), (1, true), (0, false), (3, false)], order);
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

    [Fact]
    public void Named_references_get_the_larger_share()
    {
        var boundaries = Director.Boundaries([2f, 1f], 120);

        Assert.True(boundaries[1] - boundaries[0] > boundaries[2] - boundaries[1]);
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
        var job = TestMedia.Job(1280, 720, 5, TestMedia.TwoReferences(), "Image 2 waves");

        var plan = Director.Plan(job);
        var again = Director.Plan(job);
        var otherSeed = Director.Plan(job with { Seed = job.Seed + 1 });

        Assert.Equal(plan.Shots, again.Shots);
        Assert.Equal(1, plan.Shots[0].CastSlot);
        Assert.NotEqual(plan.Shots.Select(s => s.Camera), otherSeed.Shots.Select(s => s.Camera));
    }
}
