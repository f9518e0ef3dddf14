using System.Net.Http.Json;
using Xunit.Abstractions;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Server.Tests;

/// <summary>
/// A test-sized version of the kill audit: two `paddock serve` processes on one data directory, each SIGKILLed again
/// and again at random moments (before a claim, mid-render, while encoding, between storing the video and committing
/// it) and started again. Afterwards, with one server left running: every acknowledged generation ended once, and no
/// partial file, no dead process's work folder and no output blob that no row owns is left; while the rounds ran, no
/// encoder of a killed server outlived the next start.
/// </summary>
public sealed class CrashLeftoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int KillsPerServer = 25;
    /// <summary>When each killed server (by pid) died: a start that began later must have reclaimed what it left.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, DateTime> _killed = new();
    private readonly string _data = Path.Combine(Path.GetTempPath(), "paddock-kills-" + Guid.NewGuid().ToString("N"));

    // Short leases and frequent sweeps so the test waits seconds, not minutes; attempts are not the point here.
    private static readonly string[] Settings =
    [
        "--Paddock:Workers:LeaseDuration=00:00:01.500", "--Paddock:Workers:HeartbeatInterval=00:00:00.250",
        "--Paddock:Workers:RecoveryInterval=00:00:00.250", "--Paddock:Workers:MaxAttempts=100",
        "--Paddock:Maintenance:SweepInterval=00:00:01",
    ];

    private static readonly object Clip = new { model = "happyhorse-1.0-r2v", prompt = "a fox runs", resolution = "720P", aspect_ratio = "1:1", duration = 3 };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Fifty_kills_leave_no_partial_file_and_no_orphan_output_after_one_start()
    {
        Directory.CreateDirectory(_data);
        // The first start creates the database and the key; both servers then share them.
        await (await ServerProcess.StartAsync(_data, Settings)).DisposeAsync();
        var acknowledged = new List<string>();
        var survivors = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rounds = await Task.WhenAll(KillRoundsAsync(seed: 1, acknowledged, survivors), KillRoundsAsync(seed: 2, acknowledged, survivors));
        output.WriteLine($"{rounds.Sum(r => r.Kills)} kills in {clock.Elapsed.TotalSeconds:F0} s; {acknowledged.Count} generations; {rounds.Sum(r => r.NearCompletion)} kills near a completion; starts took {rounds.Sum(r => r.Starting.TotalSeconds) / rounds.Sum(r => r.Kills):F1} s each");
        Assert.True(survivors.Count == 0, "after a start, a killed server's processes still ran: " + string.Join("; ", survivors));
        Assert.True(rounds.Sum(r => r.NearCompletion) >= 4, $"only {rounds.Sum(r => r.NearCompletion)} kills came near a completion");

        await using var last = await ServerProcess.StartAsync(_data, Settings);
        var rows = new List<JsonNode>();
        foreach (var id in acknowledged)
        {
            var row = await Api.WaitTerminalAsync(last.Client, id, TimeSpan.FromMinutes(3));
            Assert.True(row["status"]!.GetValue<string>() == "succeeded", row.ToJsonString());
            rows.Add(row);
        }
        output.WriteLine($"all ended after {clock.Elapsed.TotalSeconds:F0} s");
        var completions = await CompletionsAsync(last, acknowledged.Count);
        foreach (var id in acknowledged) Assert.Equal(1, completions.Count(c => c == id));

        // The sweep runs at start and every second: within a few seconds nothing is left but what rows own — one output
        // per generation (its name carries the claim that wrote it, which the row does not show), and each one the
        // output its row serves.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<string> leftovers;
        while (true)
        {
            leftovers = Leftovers(acknowledged);
            if (leftovers.Count == 0 || DateTime.UtcNow > deadline) break;
            await Task.Delay(250);
        }
        output.WriteLine($"swept after {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(leftovers.Count == 0, "left behind: " + string.Join(", ", leftovers));
        var outputs = Directory.GetFiles(Path.Combine(_data, "blobs", "outputs", "default"));
        Assert.Equal(acknowledged.Count, outputs.Length);
        foreach (var row in rows)
        {
            var url = row["result_url"]?.GetValue<string>();
            Assert.False(string.IsNullOrEmpty(url), $"no video URL on {row.ToJsonString()}");
            using var video = await last.Client.GetAsync(url);
            Assert.Equal(200, (int)video.StatusCode); // the output its row serves is the one left
        }
    }

    private sealed record Rounds(int Kills, int NearCompletion, TimeSpan Starting);

    /// <summary>One server's life, again and again: start, queue a clip, kill it at a random moment.</summary>
    private async Task<Rounds> KillRoundsAsync(int seed, List<string> acknowledged, List<string> survivors)
    {
        var random = new Random(seed);
        var nearCompletion = 0;
        var startingTotal = TimeSpan.Zero;
        // At least KillsPerServer kills; more (up to twice as many) while fewer than two came near a completion, since on a
        // fast machine a short render can finish between two looks at its progress.
        var round = 0;
        for (; round < KillsPerServer || (nearCompletion < 2 && round < 2 * KillsPerServer); round++)
        {
            var starting = DateTime.UtcNow;
            var server = await ServerProcess.StartAsync(_data, Settings);
            startingTotal += DateTime.UtcNow - starting;
            lock (survivors) survivors.AddRange(ProcessesInDeadWorkFolders(killedBefore: starting));
            try
            {
                // Keep a couple of generations in play, so that every start has one to render and the end has few left.
                var active = (await server.Client.GetFromJsonAsync<JsonNode>("api/ai/queue"))!["count"]!.GetValue<int>();
                if (active < 2)
                {
                    var ids = await Api.EnqueueAsync(server.Client, Clip);
                    lock (acknowledged) acknowledged.AddRange(ids);
                }
                if (round % 3 == 2)
                {
                    // Aim at the end of a render: the last frames, the move into the blob store, the commit.
                    if (await WaitNearCompletionAsync(server, TimeSpan.FromSeconds(10))) nearCompletion++;
                    await Task.Delay(random.Next(0, 60));
                }
                else
                {
                    await Task.Delay(random.Next(0, 1500));
                }
            }
            finally
            {
                server.Kill();
                _killed[server.Pid] = DateTime.UtcNow;
                await server.DisposeAsync();
            }
        }
        return new Rounds(round, nearCompletion, startingTotal);
    }

    private static async Task<bool> WaitNearCompletionAsync(ServerProcess server, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var page = (await server.Client.GetFromJsonAsync<JsonNode>("api/ai/queue?status=processing"))!;
            foreach (var row in page["generations"]!.AsArray())
            {
                var progress = row!["progress"];
                if (progress?["phase"]?.GetValue<string>() is "encoding" or "storing" || progress?["percent"]?.GetValue<int>() >= 90) return true;
            }
            await Task.Delay(10);
        }
        return false;
    }

    /// <summary>Processes with an argument inside the work folder of a server killed before <paramref name="killedBefore"/>.</summary>
    private List<string> ProcessesInDeadWorkFolders(DateTime killedBefore)
    {
        var work = Path.Combine(_data, "work") + "/";
        var found = new List<string>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out _)) continue;
            string[] args;
            try { args = File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0'); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var arg in args.Where(a => a.StartsWith(work, StringComparison.Ordinal)))
            {
                var owner = int.Parse(arg[work.Length..].Split('-')[0]);
                if (_killed.TryGetValue(owner, out var died) && died < killedBefore) found.Add($"{Path.GetFileName(entry)}: {string.Join(' ', args.Take(3))}… {arg}");
            }
        }
        return found;
    }

    private static bool IsLocked(string lockFile)
    {
        try
        {
            using var _ = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (IOException) { return true; }
    }

    /// <summary>What must not remain: partial encoder output or temp videos anywhere, dead work folders, outputs no row holds.</summary>
    private List<string> Leftovers(List<string> ids)
    {
        var tokens = ids.Select(id => Guid.Parse(id).ToString("N")).ToList();
        var leftovers = Directory.EnumerateFiles(_data, "*.partial", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.GetTempPath(), "paddock-*").Where(f => tokens.Any(t => f.Contains(t, StringComparison.Ordinal))))
            .ToList();
        var work = Path.Combine(_data, "work");
        if (Directory.Exists(work))
        {
            leftovers.AddRange(Directory.EnumerateFiles(work, "*.lock").Where(l => !IsLocked(l)));
            leftovers.AddRange(Directory.EnumerateDirectories(work).Where(d => !IsLocked(d + ".lock")));
            leftovers.AddRange(Directory.EnumerateFiles(work, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)));
        }
        var outputs = Path.Combine(_data, "blobs", "outputs", "default");
        // Every row has succeeded, so each generation owns exactly one output: a second one of a generation, or one of
        // no acknowledged generation, is an orphan.
        if (Directory.Exists(outputs))
        {
            foreach (var group in Directory.EnumerateFiles(outputs).GroupBy(f => Path.GetFileName(f).Split('-')[0]))
            {
                if (!tokens.Contains(group.Key) || group.Count() > 1) leftovers.AddRange(group);
            }
        }
        return leftovers;
    }

    private static async Task<List<string>> CompletionsAsync(ServerProcess server, int expected)
    {
        await using var stream = await SseReader.OpenAsync(server.Client, lastEventId: 0);
        var ids = new List<string>();
        while (await stream.NextAsync(TimeSpan.FromSeconds(3)) is { } e)
        {
            if (e.Type == "media_generation_completed") ids.Add(JsonNode.Parse(e.Data)!["generation_id"]!.GetValue<string>());
        }
        Assert.True(ids.Count >= expected, $"only {ids.Count} completions replayed");
        return ids;
    }
}
