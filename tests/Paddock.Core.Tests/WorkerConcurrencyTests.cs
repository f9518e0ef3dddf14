using Paddock.Core.Orchestration;

namespace Paddock.Core.Tests;

public sealed class WorkerConcurrencyTests
{
    /// <summary>
    /// Out of the box a server renders more than one generation at once, so that one render's idle start and end are
    /// filled by another's encoding (measured: bench/RenderPathBench), and about one render per two cores on bigger
    /// machines, since each render's encoder keeps two cores busy.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(256)]
    public void Default_renders_two_at_once_and_one_per_two_cores_beyond(int cores)
    {
        var workers = WorkerOptions.DefaultConcurrency(cores);

        Assert.True(workers >= 2, $"{workers} workers on {cores} cores");
        Assert.True(workers <= Math.Max(2, cores / 2), $"{workers} workers on {cores} cores oversubscribe the encoders");
        Assert.True(workers * 2 >= Math.Min(cores, 128) - 1, $"{workers} workers leave cores of {cores} idle");
        Assert.InRange(workers, 2, 64); // the setting's own range
    }

    [Fact]
    public void Default_on_this_machine_is_a_valid_setting()
    {
        var options = new WorkerOptions();
        var problems = new List<string>();

        options.Validate("Paddock:Workers", problems);

        Assert.Empty(problems);
        Assert.InRange(options.Concurrency, 2, 64);
    }
}
