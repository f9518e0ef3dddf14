// POST /api/ai/queue of the real server against a minimal Kestrel endpoint parsing the same body, and against that
// endpoint answering only after a durable insert of one row (a minimal SQLite group commit).
// All run in this process, one at a time, loaded by an in-process HttpClient load generator.
//
//   dotnet run -c Release --project bench/EnqueueBench -- --connections 64 --seconds 10 --warmup 3 --runs 2
//   ... -- --postgres 'Host=127.0.0.1;Port=5432;Username=postgres'   also Paddock on PostgreSQL (a fresh database
//   per run on that server) and pgbench inserting one row per transaction on the same server
//   ... -- --telemetry   instead: Paddock with OpenTelemetry off, on (the default), and on with OTLP export and a
//   Prometheus scrape (issue 13: at least 90% of the throughput with it off)
//   ... -- --quotas      instead: Paddock with no quota against every limit configured and none reached (issue 12: at
//   least 90% of the throughput with quotas off)
//   ... -- --validation  instead: the CPU of validating a body alone, each model's compiled checks against the full JSON
//   Schema evaluation (issue 15 item 4)
//   ... -- --store       instead: the SQLite store alone (no HTTP), its writer thread's CPU per enqueue; run it from two
//   builds to compare a change to the store

using System.Globalization;
using System.Text;
using Paddock.Bench;

namespace EnqueueBench;

public static class Program
{
    /// <summary>The seed page's minimal request.</summary>
    private const string Body = """{"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks through a beautiful garden, cinematic lighting."}""";

    public static async Task<int> Main(string[] args)
    {
        Report.UseInvariantCulture();

        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: EnqueueBench [--connections N] [--seconds S] [--warmup S] [--runs N] [--data-root DIR] [--postgres CONNECTION-STRING] [--telemetry | --quotas [--quota-kinds rpm,queued,running,budget] | --validation | --store]");
            return 2;
        }

        if (settings.Validation) return ValidationMode.Run(settings);
        if (settings.Store) return await StoreMode.RunAsync(settings);

        // The load generator shares this process with the server: without this, its own HttpClient calls would be traced
        // by Paddock's OpenTelemetry (a client span and a traceparent header per request) while Paddock runs and not
        // while the baseline does, a cost real clients put on their own machines. The enqueue path makes no outgoing
        // HTTP call, so the server's spans are the same either way. Set before any HttpClient exists (the runtime reads
        // it once).
        AppContext.SetSwitch("System.Net.Http.EnableActivityPropagation", false);
        var body = BenchRequest.PostJson("api/ai/queue", Encoding.UTF8.GetBytes(Body));
        var load = new LoadGenerator(settings.Connections, TimeSpan.FromSeconds(settings.Warmup), TimeSpan.FromSeconds(settings.Seconds));
        Console.WriteLine($"EnqueueBench: {settings.Describe()}; load generator in-process (HttpClient/SocketsHttpHandler, HTTP/1.1, same process and cores as the server)");
        Console.WriteLine(Report.Machine());
        Console.WriteLine();
        if (settings.Telemetry) return await TelemetryMode.RunAsync(settings, load, body);
        if (settings.Quotas) return await QuotaMode.RunAsync(settings, load, body);

