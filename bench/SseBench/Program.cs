// SSE fan-out: N event streams on one server process, then events broadcast to all of them, against a minimal raw
// Kestrel broadcaster with the same client. The servers run in child processes (their memory and CPU are read from
// /proc, and each side has its own open-file limit); the clients run here. Optionally a third target: Paddock built
// from another commit (--before-dll), e.g. the fan-out before 3bded52.
//
//   dotnet run -c Release --project bench/SseBench -- --streams 10000 --events 100 [--before-dll PATH/paddock.dll]
//   (bench/lib/build-at.sh 3bded52^ builds that commit's CLI and prints the path of its paddock.dll)

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Paddock.Bench;
using SseBench;

if (args.Length > 0 && args[0] == "raw-server") return await RawBroadcaster.RunAsync();

Report.UseInvariantCulture();
Arguments arguments;
try
{
    arguments = new Arguments(args, switches: [], options: ["--streams", "--events", "--warmup", "--gap-ms", "--paddock-dll", "--before-dll", "--before-label", "--data-root"]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("usage: SseBench [--streams N] [--events N] [--warmup N] [--gap-ms MS] [--paddock-dll PATH] [--before-dll PATH [--before-label TEXT]] [--data-root DIR]");
    return 2;
}
var streams = arguments.Int("--streams", 10_000, 1, 19_000);
var events = arguments.Int("--events", 100, 1, 100_000);
// Events before the measured ones. With the default 2, Paddock's tiered JIT is still compiling its request path (each
// event's enqueue and cancel run it once) through the measured events: 0.3–1.4 s of JIT per 3 s in a 100-event run.
var warmup = arguments.Int("--warmup", 2, 0, 100_000);
var gap = TimeSpan.FromMilliseconds(arguments.Int("--gap-ms", 250, 0, 60_000));
var dataRoot = arguments.Text("--data-root") ?? Path.GetTempPath();
var paddockDll = arguments.Text("--paddock-dll") ?? Path.Combine(RepositoryRoot(), "src/Paddock.Cli/bin/Release/net10.0/paddock.dll");
var beforeDll = arguments.Text("--before-dll");
var beforeLabel = arguments.Text("--before-label") ?? "before";
foreach (var dll in new[] { paddockDll, beforeDll }.OfType<string>())
{
    if (File.Exists(dll)) continue;
    Console.Error.WriteLine($"{dll} does not exist: build it first (dotnet build src/Paddock.Cli -c Release, or bench/lib/build-at.sh REV)");
    return 2;
}

var settings = $"{streams:N0} streams, {warmup} warmup + {events} measured events, {gap.TotalMilliseconds:0} ms after each event reached every stream";
Console.WriteLine($"SseBench: {settings}; clients in this process (raw sockets), servers in child processes");
Console.WriteLine(Report.Machine());
Console.WriteLine();

var results = new List<Result>();
try
{
    results.Add(await MeasureAsync("raw Kestrel broadcaster", await StartRawAsync(), null));
    results.Add(await MeasurePaddockAsync("Paddock (this commit)", paddockDll));
    if (beforeDll is not null) results.Add(await MeasurePaddockAsync($"Paddock {beforeLabel}", beforeDll));
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"benchmark aborted: {e.Message}");
    return 1;
}

var raw = results[0];
Console.WriteLine();
Console.WriteLine(Report.MarkdownMarker);
Console.WriteLine();
Console.WriteLine($"### SSE fan-out: {streams:N0} streams on one process against a raw Kestrel broadcaster ({DateTime.Now:yyyy-MM-dd HH:mm})");
Console.WriteLine();
Console.WriteLine($"Machine: {Report.Machine()} (at the end of the run).  ");
Console.WriteLine($"Settings: {settings}. Each server runs alone in a child process (Paddock: `paddock serve --no-workers`, fresh SQLite " +
                  "data directory); the clients are raw sockets in the benchmark's process on the same cores. Paddock's event: enqueue a " +
                  "generation, then `DELETE` it; the time runs from just before the `DELETE` is sent to the moment each stream reads the " +
                  "`media_generation_cancelled` frame. The raw broadcaster's: `POST /broadcast`, which writes one frame of the same shape to " +
                  "every open response. RSS from /proc/PID/status; CPU per event from /proc/PID/stat (utime+stime) over the measured events, " +
                  "so Paddock's includes its enqueue and cancel requests and the comment it writes to each stream 200 ms after an event.");
