using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RenderPathBench;

/// <summary>The whole comparison: rounds of every build's CLI render, server render and queued renders, and the encode-only floor.</summary>
internal sealed partial class Bench(BenchSettings settings, string scratch)
{
    private const string Prompt =
        "Image 1 walks through Image 2 at golden hour with falling petals. Then Image 1 dances in the city at night in the rain, neon, pan left. Cut to Image 1 jumping on the beach, zoom in.";

    private const int Queued = 4;
    private readonly Samples _samples = new();

    public async Task<int> RunAsync()
    {
        Console.WriteLine($"RenderPathBench: {Environment.ProcessorCount} cores, {settings.Rounds} rounds, builds: {string.Join(", ", settings.Builds.Select(b => $"{b.Label} ({b.Dll})"))}");
        Console.WriteLine($"queued runs at concurrency {string.Join(", ", settings.Concurrencies)}; load average at the start {Load()}");
        var request = await WriteRequestAsync(settings.Builds[0]);
        var cliOutputs = new List<string>();

        Console.WriteLine("composing the request's frames for the encode-only baseline…");
        using var floor = EncodeOnly.Compose(request.References, request.Seed, Prompt, 1920, 1080, 24 * 5);
        Console.WriteLine($"  {floor.FrameCount} frames composed");

        var failures = 0;
        for (var round = 0; round < settings.Rounds; round++)
        {
            Console.WriteLine();
            Console.WriteLine($"round {round + 1} (load {Load()})");
            // The encode-only sets are spread over the round (one before the builds, the rest after), so that load
            // from elsewhere falls on the baseline as it falls on the builds.
            if (settings.EncodeSets > 1) EncodeFourBackToBack(floor);
            // Alternate the order each round, so neither build always runs first.
            var builds = round % 2 == 0 ? settings.Builds : settings.Builds.AsEnumerable().Reverse().ToList();
            foreach (var build in builds)
            {
                var cli = await CliRenderAsync(build, request, round);
                _samples.Add($"{build.Label}/cli wall", cli.Wall);
                _samples.Add($"{build.Label}/cli render", cli.Reported);
                _samples.Add($"{build.Label}/cli cpu", cli.Cpu);
                cliOutputs.Add(cli.Output);
                Console.WriteLine($"  {build.Label}: paddock render {cli.Wall:F2} s wall ({cli.Reported:F2} s reported by the command), {cli.Cpu:F2} CPU-s");

                foreach (var concurrency in settings.Concurrencies)
                {
                    failures += await ServerRunAsync(build, request, concurrency, single: concurrency == settings.Concurrencies[0]);
                }
            }

            var encode = floor.Encode(Path.Combine(scratch, "encode-only.mp4"));
            _samples.Add("encode-only wall", encode.Wall);
            _samples.Add("encode-only cpu", encode.Cpu);
            _samples.Add("each encode-only cpu", encode.Cpu);
            var sameBytes = cliOutputs.All(o => File.ReadAllBytes(o).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(scratch, "encode-only.mp4"))));
            Console.WriteLine($"  encode-only: {encode.Wall:F2} s wall, {encode.Cpu:F2} CPU-s; {(sameBytes ? "the same bytes as every paddock render" : "BYTES DIFFER from a paddock render")}");
            if (!sameBytes) failures++;
            for (var set = settings.EncodeSets > 1 ? 1 : 0; set < settings.EncodeSets; set++) EncodeFourBackToBack(floor);
            cliOutputs.ForEach(File.Delete);
            cliOutputs.Clear();
        }

        Console.WriteLine();
        Console.WriteLine($"load average (1, 5, 15 min) at the end: {Load()}");
        Report();
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Four encode-only runs back to back: one set of the baseline for the queued renders.</summary>
    private void EncodeFourBackToBack(EncodeOnly floor)
    {
        var four = Stopwatch.StartNew();
        var cpus = new List<double>();
        for (var i = 0; i < Queued; i++) cpus.Add(floor.Encode(Path.Combine(scratch, "encode-only.mp4")).Cpu);
        _samples.Add("4 encode-only wall", four.Elapsed.TotalSeconds);
        _samples.Add("4 encode-only cpu", cpus.Sum());
        cpus.ForEach(c => _samples.Add("each encode-only cpu", c));
        Console.WriteLine($"  {Queued} encode-only runs back to back: {four.Elapsed.TotalSeconds:F2} s wall, {cpus.Sum():F2} CPU-s ({string.Join(", ", cpus.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))}; load {Load()})");
    }

    private async Task<int> ServerRunAsync(Build build, BenchRequest request, string concurrency, bool single)
    {
        await using var server = await ServerProcess.StartAsync(build, Path.Combine(scratch, $"data-{Guid.NewGuid():N}"), concurrency);
        _samples.Add($"{build.Label}/server start", server.StartSeconds);
        // What the start itself cost (the host, the database, the first request's JIT), before any render.
        var startCpu = server.Cpu();
        _samples.Add($"{build.Label}/server start cpu", startCpu.Own);
        var failures = 0;
        // Warm-up, not counted: first-use paths of the server, the renderer and SQLite (a short 720P clip), then the
        // request itself --warmup times, one at a time: a fresh server's JIT still recompiles hot methods over its
        // first renders (tier 1, PGO), and the measured renders should be the ones a long-running server makes.
        var (warmup, warmupCpu, _) = await MeasureAsync(server, [request.Body(resolution: "720P", duration: 3)]);
        failures += warmup.Failed;
        _samples.Add($"{build.Label}/warm-up 720P own cpu", warmupCpu.Own);
        var fresh = new List<string>();
        for (var i = 1; i <= settings.Warmup; i++)
        {
            var (one, cpu, jit) = await MeasureAsync(server, [request.Body()]);
            failures += one.Failed;
            _samples.Add($"{build.Label}/warm-up {i} own cpu", cpu.Own);
            if (jit is { } j) _samples.Add($"{build.Label}/warm-up {i} jit ms", j.Milliseconds);
            fresh.Add($"{cpu.Own:F2}{(jit is { } k ? $"/{k.Milliseconds:F0}" : "")}");
        }

        Console.WriteLine($"  {build.Label}: server (concurrency {concurrency}) up in {server.StartSeconds:F2} s ({startCpu.Own:F2} CPU-s); 720P warm-up {warmupCpu.Own:F2} CPU-s; warm-up renders, own CPU-s/JIT ms: {(fresh.Count > 0 ? string.Join(", ", fresh) : "none")}");
        if (single)
        {
            var (one, used, jit) = await MeasureAsync(server, [request.Body()]);
            failures += one.Failed;
            _samples.Add($"{build.Label}/server wall", one.Wall);
            _samples.Add($"{build.Label}/server cpu", used.Total);
            _samples.Add($"{build.Label}/server own cpu", used.Own);
            if (jit is { } j) _samples.Add($"{build.Label}/server jit ms", j.Milliseconds);
            if (server.LastEngineMilliseconds() is { } engineMs) _samples.Add($"{build.Label}/server engine", engineMs / 1000);
            Console.WriteLine($"  {build.Label}: server render {one.Wall:F2} s enqueue → completed event (engine {server.LastEngineMilliseconds() / 1000:F2} s), {used.Total:F2} CPU-s ({used.Own:F2} in the server, {used.Children:F2} in ffmpeg){Jit(jit)}{(one.Failed > 0 ? " FAILED" : "")}");
        }

        var (queued, spent, queuedJit) = await MeasureAsync(server, Enumerable.Range(0, Queued).Select(_ => request.Body()).ToList());
        failures += queued.Failed;
        var key = $"{build.Label}/4 queued c={concurrency}";
        _samples.Add($"{key} wall", queued.Wall);
        _samples.Add($"{key} cpu", spent.Total);
        // The server's own share (everything but ffmpeg) is steadier under load from elsewhere than ffmpeg's.
        _samples.Add($"{key} own cpu", spent.Own);
        _samples.Add($"{key} ffmpeg cpu", spent.Children);
        if (queuedJit is { } q) _samples.Add($"{key} jit ms", q.Milliseconds);
        Console.WriteLine($"  {build.Label}: {Queued} queued at concurrency {concurrency}: {queued.Wall:F2} s to the last completed event, {spent.Total:F2} CPU-s ({spent.Own:F2} in the server, {spent.Children:F2} in ffmpeg){Jit(queuedJit)}; load {Load()}{(queued.Failed > 0 ? $" ({queued.Failed} FAILED)" : "")}");
        return failures;
    }

    private static async Task<((double Wall, int Failed) Result, CpuTime Cpu, JitFigures? Jit)> MeasureAsync(ServerProcess server, IReadOnlyList<string> bodies)
    {
        var cpu = server.Cpu();
        var jit = server.Jit();
        var result = await server.RenderAsync(bodies);
        var used = server.Cpu() - cpu;
        return (result, used, server.Jit() - jit);
    }

    private static string Jit(JitFigures? jit) => jit is { } j ? $"; JIT {j.Milliseconds:F0} ms, {j.Methods} methods" : "";

    private async Task<(double Wall, double Reported, double Cpu, string Output)> CliRenderAsync(Build build, BenchRequest request, int round)
    {
        var output = Path.Combine(scratch, $"cli-{build.Label}-{round}.mp4");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = scratch };
        foreach (var argument in new[] { build.Dll, "render", request.File, "-o", output, "-q" }) start.ArgumentList.Add(argument);
        var cpu = ChildCpu.Read();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var wall = clock.Elapsed.TotalSeconds;
        var used = ChildCpu.Read() - cpu;
        var text = await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"paddock render ({build.Label}) exited with {process.ExitCode}: {text}");
        var reported = ReportedSeconds().Match(text) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        return (wall, reported, used, output);
    }

    /// <summary>Two sample references drawn by the first build's CLI, and the request that names them.</summary>
    private async Task<BenchRequest> WriteRequestAsync(Build build)
    {
        foreach (var (file, subject) in new[] { ("fox.png", "fox"), ("set.png", "landscape") })
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = scratch, RedirectStandardError = true };
            foreach (var argument in new[] { build.Dll, "render", "--sample-image", file, "--subject", subject }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"paddock render --sample-image failed with {process.ExitCode}");
        }

        var request = new BenchRequest(Path.Combine(scratch, "request.json"), [Path.Combine(scratch, "fox.png"), Path.Combine(scratch, "set.png")], Prompt, 42);
        var json = new JsonObject
        {
            ["model"] = "happyhorse-1.0-r2v",
            ["prompt"] = Prompt,
            ["reference_images"] = new JsonArray("fox.png", "set.png"),
            ["resolution"] = "1080P",
            ["duration"] = 5,
            ["seed"] = request.Seed,
        };
        await File.WriteAllTextAsync(request.File, json.ToJsonString());
        return request;
    }

    private void Report()
    {
        string Cell(string key, string unit = " s") => _samples.Median(key) is { } v ? $"{v:F2}{unit}" : "—";
        string Ms(string key) => _samples.Median(key) is { } v ? $"{v:F0}" : "—";
        string Ratio(string a, string b, Func<string, double?> pick) => pick(a) is { } x && pick(b) is { } y ? $"**{x / y:F2}**" : "—";
        string Spread(string key) => _samples.Min(key) is { } lo && _samples.Max(key) is { } hi ? $"{lo:F2}–{hi:F2}" : "—";
        // On a shared machine other load only ever adds time, so the fastest runs are the better estimate of wall time;
        // CPU seconds hardly depend on the load, so their medians are compared.
        string Wall(string a, string b) => $"{Ratio(a, b, _samples.Median)} (fastest {Ratio(a, b, _samples.Min)})";

        Console.WriteLine();
        Console.WriteLine($"Medians of {settings.Rounds} rounds, {settings.Warmup} warm-up renders of the request on each server before the measured ones. " +
            $"encode-only (ffmpeg alone, same frames): {Cell("encode-only wall")} wall (fastest {_samples.Min("encode-only wall"):F2} s), {Cell("encode-only cpu", " CPU-s")}; " +
            $"{Queued} back to back ({_samples.Count("4 encode-only cpu")} sets): {Cell("4 encode-only wall")} (fastest {_samples.Min("4 encode-only wall"):F2} s, spread {Spread("4 encode-only wall")} s), " +
            $"{Cell("4 encode-only cpu", " CPU-s")} (spread {Spread("4 encode-only cpu")}); one encode of the {_samples.Count("each encode-only cpu")}: median {Cell("each encode-only cpu", " CPU-s")}, spread {Spread("each encode-only cpu")}.");
        Console.WriteLine();
        Console.WriteLine("| build | server up | `paddock render` wall (its own figure) | CPU-s | server: enqueue → completed event | engine inside | CPU-s (server's own) | JIT ms | server / `paddock render`: wall | CPU-s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var b in settings.Builds.Select(b => b.Label))
        {
            Console.WriteLine($"| {b} | {Cell($"{b}/server start")} | {Cell($"{b}/cli wall")} ({Cell($"{b}/cli render")}) | {Cell($"{b}/cli cpu", "")} | {Cell($"{b}/server wall")} | {Cell($"{b}/server engine")} | {Cell($"{b}/server cpu", "")} ({Cell($"{b}/server own cpu", "")}) | {Ms($"{b}/server jit ms")} | {Wall($"{b}/server wall", $"{b}/cli wall")} | {Ratio($"{b}/server cpu", $"{b}/cli cpu", _samples.Median)} |");
        }

        Console.WriteLine();
        Console.WriteLine($"| build | concurrency | {Queued} queued renders: to the last event | CPU-s (server's own per render, ffmpeg per render) | JIT ms | / {Queued} encode-only runs: wall | CPU-s |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var b in settings.Builds.Select(b => b.Label))
        {
            foreach (var c in settings.Concurrencies)
            {
                var key = $"{b}/4 queued c={c}";
                var ownPerRender = _samples.Median($"{key} own cpu") is { } own ? $"{own / Queued:F2}" : "—";
                var ffmpegPerRender = _samples.Median($"{key} ffmpeg cpu") is { } ffmpeg ? $"{ffmpeg / Queued:F2}" : "—";
                Console.WriteLine($"| {b} | {c} | {Cell($"{key} wall")} | {Cell($"{key} cpu", "")} ({ownPerRender}, {ffmpegPerRender}) | {Ms($"{key} jit ms")} | {Wall($"{key} wall", "4 encode-only wall")} | {Ratio($"{key} cpu", "4 encode-only cpu", _samples.Median)} |");
            }
        }

        if (settings.Warmup == 0) return;
        // A fresh server's first renders of the request: what a user pays after a start, before the JIT settles.
        Console.WriteLine();
        Console.WriteLine($"A fresh server's renders of the request (after the 720P warm-up), server's own CPU-s / JIT ms, medians of {settings.Rounds * settings.Concurrencies.Count} servers:");
        Console.WriteLine();
        Console.WriteLine($"| build | start to first answer (CPU-s) | 720P warm-up (CPU-s) | {string.Join(" | ", Enumerable.Range(1, settings.Warmup).Select(i => $"#{i}"))} |");
        Console.WriteLine($"|---|---:|---:|{string.Concat(Enumerable.Repeat("---:|", settings.Warmup))}");
        foreach (var b in settings.Builds.Select(b => b.Label))
        {
            Console.WriteLine($"| {b} | {Cell($"{b}/server start cpu", "")} | {Cell($"{b}/warm-up 720P own cpu", "")} | {string.Join(" | ", Enumerable.Range(1, settings.Warmup).Select(i => $"{Cell($"{b}/warm-up {i} own cpu", "")} / {Ms($"{b}/warm-up {i} jit ms")}"))} |");
        }
    }

    internal static string Load() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    [GeneratedRegex(@" in ([0-9.]+) s\s*$", RegexOptions.Multiline)]
    private static partial Regex ReportedSeconds();
}

/// <summary>The request: a file for the CLI (paths relative to it), and the same fields as a JSON body for the server (the images inline).</summary>
internal sealed record BenchRequest(string File, IReadOnlyList<string> References, string Prompt, long Seed)
{
    public string Body(string resolution = "1080P", int duration = 5) => new JsonObject
    {
        ["model"] = "happyhorse-1.0-r2v",
        ["prompt"] = Prompt,
        // The CLI turns its local files into data: URLs in just this way.
        ["reference_images"] = new JsonArray(References.Select(r => (JsonNode)("data:application/octet-stream;base64," + Convert.ToBase64String(System.IO.File.ReadAllBytes(r)))).ToArray()),
        ["resolution"] = resolution,
        ["duration"] = duration,
        ["seed"] = Seed,
    }.ToJsonString();
}

/// <summary>Values per named series; medians for the report.</summary>
internal sealed class Samples
{
    private readonly Dictionary<string, List<double>> _series = [];

    public void Add(string key, double value)
    {
        if (double.IsNaN(value)) return;
        if (!_series.TryGetValue(key, out var list)) _series[key] = list = [];
        list.Add(value);
    }

    public double? Min(string key) => _series.TryGetValue(key, out var list) && list.Count > 0 ? list.Min() : null;

    public double? Max(string key) => _series.TryGetValue(key, out var list) && list.Count > 0 ? list.Max() : null;

    public int Count(string key) => _series.TryGetValue(key, out var list) ? list.Count : 0;

    public double? Median(string key)
    {
        if (!_series.TryGetValue(key, out var list) || list.Count == 0) return null;
        var sorted = list.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

internal sealed record Build(string Label, string Dll);

internal sealed record BenchSettings(IReadOnlyList<Build> Builds, int Rounds, IReadOnlyList<string> Concurrencies, int Warmup, int EncodeSets)
{
    public static BenchSettings Parse(string[] args)
    {
        var builds = new List<Build>();
        var settings = new BenchSettings(builds, 3, ["default", "1", "2"], Warmup: 8, EncodeSets: 2);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--build":
                    var value = Value();
                    var split = value.IndexOf('=', StringComparison.Ordinal);
                    if (split <= 0) throw new ArgumentException($"--build takes LABEL=PATH/TO/paddock.dll, not {value}");
                    builds.Add(new Build(value[..split], Path.GetFullPath(value[(split + 1)..])));
                    break;
                case "--rounds":
                    settings = settings with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--concurrency":
                    // The first is also where the single render is measured.
                    settings = settings with { Concurrencies = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                    break;
                case "--warmup":
                    // Renders of the request on each server before the measured ones (after a 720P clip).
                    settings = settings with { Warmup = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--encode-sets":
                    // Sets of four encode-only runs per round.
                    settings = settings with { EncodeSets = int.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}; use [--build LABEL=paddock.dll]... [--rounds N] [--concurrency default,1,2] [--warmup N] [--encode-sets N]");
            }
        }

        if (builds.Count == 0) builds.Add(new Build("this", Path.GetFullPath("src/Paddock.Cli/bin/Release/net10.0/paddock.dll")));
        foreach (var build in builds)
        {
            if (!File.Exists(build.Dll)) throw new ArgumentException($"{build.Dll} does not exist; build it with dotnet build src/Paddock.Cli -c Release");
        }

        if (settings.Warmup < 0) throw new ArgumentException("--warmup must be 0 or more");
        if (settings.EncodeSets < 1) throw new ArgumentException("--encode-sets must be at least 1");
        return settings.Rounds >= 1 ? settings : throw new ArgumentException("--rounds must be at least 1");
    }
}