        var baseline = new List<RunResult>();
        var durable = new List<RunResult>();
        var paddock = new List<RunResult>();
        var postgres = new List<RunResult>();
        var pgbench = new List<PgBench.Result>();
        try
        {
            for (var run = 1; run <= settings.Runs; run++)
            {
                // Paddock runs between the two baselines, which swap places every run: each baseline is measured next to
                // Paddock, before it in one run and after it in the next, so a machine that speeds up or slows down
                // during the set (a shared VM's does) weighs on both sides of a run's ratio alike.
                async Task BaselineAsync()
                {
                    await using (var target = await BaselineTarget.StartAsync())
                        baseline.Add(PrintRun(run, await load.RunAsync(target, body)));
                    Settle();
                }
                async Task DurableAsync()
                {
                    await using (var target = await DurableBaselineTarget.StartAsync(settings.DataRoot))
                        durable.Add(PrintRun(run, await load.RunAsync(target, body)));
                    Settle();
                }
                await (run % 2 == 1 ? BaselineAsync() : DurableAsync());
                await using (var target = await PaddockTarget.StartAsync(settings.DataRoot))
                    paddock.Add(PrintRun(run, await load.RunAsync(target, body)));
                Settle();
                await (run % 2 == 1 ? DurableAsync() : BaselineAsync());
                if (settings.Postgres is { } admin)
                {
                    var (target, database) = await PostgresPaddockTarget.StartAsync(settings.DataRoot, admin);
                    await using (database)
                    await using (target)
                        postgres.Add(PrintRun(run, await load.RunAsync(target, body)));
                    Settle();
                    var bench = await PgBench.RunAsync(admin, settings.Connections, settings.Seconds);
                    Console.WriteLine($"run {run} {bench.Line}");
                    pgbench.Add(bench);
                }
            }
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"benchmark aborted: {e.Message}");
            return 1;
        }

        var b = Summary.Of(baseline);
        var p = Summary.Of(paddock);
        var ratio = p.RequestsPerSecond / b.RequestsPerSecond;
        var cpuRatio = p.CpuMsPerRequest / b.CpuMsPerRequest;
        var d = Summary.Of(durable);
        var durableCpuRatio = p.CpuMsPerRequest / d.CpuMsPerRequest;
        var clean = baseline.Concat(durable).Concat(paddock).Concat(postgres).All(r => r.Clean);
        // Each run's own ratio, Paddock against the baseline measured next to it: steadier than the ratio of the medians
        // when the machine's speed drifts between runs.
        var paired = paddock.Zip(baseline, (pr, br) => pr.CpuMsPerRequest / br.CpuMsPerRequest).ToList();
        var pairedDurable = paddock.Zip(durable, (pr, dr) => pr.CpuMsPerRequest / dr.CpuMsPerRequest).ToList();
        var pairedLine = $"CPU per request, each run's paddock / baseline: median **{Report.Median(paired):0.00}** " +
                         $"(runs: {string.Join(", ", paired.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}); " +
                         $"paddock / durable baseline: median {Report.Median(pairedDurable):0.00}";

        Console.WriteLine();
        Console.WriteLine($"ratio (paddock / baseline): {ratio:0.00}; CPU per request (paddock / baseline): {cpuRatio:0.00}; (paddock / durable baseline): {durableCpuRatio:0.00}");
        Console.WriteLine(pairedLine.Replace("**", ""));
        Console.WriteLine();
        Console.WriteLine(Report.MarkdownMarker);
        Console.WriteLine();
        Console.WriteLine($"### Enqueue throughput: `POST /api/ai/queue` vs a minimal Kestrel endpoint ({DateTime.Now:yyyy-MM-dd})");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Report.Machine()} (at the end of the run).  ");
        Console.WriteLine($"Settings: {settings.Describe()}; each run measures Paddock between the baseline and the durable baseline, which swap places every run; medians over runs, and each run's own CPU ratio. " +
                          "Load generator in the same process (HttpClient, closed loop), sharing the cores with the server. " +
                          "Paddock: `PaddockApp.Build`, fresh SQLite data directory, `Workers:Concurrency=0` (API only), seed request body. " +
                          "CPU ms/request: this process's CPU time (`Process.TotalProcessorTime`) over the measured window per request, " +
                          "server and load generator together (the load generator's share is the same for every target: its own HttpClient calls are not traced, " +
                          "`System.Net.Http.EnableActivityPropagation=false`).");
        Console.WriteLine();
        Console.WriteLine("| target | requests/s | p50 ms | p99 ms | CPU ms/request | errors | per run (req/s) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        Console.WriteLine(Row("baseline: slim Kestrel, JsonDocument parse, small JSON answer", b, baseline));
        Console.WriteLine(Row("durable baseline: the same, answering after its row's group commit (SQLite, WAL, synchronous=FULL)", d, durable));
        Console.WriteLine(Row("Paddock `POST /api/ai/queue`", p, paddock));
        if (postgres.Count > 0)
        {
            var pg = Summary.Of(postgres);
            var tps = Report.Median(pgbench.Select(r => r.TransactionsPerSecond));
            Console.WriteLine(Row("Paddock `POST /api/ai/queue`, storage PostgreSQL", pg, postgres));
            Console.WriteLine($"| pgbench, one INSERT per transaction, {settings.Connections} clients (same server) | {tps:N0} | avg {Report.Median(pgbench.Select(r => r.AverageLatencyMs)):0.00} | | | | " +
                              string.Join(", ", pgbench.Select(r => r.TransactionsPerSecond.ToString("N0", CultureInfo.InvariantCulture))) + " |");
            Console.WriteLine();
            Console.WriteLine($"ratio (paddock on PostgreSQL / baseline): {pg.RequestsPerSecond / b.RequestsPerSecond:0.00}; (paddock on PostgreSQL / pgbench): {pg.RequestsPerSecond / tps:0.00}  ");
        }
        Console.WriteLine();
        Console.WriteLine($"ratio (paddock / baseline): {ratio:0.00}; CPU per request (paddock / baseline): **{cpuRatio:0.00}** " +
                          $"({p.CpuMsPerRequest:0.000} ms against {b.CpuMsPerRequest:0.000} ms; target at most 2); " +
                          $"against the durable baseline: {durableCpuRatio:0.00} ({d.CpuMsPerRequest:0.000} ms)  ");
        Console.WriteLine(pairedLine + "  ");
        foreach (var (r, i) in paddock.Select((r, i) => (r, i + 1)))
            if (r.Check is not null) Console.WriteLine($"Paddock run {i} {r.Check}.  ");
        if (!clean) Console.WriteLine("**Some runs had errors or failed the rows check: these numbers are not valid.**");
        return clean ? 0 : 1;
    }

    private static RunResult PrintRun(int run, RunResult r)
    {
        var line = $"run {run} {r.Target,-8}  {r.RequestsPerSecond,9:N0} req/s  p50 {r.P50Ms,7:0.00} ms  p99 {r.P99Ms,7:0.00} ms  " +
                   $"CPU {r.CpuMsPerRequest,6:0.000} ms/req  JIT {r.JitMs:0} ms ({r.MethodsJitted} methods)  " +
                   $"heap {r.AllocatedBytesPerRequest / 1024:0.0} KB/req, {r.Gen0Collections} GCs  measured {r.MeasuredOk}, answers 200 {r.OkAnswers}, errors {r.Errors}";
        Console.WriteLine(line);
        if (r.Errors > 0) Console.WriteLine($"    RUN HAD ERRORS; first: {r.FirstError}");
        if (r.Check is not null) Console.WriteLine($"    {r.Check}");
        return r;
    }

    private static string Row(string name, Summary s, List<RunResult> runs) =>
        $"| {name} | {s.RequestsPerSecond:N0} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.CpuMsPerRequest:0.000} | {(s.Errors == 0 ? "0" : $"**{s.Errors}**")} | " +
        string.Join(", ", runs.Select(r => r.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture))) + " |";

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

}

