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
            // The store names its writer thread when it starts it.
            var writer = ProcStats.OwnThreadStat("Paddock SQLite")
                ?? throw new InvalidOperationException("no thread named 'Paddock SQLite writer' in this process: --store reads its CPU time from /proc (Linux only)");
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
            var writerBefore = ProcStats.CpuTimeOf(writer);
            var processBefore = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            Volatile.Write(ref phase, 1);
            await Task.Delay(TimeSpan.FromSeconds(settings.Seconds));
            Volatile.Write(ref phase, 2);
            var elapsed = clock.Elapsed;
            var writerCpu = ProcStats.CpuTimeOf(writer) - writerBefore;
            self.Refresh();
            var process = self.TotalProcessorTime - processBefore;
            await Task.WhenAll(callers);

            var count = Interlocked.Read(ref measured);
            return (count / elapsed.TotalSeconds, writerCpu.TotalMilliseconds / count, process.TotalMilliseconds / count);
        }
        finally
        {
            await store.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