Console.WriteLine();
Console.WriteLine("| target | RSS idle, all streams open | RSS after the events | RSS 5 s later | 15 s later | broadcast p50 ms | p99 ms | max ms | CPU ms/event | every stream got every event |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
foreach (var r in results)
    Console.WriteLine($"| {r.Name} | {Mb(r.IdleRss)} | {Mb(r.AfterRss)} | {Mb(r.SettledRss)} | {Mb(r.QuietRss)} | {r.P50:0.0} | {r.P99:0.0} | {r.Max:0.0} | {r.CpuMsPerEvent:0.0} | {(r.Complete ? "yes" : "**NO**: " + r.Failure)} |");
Console.WriteLine();
foreach (var r in results.Skip(1))
{
    Console.WriteLine($"{r.Name} / raw: RSS idle {r.IdleRss / (double)raw.IdleRss:0.00}, after the events {r.AfterRss / (double)raw.AfterRss:0.00}, " +
                      $"broadcast p50 {r.P50 / raw.P50:0.00}, **p99 {r.P99 / raw.P99:0.00}**, CPU per event {r.CpuMsPerEvent / raw.CpuMsPerEvent:0.00}.  ");
}
Console.WriteLine("Targets (issue 15): at most 250 MB after 100 events; broadcast p99 at most 1.2× raw; every stream gets every event.");
return results.All(r => r.Complete) ? 0 : 1;

async Task<Result> MeasurePaddockAsync(string name, string dll)
{
    var dataDirectory = Path.Combine(dataRoot, "paddock-sse-bench-" + Guid.NewGuid().ToString("N")[..12]);
    try
    {
        var server = await ChildServer.StartAsync("dotnet",
            [dll, "serve", "--no-workers", "--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory, "--Logging:LogLevel:Default=Warning"]);
        var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();
        return await MeasureAsync(name, server, key);
    }
    finally
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }
}

async Task<ChildServer> StartRawAsync()
{
    var self = typeof(RawBroadcaster).Assembly.Location;
    return await ChildServer.StartAsync("dotnet", [self, "raw-server"]);
}

async Task<Result> MeasureAsync(string name, ChildServer server, string? apiKey)
{
    await using var _ = server;
    using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    var paddock = apiKey is not null;

    var clock = Stopwatch.StartNew();
    await using var clients = await SseClients.OpenAsync(server.BaseAddress, paddock ? "api/events" : "events", apiKey, streams, warmup + events);
    Console.WriteLine($"{name}: {streams:N0} streams open in {clock.Elapsed.TotalSeconds:0.0} s");
    await Task.Delay(TimeSpan.FromSeconds(3));
    var idleRss = server.ResidentBytes();

    var all = new List<double>();
    string? failure = null;
    var cpuBefore = TimeSpan.Zero;
    for (var k = 0; k < warmup + events && failure is null; k++)
    {
        if (k == warmup) cpuBefore = server.CpuTime();
        long sentAt;
        if (paddock)
        {
            using var enqueue = await http.PostAsync("api/ai/queue", new StringContent(
                """{"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks through a beautiful garden, cinematic lighting."}""", Encoding.UTF8, "application/json"));
            var text = await enqueue.Content.ReadAsStringAsync();
            if (!enqueue.IsSuccessStatusCode) throw new InvalidOperationException($"{name}: enqueue answered {(int)enqueue.StatusCode}: {Report.Shorten(text)}");
            var id = JsonDocument.Parse(text).RootElement.GetProperty("generations")[0].GetProperty("generation_id").GetString();
            sentAt = Stopwatch.GetTimestamp();
            using var cancel = await http.DeleteAsync($"api/ai/queue/{id}");
            if (!cancel.IsSuccessStatusCode) throw new InvalidOperationException($"{name}: DELETE answered {(int)cancel.StatusCode}");
        }
        else
        {
            sentAt = Stopwatch.GetTimestamp();
            using var broadcast = await http.PostAsync("broadcast", null);
            if (!broadcast.IsSuccessStatusCode) throw new InvalidOperationException($"{name}: broadcast answered {(int)broadcast.StatusCode}");
        }
        if (!await clients.WaitForAllAsync(k + 1, TimeSpan.FromSeconds(60)))
        {
            failure = $"event {k + 1}: {clients.Behind(k + 1):N0} of {streams:N0} streams did not get it within 60 s" +
                      (clients.FirstError is { } e ? $" ({e})" : "");
            break;
        }
        if (k >= warmup)
        {
            all.AddRange(clients.LatenciesMs(k, sentAt));
        }
        await Task.Delay(gap);
    }
    var cpu = server.CpuTime() - cpuBefore;
    var afterRss = server.ResidentBytes();
    if (failure is null && clients.Ahead(warmup + events) > 0) failure = $"{clients.Ahead(warmup + events):N0} streams got an event twice";
    await Task.Delay(TimeSpan.FromSeconds(5));
    var settledRss = server.ResidentBytes();
    // A server that gives back what a burst left unused does so once it has been quiet for a while.
    await Task.Delay(TimeSpan.FromSeconds(10));
    var quietRss = server.ResidentBytes();
    if (failure is null && clients.FirstError is { } error) failure = error;

    all.Sort();
    var result = new Result(name, idleRss, afterRss, settledRss, quietRss,
        Report.Quantile(all, 0.5), Report.Quantile(all, 0.99), all.Count > 0 ? all[^1] : double.NaN,
        cpu.TotalMilliseconds / events, failure is null, failure);
    Console.WriteLine($"{name}: RSS idle {Mb(idleRss)}, after {Mb(afterRss)}, 5 s later {Mb(settledRss)}, 15 s later {Mb(quietRss)}; broadcast p50 {result.P50:0.0} ms, " +
                      $"p99 {result.P99:0.0} ms, max {result.Max:0.0} ms; CPU {result.CpuMsPerEvent:0.0} ms/event{(failure is null ? "" : "; FAILED: " + failure)}");
    return result;
}

static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):0} MB";

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Paddock.slnx"))) return dir.FullName;
    throw new InvalidOperationException("not inside the Paddock repository: pass --paddock-dll");
}

internal sealed record Result(string Name, long IdleRss, long AfterRss, long SettledRss, long QuietRss, double P50, double P99, double Max, double CpuMsPerEvent, bool Complete, string? Failure);
