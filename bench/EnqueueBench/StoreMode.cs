using System.Diagnostics;
using Paddock.Bench;
using Paddock.Core.Generations;
using Paddock.Storage.Sqlite;

namespace EnqueueBench;

/// <summary>
/// <c>--store</c>: the SQLite store alone, as the server's enqueue calls it (<c>EnqueueAsync</c> of one generation the
/// size of the seed request's, with a trace context, an API key, a resolution and seconds of video, so every counter is
/// kept), from as many concurrent callers as <c>--connections</c>, on a fresh file. No HTTP, no validation: what the
/// writer's group commit costs per enqueue. The writer thread's CPU comes from <c>/proc/self/task/TID/stat</c>, steadier
/// than the whole process's. To compare a change to the store, run this from a build of each commit, alternating.
/// </summary>
internal static class StoreMode
{
    private const string Parameters =
        """{"prompt":"Image 1 walks through a beautiful garden, cinematic lighting.","reference_images":[],"resolution":"1080P","aspect_ratio":"16:9","duration":5,"seed":123456,"watermark":true}""";

    public static async Task<int> RunAsync(Settings settings)
    {
        Console.WriteLine($"EnqueueBench --store: {Report.Machine()}");
        Console.WriteLine($"the SQLite store alone: {settings.Connections} concurrent callers, {settings.Warmup} s warmup, {settings.Seconds} s measured, {settings.Runs} run(s)");
        var runs = new List<(double PerSecond, double WriterMs, double ProcessMs)>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            var result = await RunOnceAsync(settings);
            Console.WriteLine($"run {run}: {result.PerSecond:0} enqueues/s, writer thread {result.WriterMs:0.0000} ms CPU per enqueue, process {result.ProcessMs:0.0000} ms");
            runs.Add(result);
        }
        Console.WriteLine(
            $"median: {Report.Median(runs.Select(r => r.PerSecond).ToList()):0} enqueues/s, writer thread {Report.Median(runs.Select(r => r.WriterMs).ToList()):0.0000} ms, " +
            $"process {Report.Median(runs.Select(r => r.ProcessMs).ToList()):0.0000} ms CPU per enqueue");
        return 0;
    }

    private static async Task<(double PerSecond, double WriterMs, double ProcessMs)> RunOnceAsync(Settings settings)
    {
        var folder = Path.Combine(settings.DataRoot, "paddock-enqueue-store-" + Guid.NewGuid().ToString("N"));
        var store = new SqliteStore(Path.Combine(folder, "paddock.db"), TimeProvider.System);
        try
        {
            var writer = WriterThreadStat();
            long measured = 0;
            var phase = 0; // 0 warmup, 1 measured, 2 stopping
            async Task CallerAsync()
            {
                while (Volatile.Read(ref phase) < 2)
                {
                    var row = new NewGeneration(Guid.CreateVersion7(), "default", "happyhorse-1.0-r2v", "video", Parameters, Lane: "builtin",
                        TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ApiKeyId: "bench-key", Resolution: "1080P", VideoSeconds: 5);
                    await store.Generations.EnqueueAsync([row]);
                    if (Volatile.Read(ref phase) == 1) Interlocked.Increment(ref measured);
                }
            }
            var callers = Enumerable.Range(0, settings.Connections).Select(_ => Task.Run(CallerAsync)).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(settings.Warmup));

            using var self = Process.GetCurrentProcess();
            var writerBefore = CpuTicks(writer);
            var processBefore = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            Volatile.Write(ref phase, 1);
            await Task.Delay(TimeSpan.FromSeconds(settings.Seconds));
            Volatile.Write(ref phase, 2);
            var elapsed = clock.Elapsed;
            var writerTicks = CpuTicks(writer) - writerBefore;
            self.Refresh();
            var process = self.TotalProcessorTime - processBefore;
            await Task.WhenAll(callers);

            var count = Interlocked.Read(ref measured);
            // Clock ticks of /proc are 1/100 s on Linux (USER_HZ).
            return (count / elapsed.TotalSeconds, writerTicks * 10.0 / count, process.TotalMilliseconds / count);
        }
        finally
        {
            await store.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The stat file of the store's writer thread (named by the store when it starts it).</summary>
    private static string WriterThreadStat()
    {
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("Paddock SQLite", StringComparison.Ordinal))
                return Path.Combine(task, "stat");
        }
        throw new InvalidOperationException("no thread named 'Paddock SQLite writer' in this process: --store reads its CPU time from /proc (Linux only)");
    }

    /// <summary>User plus system clock ticks (fields 14 and 15 of stat; the name before them may hold spaces).</summary>
    private static long CpuTicks(string stat)
    {
        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }
}
