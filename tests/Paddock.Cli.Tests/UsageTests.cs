using System.Text.Json;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock usage</c>: what the key's namespace consumed, from <c>GET /api/usage</c>.</summary>
[Collection(CliServerCollection.Name)]
public sealed class UsageTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Usage_shows_a_finished_generations_seconds_of_video_by_day_and_model()
    {
        // Other tests share the namespace: compare the report before and after one 3-second 720P video.
        var before = (await _cli.RunAsync("usage", "--json")).Json().GetProperty("totals");
        var made = await _cli.RunAsync("generate", "a lantern sways", "--model", "happyhorse-1.0-t2v", "--resolution", "720P", "--duration", "3", "--json");
        Assert.True(made.ExitCode == 0, made.ToString());

        var report = await _cli.RunAsync("usage", "--json");
        Assert.True(report.ExitCode == 0, report.ToString());
        var after = report.Json().GetProperty("totals");
        Assert.Equal(Long(before, "video_seconds") + 3, Long(after, "video_seconds"));
        Assert.Equal(Long(before, "succeeded") + 1, Long(after, "succeeded"));
        Assert.Equal(ByResolution(before, "720P") + 3, ByResolution(after, "720P"));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(report.Json().GetProperty("usage").EnumerateArray(),
            e => e.GetProperty("day").GetString() == today && e.GetProperty("model").GetString() == "happyhorse-1.0-t2v");

        var table = await _cli.RunAsync("usage", "--from", today, "--to", today);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.StartsWith("DAY", table.Stdout);
        Assert.Contains("VIDEO SECONDS", table.Stdout);
        Assert.Matches($@"(?m)^{today}\s+happyhorse-1\.0-t2v\s", table.Stdout);
        Assert.Matches(@"(?m)^total\s", table.Stdout);

        var bad = await _cli.RunAsync("usage", "--from", "last-week");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--from 'last-week' is not a day; give it as YYYY-MM-DD (UTC)", bad.Stderr);
    }

    private static long Long(JsonElement totals, string name) => totals.GetProperty(name).GetInt64();

    private static long ByResolution(JsonElement totals, string resolution) =>
        totals.GetProperty("video_seconds_by_resolution").TryGetProperty(resolution, out var seconds) ? seconds.GetInt64() : 0;
}
