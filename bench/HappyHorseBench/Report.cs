using System.Globalization;
using System.Runtime.InteropServices;

namespace HappyHorseBench;

/// <summary>The console lines and the Markdown for docs/BENCHMARKS.md.</summary>
public static class Report
{
    public static void Print(Options options, IReadOnlyList<JobResult> direct, IReadOnlyList<JobResult> single, IReadOnlyList<BurstResult> bursts)
    {
        Console.WriteLine($"### Overhead around the happyhorse engine: enqueue → succeeded vs the fake DashScope's task time ({DateTime.Now:yyyy-MM-dd})");
        Console.WriteLine();
        Console.WriteLine($"`dotnet run -c Release --project bench/HappyHorseBench -- --runs {options.Runs} --jobs {options.Jobs} --task-time {options.TaskTime:0.###} --pending-time {options.PendingTime:0.###} --wave-concurrency {options.WaveConcurrency}`");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; load average {LoadAverage()} at the end.  ");
        Console.WriteLine($"Fake: task time {options.TaskTime:0.###} s from create to end (PENDING {options.PendingTime:0.###} s), 1280×720 3 s result with audio. " +
                          "Request: happyhorse-1.0-r2v, two 800×600 PNG references inline (data: URLs), 16:9 720P 3 s. Paddock in the same process, " +
                          "SQLite, engine defaults (PollInterval 0.5 s, MaxPollInterval 5 s), completion seen on `/api/events`.");
        Console.WriteLine();
        Console.WriteLine("| one job at a time | median | p90 | max |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("fake's own task time (create → end, its clock)", single.Select(j => j.FakeTime));
        Row("baseline: bare client, create → poll every 20 ms → downloaded", direct.Select(j => j.Total));
        Row("baseline overhead (bare client − fake task time)", direct.Select(j => j.Overhead));
        Row("**Paddock: enqueue → `succeeded` event**", single.Select(j => j.Total));
        Row("**Paddock overhead (− fake task time)**", single.Select(j => j.Overhead));
        Row("… before: enqueue → task created", single.Select(j => j.Before));
        Row("… after: task ended → `succeeded` event", single.Select(j => j.After));
        Row("… … of which: task ended → the query that saw it", single.Select(j => j.Detect));
        Row("… … of which: download began → `succeeded` event (download, conform, store, event)", single.Select(j => j.Finish));
        Console.WriteLine();
        Console.WriteLine("| burst | makespan | ideal (waves × slowest task) | makespan − ideal | overhead per job, median / max | task end → seen, median | download → event, median | most tasks at once at the fake | all succeeded |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var b in bursts)
        {
            var overheads = b.Jobs.Select(j => j.Overhead).ToList();
            Console.WriteLine($"| {b.Name} | {S(b.Makespan)} | {S(b.Ideal)} | {S(b.Makespan - b.Ideal)} | {S(Median(overheads))} / {S(overheads.Max())} | {S(Median(b.Jobs.Select(j => j.Detect).ToList()))} | {S(Median(b.Jobs.Select(j => j.Finish).ToList()))} | {b.MaxConcurrentAtFake} (limit {b.Concurrency}) | {(b.Jobs.All(j => j.Succeeded) ? "yes" : "**no**")} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Single-job runs (overhead, ms): {string.Join(", ", single.Select(j => Ms(j.Overhead)))}.");
    }

    private static void Row(string name, IEnumerable<TimeSpan> values)
    {
        var list = values.ToList();
        Console.WriteLine($"| {name} | {S(Median(list))} | {S(Percentile(list, 0.9))} | {S(list.Max())} |");
    }

    private static TimeSpan Median(IReadOnlyList<TimeSpan> values) => Percentile(values, 0.5);

    private static TimeSpan Percentile(IReadOnlyList<TimeSpan> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return TimeSpan.Zero;
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    private static string S(TimeSpan t) => t.TotalSeconds >= 10 ? $"{t.TotalSeconds:0.0} s" : $"{t.TotalMilliseconds:0} ms";

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }
}
