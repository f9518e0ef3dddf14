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

    public static async Task<ServerProcess> StartAsync(string dataDirectory, params string[] settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "paddock.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDirectory,
                     "--Paddock:Engines:Builtin:Preset=ultrafast", "--Logging:LogLevel:Default=Warning" }.Concat(settings))
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var baseUrl = $"http://127.0.0.1:{port}";
        using var probe = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if ((await probe.GetAsync(baseUrl + "/api/health")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException("paddock serve did not start");
            await Task.Delay(100);
        }
        var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();
        return new ServerProcess(process, baseUrl, dataDirectory, key);
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
