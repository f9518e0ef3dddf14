using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Paddock.Bench;

/// <summary>A server under test on 127.0.0.1 with a free port.</summary>
public interface IBenchTarget : IAsyncDisposable
{
    string Name { get; }
    Uri BaseAddress { get; }
    string? ApiKey { get; }

    /// <summary>After the load: a one-line check of what the server kept, or null when there is nothing to check; <c>Ok</c> false on a mismatch.</summary>
    Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers);
}

/// <summary>The request every connection sends in a loop: a GET without a body, or a POST of a JSON body.</summary>
public sealed record BenchRequest(HttpMethod Method, string Path, byte[]? JsonBody = null)
{
    public static BenchRequest Get(string path) => new(HttpMethod.Get, path);

    public static BenchRequest PostJson(string path, byte[] body) => new(HttpMethod.Post, path, body);
}

/// <summary>What one run measured.</summary>
/// <param name="CpuMsPerRequest">
/// This process's CPU time (user + system, every thread) over the measured window per request measured. For an
/// in-process target it is the server's and the load generator's CPU together.
/// </param>
/// <param name="JitMs">
/// Time this process's JIT spent compiling during the measured window (<see cref="System.Runtime.JitInfo"/>), and
/// <paramref name="MethodsJitted"/> how many methods: code still being tiered up there is start-up cost, not the
/// steady state, and shows that the warmup was too short.
/// </param>
/// <param name="AllocatedBytesPerRequest">
/// Bytes this process allocated on the managed heap over the measured window per request measured (server and load
/// generator together for an in-process target), and <paramref name="Gen0Collections"/> the collections in the window:
/// where a target's CPU goes that a profile spreads thin.
/// </param>
public sealed record RunResult(
    string Target,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    long MeasuredOk,
    long OkAnswers,
    long Errors,
    string? FirstError,
    string? Check,
    bool CheckOk,
    double CpuMsPerRequest,
    double JitMs = 0,
    long MethodsJitted = 0,
    double AllocatedBytesPerRequest = 0,
    int Gen0Collections = 0)
{
    public bool Clean => Errors == 0 && CheckOk;
}

/// <summary>
/// Closed-loop load in this process: N connections, each one task sending its next request as soon
/// as the previous answer is read. Warmup first (not recorded), then the measured phase: a request
/// counts when it completes inside the measured window. Every answer, warmup included, must be 200.
/// </summary>
public sealed class LoadGenerator(int connections, TimeSpan warmup, TimeSpan measured)
{
    private const int Warmup = 0, Measuring = 1, Stopping = 2;

    private int _phase;
    private long _okAnswers;
    private long _errors;
    private string? _firstError;

    public async Task<RunResult> RunAsync(IBenchTarget target, BenchRequest request)
    {
        _phase = Warmup;
        _okAnswers = 0;
        _errors = 0;
        _firstError = null;

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        using var client = new HttpClient(handler) { BaseAddress = target.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (target.ApiKey is { } key) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var uri = new Uri(target.BaseAddress, request.Path);

        // One request first, so a broken setup fails with its answer instead of N×seconds of errors.
        await SendOneAsync(client, uri, request, new byte[64 * 1024]);
        if (_errors > 0) throw new InvalidOperationException($"{target.Name}: the first request failed: {_firstError}");

        var histograms = new LatencyHistogram[connections];
        var workers = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            histograms[i] = new LatencyHistogram();
            var histogram = histograms[i];
            workers[i] = Task.Run(() => WorkerAsync(client, uri, request, histogram));
        }

        await Task.Delay(warmup);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var jittedBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var gen0Before = GC.CollectionCount(0);
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref _phase, Measuring);
        await Task.Delay(measured);
        Volatile.Write(ref _phase, Stopping);
        var elapsed = Stopwatch.GetElapsedTime(start);
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var jit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - jittedBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        var gen0 = GC.CollectionCount(0) - gen0Before;
        await Task.WhenAll(workers);

        var all = new LatencyHistogram();
        foreach (var histogram in histograms) all.Add(histogram);
        var check = await target.VerifyAsync(client, Interlocked.Read(ref _okAnswers));
        return new RunResult(
            target.Name,
            all.Count / elapsed.TotalSeconds,
            all.QuantileMs(0.50),
            all.QuantileMs(0.99),
            all.Count,
            Interlocked.Read(ref _okAnswers),
            Interlocked.Read(ref _errors),
            _firstError,
            check?.Line,
            check?.Ok ?? true,
            all.Count == 0 ? double.NaN : cpu.TotalMilliseconds / all.Count,
            jit.TotalMilliseconds,
            jitted,
            all.Count == 0 ? double.NaN : (double)allocated / all.Count,
            gen0);
    }

    private async Task WorkerAsync(HttpClient client, Uri uri, BenchRequest request, LatencyHistogram histogram)
    {
        var scratch = new byte[64 * 1024];
        while (Volatile.Read(ref _phase) != Stopping)
        {
            var started = Stopwatch.GetTimestamp();
            var ok = await SendOneAsync(client, uri, request, scratch);
            var ended = Stopwatch.GetTimestamp();
            if (ok && Volatile.Read(ref _phase) == Measuring) histogram.Record(ended - started);
        }
    }

    /// <summary>Sends one request and reads the whole answer; counts it as 200 or as an error.</summary>
    private async Task<bool> SendOneAsync(HttpClient client, Uri uri, BenchRequest request, byte[] scratch)
    {
        try
        {
            using var message = new HttpRequestMessage(request.Method, uri);
            if (request.JsonBody is { } body)
            {
                message.Content = new ByteArrayContent(body);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await using var stream = await response.Content.ReadAsStreamAsync();
                while (await stream.ReadAsync(scratch) > 0) { }
                Interlocked.Increment(ref _okAnswers);
                return true;
            }
            var text = await response.Content.ReadAsStringAsync();
            Fail($"HTTP {(int)response.StatusCode}: {Report.Shorten(text)}");
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Fail($"{e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    private void Fail(string what)
    {
        Interlocked.Increment(ref _errors);
        Interlocked.CompareExchange(ref _firstError, what, null);
    }
}
