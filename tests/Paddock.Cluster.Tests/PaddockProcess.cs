using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Paddock.Cluster.Tests;

/// <summary>One real <c>paddock serve --no-workers</c> or <c>paddock worker</c> process, its output kept in a log file.</summary>
public sealed class PaddockProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private PaddockProcess(string name, Process process, StreamWriter log, string baseUrl)
    {
        Name = name;
        _process = process;
        _log = log;
        BaseUrl = baseUrl;
    }

    public string Name { get; }

    public string BaseUrl { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The built command, next to this project's own binaries' source tree.</summary>
    public static string PaddockDll => Path.Combine(Testing.S3Server.RepositoryRoot(), "src", "Paddock.Cli", "bin", "Release", "net10.0", "paddock.dll");

    public static async Task<PaddockProcess> StartAsync(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string folder)
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var data = Path.Combine(folder, name);
        Directory.CreateDirectory(data);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { PaddockDll }.Concat(args).Concat(["--urls", baseUrl, "--data-dir", data])) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var log = new StreamWriter(Path.Combine(folder, name + ".log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new PaddockProcess(name, process, log, baseUrl);
        await started.WaitHealthyAsync(Path.Combine(folder, name + ".log"));
        return started;
    }

    private async Task WaitHealthyAsync(string logPath)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) break;
            try
            {
                using var response = await client.GetAsync(BaseUrl + "/api/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"{Name} did not become healthy; its log: {File.ReadAllText(logPath)}");
    }

    /// <summary>SIGKILL: the process ends at once, in the middle of whatever it does.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>The process's ffmpeg children (a render in progress), from /proc.</summary>
    public IReadOnlyList<int> FfmpegChildren()
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var ppid = int.Parse(stat[(close + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (ppid == _process.Id && comm == "ffmpeg") children.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // A process that ended while being read.
            }
        }
        return children;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first: a worker hands its renders back, an API closes its streams.
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
