using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Paddock.Engines.ComfyUI.Tests.Support;

/// <summary>`paddock serve` as a separate OS process, so a test can SIGKILL it as a crash would, or SIGTERM it as a service manager does.</summary>
public sealed class PaddockProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PaddockProcess(Process process, string baseUrl, string apiKey)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public HttpClient Client { get; }

    public static async Task<PaddockProcess> StartAsync(string dataDirectory, IDictionary<string, string> settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "paddock.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDirectory,
                     "--Logging:LogLevel:Default=Warning", "--Paddock:References:AllowedHosts:0=127.0.0.1" }
                     .Concat(settings.Select(kv => $"--{kv.Key}={kv.Value}")))
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var baseUrl = $"http://127.0.0.1:{port}";
        using var probe = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
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
        return new PaddockProcess(process, baseUrl, key);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        Process.Start("kill", ["-KILL", _process.Id.ToString()])!.WaitForExit();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the server hands its generations back to the queue and stops.</summary>
    public void Terminate()
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException("paddock serve did not stop within 30 s of SIGTERM");
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
