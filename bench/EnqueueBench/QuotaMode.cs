using System.Globalization;
using Paddock.Bench;

namespace EnqueueBench;

/// <summary>
/// <c>--quotas</c>: the same enqueue load on Paddock with no quota configured (every check skipped) and with every
/// kind of limit configured for the namespace and for the key, each set high enough that nothing in the run is refused
/// (a refusal is an error, and the run is not valid): requests per minute (the in-process bucket), generations
/// queued (a count of the scope's queued rows in the submission's transaction), generations running, and a budget of
/// seconds of video per day at 1080P and 720P (a sum over the day's budget rows, in the same transaction).
/// <c>--quota-kinds</c> configures only some kinds, to tell which check costs what. Runs alternate; issue 12's target
/// is at least 90% of the throughput with quotas off.
/// </summary>
internal static class QuotaMode
{
    /// <summary>The kinds of limit <c>--quota-kinds</c> may name (all of them by default).</summary>
    public static readonly string[] Kinds = ["rpm", "queued", "running", "budget"];

    /// <summary>The limits of one scope, of the kinds asked, out of the run's reach (the configuration's own maximum where it has one).</summary>
    private static IEnumerable<string> Limits(string scope, IReadOnlyCollection<string> kinds)
    {
        if (kinds.Contains("rpm")) yield return $"--Paddock:Quotas:{scope}:RequestsPerMinute=1000000";
        if (kinds.Contains("queued")) yield return $"--Paddock:Quotas:{scope}:MaxQueued=10000000";
        // Running at once is limited per namespace only (the options refuse it per key).
        if (kinds.Contains("running") && scope == "Namespace") yield return $"--Paddock:Quotas:{scope}:MaxRunning=100000";
        if (!kinds.Contains("budget")) yield break;
        foreach (var (resolution, i) in new[] { ("1080P", 0), ("720P", 1) })
        {
            yield return $"--Paddock:Quotas:{scope}:Budgets:{i}:Resolution={resolution}";
            yield return $"--Paddock:Quotas:{scope}:Budgets:{i}:Period=Day";
            yield return $"--Paddock:Quotas:{scope}:Budgets:{i}:Seconds=1000000000000";
        }
    }

    public static async Task<int> RunAsync(Settings settings, LoadGenerator load, BenchRequest body)
    {
        var kinds = settings.QuotaKinds;
        string[] quotas = [.. Limits("Namespace", kinds), .. Limits("Key", kinds)];
        var described = string.Join(", ", new[]
        {
            kinds.Contains("rpm") ? "requests per minute 1,000,000" : null,
            kinds.Contains("queued") ? "queued 10,000,000" : null,
            kinds.Contains("budget") ? "a day's budget of 10^12 s at 1080P and at 720P" : null,
        }.Where(k => k is not null));
        var off = new List<RunResult>();
        var on = new List<RunResult>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            await using (var target = await PaddockTarget.StartAsync(settings.DataRoot, "quotas-off"))
                off.Add(Print(run, await load.RunAsync(target, body)));
            Settle();
            await using (var target = await PaddockTarget.StartAsync(settings.DataRoot, "quotas-on", quotas))
                on.Add(Print(run, await load.RunAsync(target, body)));
            Settle();
        }

        var o = Summary.Of(off);
        var q = Summary.Of(on);
        var ratio = q.RequestsPerSecond / o.RequestsPerSecond;
        var clean = off.Concat(on).All(r => r.Clean);
        Console.WriteLine();
        Console.WriteLine(Report.MarkdownMarker);
        Console.WriteLine();
        Console.WriteLine($"### Enqueue throughput with quotas on vs off ({DateTime.Now:yyyy-MM-dd HH:mm})");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Report.Machine()} (at the end of the run).  ");
        Console.WriteLine($"Settings: {settings.Describe()}; runs alternate off and on; medians over runs. " +
                          "`POST /api/ai/queue` with the seed body (one 1080P row a request), `Workers:Concurrency=0` (the queue only grows), " +
                          "fresh SQLite data directory per run, load generator in the same process. " +
                          $"On (`--quota-kinds {string.Join(',', kinds)}`): for the namespace and for the key, {described}" +
                          (kinds.Contains("running") ? ", and for the namespace running 100,000" : "") +
                          " — every check made, none reached (a refusal would count as an error).");
        Console.WriteLine();
        Console.WriteLine("| Paddock | requests/s | p50 ms | p99 ms | CPU ms/request | errors | per run (req/s) | rows queued at the end, per run | throughput / off |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|---|---:|");
        Console.WriteLine(Row("quotas off (nothing configured)", o, off, 1));
        Console.WriteLine(Row($"quotas on ({string.Join(", ", kinds)}; none reached)", q, on, ratio));
        Console.WriteLine();
        Console.WriteLine($"on / off: **{ratio:0.00}** of the throughput (target at least 0.90); CPU per request {q.CpuMsPerRequest / o.CpuMsPerRequest:0.00}x  ");
        if (!clean) Console.WriteLine("**Some runs had errors or failed the rows check: these numbers are not valid.**");
        return clean ? 0 : 1;
    }

    private static RunResult Print(int run, RunResult r)
    {
        Console.WriteLine($"run {run} {r.Target,-10} {r.RequestsPerSecond,9:N0} req/s  p50 {r.P50Ms,7:0.00} ms  p99 {r.P99Ms,7:0.00} ms  " +
                          $"CPU {r.CpuMsPerRequest,6:0.000} ms/req  rows {r.OkAnswers}, errors {r.Errors}");
        if (r.Errors > 0) Console.WriteLine($"    RUN HAD ERRORS; first: {r.FirstError}");
        if (r.Check is not null) Console.WriteLine($"    {r.Check}");
        return r;
    }

    private static string Row(string name, Summary s, List<RunResult> runs, double ratio) =>
        $"| {name} | {s.RequestsPerSecond:N0} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.CpuMsPerRequest:0.000} | {s.Errors} | " +
        string.Join(", ", runs.Select(r => r.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture))) + " | " +
        string.Join(", ", runs.Select(r => r.OkAnswers.ToString("N0", CultureInfo.InvariantCulture))) + $" | {ratio:0.00} |";

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