public sealed record Settings(int Connections, int Seconds, int Warmup, int Runs, string DataRoot, string? Postgres = null, bool Telemetry = false, bool Quotas = false, IReadOnlyList<string>? Kinds = null, bool Validation = false, bool Store = false)
{
    /// <summary>The kinds of limit <c>--quotas</c> configures.</summary>
    public IReadOnlyList<string> QuotaKinds => Kinds ?? QuotaMode.Kinds;

    public string Describe() => $"{Connections} connections, {Warmup} s warmup, {Seconds} s measured, {Runs} run(s) of each{(Postgres is null ? "" : ", with PostgreSQL")}";

    public static Settings Parse(string[] args)
    {
        int connections = 64, seconds = 10, warmup = 30, runs = 2; // 30 s: with less, the JIT is still tiering the server inside the measured window (its report shows it)
        var dataRoot = Path.GetTempPath();
        string? postgres = null;
        var telemetry = false;
        var quotas = false;
        var validation = false;
        var store = false;
        IReadOnlyList<string>? kinds = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? value = null;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                value = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Next() => value ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value"));
            int Int(int min, int max)
            {
                var text = Next();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new ArgumentException($"{arg}: '{text}' is not a whole number from {min} to {max}");
            }
            switch (arg)
            {
                case "--connections": connections = Int(1, 10_000); break;
                case "--seconds": seconds = Int(1, 3600); break;
                case "--warmup": warmup = Int(0, 3600); break;
                case "--runs": runs = Int(1, 100); break;
                case "--data-root": dataRoot = Next(); break;
                case "--postgres": postgres = Next(); break;
                case "--telemetry": telemetry = true; break;
                case "--quotas": quotas = true; break;
                case "--validation": validation = true; break;
                case "--store": store = true; break;
                case "--quota-kinds":
                    kinds = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (kinds.Count == 0 || kinds.Any(k => !QuotaMode.Kinds.Contains(k)))
                        throw new ArgumentException($"--quota-kinds: give some of {string.Join(",", QuotaMode.Kinds)}");
                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (new[] { telemetry, quotas, validation, store }.Count(on => on) > 1)
            throw new ArgumentException("--telemetry, --quotas, --validation and --store are separate measurements; give one");
        if (kinds is not null && !quotas) throw new ArgumentException("--quota-kinds goes with --quotas");
        return new Settings(connections, seconds, warmup, runs, dataRoot, postgres, telemetry, quotas, kinds, validation, store);
    }
}
