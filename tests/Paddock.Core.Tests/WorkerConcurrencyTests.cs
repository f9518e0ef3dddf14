using Paddock.Core.Orchestration;

namespace Paddock.Core.Tests;

public sealed class WorkerConcurrencyTests
{
    /// <summary>
    /// Out of the box a server renders one generation per two cores: each built-in render keeps two cores busy (x264 at
    /// two threads, the frames drawn beside it), so fewer leaves cores idle while renders queue, and more makes every
    /// render share cores with another (measured: bench/RenderPathBench).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(256)]
    public void Default_renders_one_generation_per_two_cores(int cores)
    {
        var workers = WorkerOptions.DefaultConcurrency(cores);

        Assert.True(workers >= 1, $"{workers} workers on {cores} cores: nothing would render");
        Assert.True(workers * 2 <= Math.Max(2, cores), $"{workers} workers on {cores} cores make renders share their cores");
        Assert.True(workers * 2 >= Math.Min(cores, 128) - 1, $"{workers} workers leave cores of {cores} idle");
        Assert.InRange(workers, 1, 64); // the setting's own range
    }

    [Fact]
    public void Default_on_this_machine_is_a_valid_setting_that_renders()
    {
        var options = new WorkerOptions();
        var problems = new List<string>();

        options.Validate("Paddock:Workers", problems);

        Assert.Empty(problems);
        Assert.Equal(WorkerOptions.DefaultConcurrency(Environment.ProcessorCount), options.Concurrency);
        Assert.True(options.Concurrency >= 1, "a default server must render");
    }
}
