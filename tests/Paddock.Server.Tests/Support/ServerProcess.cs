using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Paddock.Server.Tests.Support;

/// <summary>`paddock serve` as a separate OS process, so a test can SIGKILL it like a crash would.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, string baseUrl, string dataDirectory, string apiKey)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDirectory = dataDirectory;
        ApiKey = apiKey;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public string BaseUrl { get; }
    public string DataDirectory { get; }
    public string ApiKey { get; }
    public HttpClient Client { get; }
    public int Pid => _process.Id;

    /// <summary>
    /// Starts <c>paddock serve</c> on a free loopback port and waits until it answers <c>/api/health</c>. A port taken by
    /// another process between the look for a free one and the server's bind is tried again on another port; any other
    /// failure to start throws with the exit code and the last lines the server wrote.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, params string[] settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var errors = new OutputTail();
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "paddock.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDirectory,
                         "--Paddock:Engines:Builtin:Preset=ultrafast", "--Logging:LogLevel:Default=Warning" }.Concat(settings))
                info.ArgumentList.Add(a);
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, line) => errors.Add(line.Data);
            process.ErrorDataReceived += (_, line) => errors.Add(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var baseUrl = $"http://127.0.0.1:{port}";
            if (await AnswersHealthAsync(process, baseUrl, TimeSpan.FromSeconds(60)))
            {
                var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();
                return new ServerProcess(process, baseUrl, dataDirectory, key);
            }
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new InvalidOperationException($"paddock serve did not answer /api/health within 60 s; it wrote:\n{errors}");
            }
            process.WaitForExit(); // the rest of its output
            var exitCode = process.ExitCode;
            process.Dispose();
            if (exitCode == PortInUseExitCode && errors.Contains("already in use") && attempt < 3) continue;
            throw new InvalidOperationException($"paddock serve exited with code {exitCode} before it answered; it wrote:\n{errors}");
        }
    }

    /// <summary>`paddock serve`'s exit code when it could not start (the port in use, the data directory not writable).</summary>
    private const int PortInUseExitCode = 4;

    private static async Task<bool> AnswersHealthAsync(Process process, string baseUrl, TimeSpan timeout)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await probe.GetAsync(baseUrl + "/api/health")).IsSuccessStatusCode) return true;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        return false;
    }

    /// <summary>The last lines a child process wrote, kept for the message when it fails.</summary>
    private sealed class OutputTail
    {
        private const int Lines = 40;
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Enqueue(line);
                if (_lines.Count > Lines) _lines.Dequeue();
            }
        }

        public bool Contains(string text)
        {
            lock (_lines) return _lines.Any(l => l.Contains(text, StringComparison.Ordinal));
        }

        public override string ToString()
        {
            lock (_lines) return _lines.Count == 0 ? "(nothing)" : string.Join("\n", _lines);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        Process.Start("kill", ["-KILL", _process.Id.ToString()])!.WaitForExit();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops a server: shutdown code runs. Returns how long the process took to end.</summary>
    public TimeSpan Terminate(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"paddock serve did not stop within {timeout.TotalSeconds} s of SIGTERM");
        return clock.Elapsed;
    }

    /// <summary>SIGTERM without waiting: the test watches what the process does while it stops.</summary>
    public void SignalTerminate() => Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();

    /// <summary>Waits for the process to end; its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"paddock serve did not end within {timeout.TotalSeconds} s");
        return _process.ExitCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
