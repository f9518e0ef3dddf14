using System.Text.Json;
using Paddock.Cli.Tests.Support;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock queue list|get|cancel</c> and <c>paddock events</c> against generations queued with <c>--no-wait</c>.</summary>
[Collection(CliServerCollection.Name)]
public sealed class QueueAndEventsTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    private async Task<string> EnqueueAsync(string prompt, int duration, string resolution = "720P")
    {
        var result = await _cli.RunAsync("generate", prompt, "--resolution", resolution, "--duration", duration.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-wait", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json().GetProperty("generation_id").GetString()!;
    }

    [Fact]
    public async Task Queue_lists_shows_and_cancels_generations()
    {
        // Keeps the one worker busy past the cancel below: at 720P, 15 s rendered in about the 4 s the steps take on a
        // quiet machine, and the cancel found it succeeded.
        var busy = await EnqueueAsync("A very long parade", 15, "1080P");
        var waiting = await EnqueueAsync("A parade that waits its turn", 3);

        var table = await _cli.RunAsync("queue", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(waiting, table.Stdout);
        Assert.Contains(busy, table.Stdout);
        Assert.StartsWith("GENERATION", table.Stdout);

        var listed = (await _cli.RunAsync("queue", "list", "--json")).Json();
        var ids = listed.GetProperty("generations").EnumerateArray().Select(g => g.GetProperty("generation_id").GetString()).ToList();
        Assert.Contains(busy, ids);
        Assert.Contains(waiting, ids);

        var row = (await _cli.RunAsync("queue", "get", waiting, "--json")).Json();
        Assert.Equal("queued", row.GetProperty("status").GetString());
        Assert.True(row.GetProperty("progress").GetProperty("queue_position").GetInt32() >= 1);
        var shown = await _cli.RunAsync("queue", "get", waiting);
        Assert.Contains("status:         queued", shown.Stdout);
        Assert.Contains("prompt:         A parade that waits its turn", shown.Stdout);

        var cancelled = await _cli.RunAsync("queue", "cancel", waiting);
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        Assert.Equal($"Cancelled {waiting}.", cancelled.Stdout.Trim());
        var cancelledBusy = (await _cli.RunAsync("queue", "cancel", busy, "--json")).Json();
        Assert.Equal("cancelled", cancelledBusy.GetProperty("status").GetString());

        Assert.Equal("cancelled", (await _cli.RunAsync("queue", "get", waiting, "--json")).Json().GetProperty("status").GetString());
        var active = (await _cli.RunAsync("queue", "list", "--json")).Json().GetProperty("generations").EnumerateArray()
            .Select(g => g.GetProperty("generation_id").GetString());
        Assert.DoesNotContain(waiting, active);
        var all = await _cli.RunAsync("queue", "list", "--all");
        Assert.Contains(waiting, all.Stdout);
    }

    [Fact]
    public async Task Events_print_a_generation_through_to_its_completion_one_per_line()
    {
        var id = await EnqueueAsync("A kite climbs into the wind", 3);

        // --generation: its events only, from the start of the log, ending when it does.
        var followed = await _cli.RunAsync("events", "--generation", id, "--json");
        Assert.True(followed.ExitCode == 0, followed.ToString());
        var lines = followed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(lines, e => Assert.Equal(id, e.GetProperty("data").GetProperty("generation_id").GetString()));
        Assert.Equal("media_generation_started", lines[0].GetProperty("event").GetString());
        var last = lines[^1];
        Assert.Equal("media_generation_completed", last.GetProperty("event").GetString());
        Assert.Equal("succeeded", last.GetProperty("data").GetProperty("status").GetString());
        Assert.StartsWith(server.Url + "/api/outputs/", last.GetProperty("data").GetProperty("url").GetString());
        var ids = lines.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);

        // Without --generation the stream goes on until Ctrl-C; from an earlier id it replays what came since.
        var before = ids[0] - 1;
        await using var stream = _cli.Start("events", "--last-event-id", before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await stream.WaitForAsync(s => s.Contains($"media_generation_completed {id} succeeded", StringComparison.Ordinal), "the completion event");
        var first = stream.Stdout.Split('\n')[0];
        Assert.StartsWith($"{ids[0]} media_generation_", first);
        stream.Interrupt();
        await stream.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }
}
