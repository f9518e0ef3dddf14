using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RenderPathBench;

/// <summary>
/// <c>paddock serve</c> of one build on a fresh data directory and a free loopback port, with an event stream open
/// for its whole life: completions are timed when their <c>media_generation_completed</c> event arrives.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(string Status, long Arrived)>> _completions = new();
    private readonly ConcurrentQueue<double> _engineMilliseconds = new();
    private readonly string _jitSocket;
    private Task _events = Task.CompletedTask;

    private ServerProcess(Process process, string dataDirectory, string jitSocket, Uri address)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _jitSocket = jitSocket;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(10) };
    }

    /// <summary>Seconds from starting the process to its first answered API request.</summary>
    public double StartSeconds { get; private set; }

    public static async Task<ServerProcess> StartAsync(Build build, string dataDirectory, string concurrency)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // The JIT probe (JitProbe.cs) inside the server: its socket sits beside the data directory, which is removed after.
        Directory.CreateDirectory(dataDirectory);
        var jitSocket = Path.Combine(dataDirectory, "jit.sock");
        start.Environment["DOTNET_STARTUP_HOOKS"] = JitProbeClient.HookAssembly;
        start.Environment[JitProbeClient.SocketVariable] = jitSocket;
        var arguments = new List<string> { build.Dll, "serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDirectory };
        if (concurrency != "default") arguments.Add($"--Paddock:Workers:Concurrency={concurrency}");
        arguments.ForEach(start.ArgumentList.Add);
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        var server = new ServerProcess(process, dataDirectory, jitSocket, new Uri($"http://127.0.0.1:{port}/"));
        // The server's log (Information, as it runs by default): the engine's own time of each render.
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && EngineFinished().Match(text) is { Success: true } m)
                server._engineMilliseconds.Enqueue(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var keyFile = Path.Combine(dataDirectory, "first-api-key.txt");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"paddock serve ({build.Label}) exited with {process.ExitCode}");
            if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"paddock serve ({build.Label}) did not start in 2 minutes");
            if (File.Exists(keyFile) && (await File.ReadAllTextAsync(keyFile)).Trim() is { Length: > 0 } key)
            {
                try
                {
                    server._http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    using var models = await server._http.GetAsync("api/ai/models");
                    if (models.IsSuccessStatusCode)
                    {
                        server.StartSeconds = clock.Elapsed.TotalSeconds;
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
            }

            await Task.Delay(100);
        }

        var connected = new TaskCompletionSource();
        server._events = Task.Run(() => server.ReadEventsAsync(connected));
        await connected.Task;
        return server;
    }

    /// <summary>Enqueues each body (in one go) and waits for all their completed events: the wall time from the first POST to the last event.</summary>
    public async Task<(double Wall, int Failed)> RenderAsync(IReadOnlyList<string> bodies)
    {
        var started = Stopwatch.GetTimestamp();
        var ids = new List<string>();
        foreach (var body in bodies)
        {
            using var response = await _http.PostAsync("api/ai/queue", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"POST /api/ai/queue answered {(int)response.StatusCode}: {text}");
            using var document = JsonDocument.Parse(text);
            ids.Add(document.RootElement.GetProperty("generations")[0].GetProperty("generation_id").GetString()!);
        }

        var results = await Task.WhenAll(ids.Select(id => Completion(id).Task.WaitAsync(TimeSpan.FromMinutes(10))));
        var last = results.Max(r => r.Arrived);
        return (Stopwatch.GetElapsedTime(started, last).TotalSeconds, results.Count(r => r.Status != "succeeded"));
    }

    /// <summary>CPU seconds so far: the server's own, and its ffmpeg children's (those it has waited for).</summary>
    public CpuTime Cpu()
    {
        var fields = File.ReadAllText($"/proc/{_process.Id}/stat");
        // The command name (field 2) may hold spaces; the fields after it start after the last ')'.
        var rest = fields[(fields.LastIndexOf(')') + 2)..].Split(' ');
        double Ticks(int field) => long.Parse(rest[field - 3], CultureInfo.InvariantCulture) / 100.0;
        return new CpuTime(Ticks(14) + Ticks(15), Ticks(16) + Ticks(17));
    }

    /// <summary>The server's JIT compilation so far (all threads), or null where the probe did not load.</summary>
    public JitFigures? Jit() => JitProbeClient.Read(_jitSocket);

    /// <summary>The engine's own time of the latest render, from the server's log.</summary>
    public double? LastEngineMilliseconds() => _engineMilliseconds.IsEmpty ? null : _engineMilliseconds.Last();

    private TaskCompletionSource<(string Status, long Arrived)> Completion(string id) =>
        _completions.GetOrAdd(id, _ => new TaskCompletionSource<(string Status, long Arrived)>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task ReadEventsAsync(TaskCompletionSource connected)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            response.EnsureSuccessStatusCode();
            connected.TrySetResult();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
            string? type = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == "media_generation_completed")
                {
                    var arrived = Stopwatch.GetTimestamp();
                    using var data = JsonDocument.Parse(line[6..]);
                    var id = data.RootElement.GetProperty("generation_id").GetString()!;
                    Completion(id).TrySetResult((data.RootElement.GetProperty("status").GetString()!, arrived));
                }
                else if (line.Length == 0) type = null;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            connected.TrySetException(e);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _events; }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
        _http.Dispose();
        // SIGTERM: the server stops as a user's Ctrl+C stops it.
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_dataDirectory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"finished in ([0-9]+) ms")]
    private static partial Regex EngineFinished();
}

internal readonly record struct CpuTime(double Own, double Children)
{
    public double Total => Own + Children;

    public static CpuTime operator -(CpuTime a, CpuTime b) => new(a.Own - b.Own, a.Children - b.Children);
}
