using Paddock.Core.Engines;
using Paddock.Engines.ComfyUI.Passes;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI.Tests;

/// <summary>How many passes a duration takes on each shipped model, and what a model that cannot continue refuses.</summary>
public sealed class PassPlanTests
{
    private static readonly IReadOnlyList<WorkflowTemplate> Shipped = TemplateLibrary.Shipped();

    private static RenderJob Job(string model, int seconds, int width = 1280, int height = 720) =>
        new(Guid.NewGuid(), model, "a prompt", [], width, height, 24, seconds * 24, 1);

    [Theory]
    [InlineData(3, new[] { 49 }, 0)]
    [InlineData(5, new[] { 81 }, 0)]
    [InlineData(6, new[] { 81, 25 }, 9)]   // spare room: the manifest's nine carried frames
    [InlineData(10, new[] { 81, 81 }, 2)]  // 160 frames: two full passes leave room to carry two
    [InlineData(15, new[] { 81, 81, 81 }, 1)]
    public void Vace_makes_enough_frames_in_the_fewest_passes(int seconds, int[] lengths, int overlap)
    {
        var plan = PassPlan.For(Shipped.Single(t => t.Model == "wan2.1-vace-r2v"), Job("wan2.1-vace-r2v", seconds));
        Assert.Equal(lengths, plan.Lengths);
        Assert.Equal(overlap, plan.Overlap);
        Assert.Equal(seconds * 16, plan.NativeFrames);
        Assert.True(plan.Lengths.Sum() - overlap * (plan.Passes - 1) >= plan.NativeFrames, "the passes make every second asked for");
        Assert.All(plan.Lengths, l => Assert.Equal(1, l % 4));
        Assert.Equal((1280, 720), (plan.Width, plan.Height));
    }

    [Fact]
    public void Phantom_is_one_pass_and_refuses_a_longer_duration_naming_the_limit()
    {
        var phantom = Shipped.Single(t => t.Model == "phantom-wan-r2v");
        Assert.Equal([121], PassPlan.For(phantom, Job("phantom-wan-r2v", 5)).Lengths);
        Assert.Equal((480, 832), (PassPlan.For(phantom, Job("phantom-wan-r2v", 3, 720, 1280)).Width, PassPlan.For(phantom, Job("phantom-wan-r2v", 3, 720, 1280)).Height));
        var refused = Assert.Throws<EngineFailureException>(() => PassPlan.For(phantom, Job("phantom-wan-r2v", 6)));
        Assert.Equal(FailureKind.InvalidInput, refused.Kind);
        Assert.StartsWith("duration: phantom-wan-r2v makes one pass of at most 121 frames at 24 fps (5 s)", refused.Message, StringComparison.Ordinal);
    }
}
