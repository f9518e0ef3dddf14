using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Events;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// The original page's SSE example (curl | awk | jq), unchanged, in the cases a first user meets: it must end as soon as
/// it has printed its event, print a generation that ended before it connected, and end in a way that is not success
/// when the server stops. The keep-alive here is ten minutes, so nothing but those rules can end the pipeline: without
/// them each of these tests runs into its timeout.
/// </summary>
public sealed class SeedSseExampleTests : IAsyncLifetime
{
    private const string KeepAlive = "00:10:00";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private PaddockHost _server = null!;

    public async Task InitializeAsync() =>
        _server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:EventKeepAliveInterval"] = KeepAlive });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>The page's "Async with SSE / Minimal" example, for a server at <paramref name="baseUrl"/>: (enqueue, stream).</summary>
    private static (string Enqueue, string Stream) Example(string baseUrl)
    {
        var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scripts", "async_sse_minimal.sh"))
            .Replace("https://hub.oxen.ai", baseUrl, StringComparison.Ordinal);
        var split = script.IndexOf("# Stream the SSE channel", StringComparison.Ordinal);
        return (script[..split], script[split..]);
    }

    private static JsonNode Payload(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, $"the example exited {result.ExitCode}: {result.Stderr}\n{result.Stdout}");
        return JsonNode.Parse(result.Stdout)!;
    }

    [Fact]
    public async Task The_example_ends_once_it_has_printed_its_event()
    {
        var (enqueue, stream) = Example(_server.BaseUrl);

        var result = await Processes.BashAsync(enqueue + stream, new Dictionary<string, string> { ["OXEN_API_KEY"] = _server.ApiKey }, Timeout);

        var payload = Payload(result);
        Assert.Equal("succeeded", payload["status"]!.GetValue<string>());
        Assert.StartsWith(_server.BaseUrl, payload["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_example_prints_a_generation_that_ended_before_the_stream_connected()
    {
        var (enqueue, stream) = Example(_server.BaseUrl);
        // A fast engine and a slow client: the generation is over before curl opens the stream.
        const string WaitUntilDone = """
            while true ; do
              STATUS=$( curl -s -H "Authorization: Bearer $OXEN_API_KEY" "BASE/api/ai/queue/$GEN_ID" | jq -r '.status' )
              case $STATUS in succeeded | failed | cancelled ) break ;; esac
              sleep 0.2
            done
            echo "$GEN_ID ended before the stream connected" >&2

            """;

        var result = await Processes.BashAsync(enqueue + WaitUntilDone.Replace("BASE", _server.BaseUrl, StringComparison.Ordinal) + stream,
            new Dictionary<string, string> { ["OXEN_API_KEY"] = _server.ApiKey }, Timeout);

        var payload = Payload(result);
        Assert.Equal("succeeded", payload["status"]!.GetValue<string>());
        var id = payload["generation_id"]!.GetValue<string>();
        Assert.Contains($"{id} ended before the stream connected", result.Stderr);
        Assert.Equal("succeeded", (await Api.GetRowAsync(_server.Client, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_with_Last_Event_ID_gets_exactly_the_events_after_it_and_no_recent_replay()
    {
        var id = (await Api.EnqueueAsync(_server.Client, new { model = "happyhorse-1.0-r2v", prompt = "a short clip", resolution = "720P", duration = 3 }))[0];
        await Api.WaitTerminalAsync(_server.Client, id);

        // Without Last-Event-ID: the recent completion first.
        await using (var fresh = await SseReader.OpenAsync(_server.Client))
        {
            var first = await fresh.NextAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("media_generation_completed", first!.Type);
            Assert.Contains(id, first.Data, StringComparison.Ordinal);
        }

        // With the id of that completion: nothing, since nothing came after it.
        var latest = await _server.Services.GetRequiredService<IEventLog>().LatestSequenceAsync();
        await using var resumed = await SseReader.OpenAsync(_server.Client, latest);
        Assert.Null(await resumed.NextAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task When_the_server_stops_the_example_prints_nothing_and_curl_reports_a_broken_transfer()
    {
        var data = Path.Combine(Path.GetTempPath(), "paddock-sse-stop-" + Guid.NewGuid().ToString("N"));
        try
        {
            // API only: the generation stays queued, so only the server's stop can end the stream.
            await using var server = await ServerProcess.StartAsync(data, $"--Paddock:EventKeepAliveInterval={KeepAlive}", "--Paddock:Workers:Concurrency=0");
            var (enqueue, stream) = Example(server.BaseUrl);
            var env = new Dictionary<string, string> { ["OXEN_API_KEY"] = server.ApiKey };
            var example = Processes.BashAsync(enqueue + stream + "echo \"pipeline ${PIPESTATUS[*]}\" >&2\n", env, Timeout);
            // The raw stream as well, to see how it ends.
            var raw = Processes.BashAsync($"curl -sN -H \"Authorization: Bearer $OXEN_API_KEY\" {server.BaseUrl}/api/events; echo \"curl $?\" >&2", env, Timeout);
            await Task.Delay(TimeSpan.FromSeconds(2));

            server.Terminate(TimeSpan.FromSeconds(20));

            var ended = await example;
            Assert.Equal("", ended.Stdout.Trim()); // no payload: nothing that looks like the generation's result
            // curl fails (the connection is dropped, not closed as a finished transfer); awk and jq see an empty input.
            var statuses = System.Text.RegularExpressions.Regex.Match(ended.Stderr, @"pipeline (\d+) (\d+) (\d+)");
            Assert.True(statuses.Success, ended.Stderr);
            Assert.NotEqual("0", statuses.Groups[1].Value);
            Assert.Equal(("0", "0"), (statuses.Groups[2].Value, statuses.Groups[3].Value));
            var rawEnd = await raw;
            Assert.DoesNotContain("curl 0", rawEnd.Stderr);
            var lines = rawEnd.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("event: server_stopping", lines[^2]);
            Assert.StartsWith("data: {\"status\":\"server_stopping\"", lines[^1]);
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); }
            catch (IOException) { }
        }
    }
}
