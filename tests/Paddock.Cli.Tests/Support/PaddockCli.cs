using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Paddock.Cli.Tests.Support;

/// <summary>What one run of the command left: its exit code and everything it wrote.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>stdout as the one JSON document <c>--json</c> promises (parsing fails the test if anything else is there).</summary>
    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the real <c>paddock</c> (the built paddock.dll beside the tests) as a separate process, the way a user's shell
/// does: its own working directory and home (so the config file is the test's), and the server and key in
/// <c>PADDOCK_URL</c> / <c>PADDOCK_API_KEY</c> unless a test changes <see cref="Environment"/>.
/// </summary>
public sealed class PaddockCli : IDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "paddock.dll");

    public PaddockCli(CliServer server)
    {
        Root = Path.Combine(Path.GetTempPath(), "paddock-cli-run-" + Guid.NewGuid().ToString("N"));
        Home = Path.Combine(Root, "home");
        WorkDirectory = Path.Combine(Root, "work");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(WorkDirectory);
        Environment["HOME"] = Home;
        Environment["XDG_CONFIG_HOME"] = null;
        Environment["PADDOCK_URL"] = server.Url;
        Environment["PADDOCK_API_KEY"] = server.ApiKey;
        Environment["OXEN_API_KEY"] = null; // the examples' variable, which the command also reads: none unless a test sets it
        Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
    }

    public string Root { get; }

    public string Home { get; }

    public string WorkDirectory { get; }

    /// <summary>Variables set for the command; a null value removes the variable.</summary>
    public Dictionary<string, string?> Environment { get; } = new();

    public string PathOf(string name) => Path.Combine(WorkDirectory, name);

    public async Task<CliResult> RunAsync(params string[] args)
    {
        await using var running = Start(args);
        return await running.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Starts the command with stdin, stdout and stderr on pipes: no terminal, as in a script or CI job.</summary>
    public RunningCli Start(params string[] args)
    {
        // Through env --default-signal=INT (it execs, so the pid is paddock's): a test run started in the background by a
        // shell without job control inherits SIGINT ignored, and paddock would then never see the Ctrl-C a test sends.
        var info = Info("env");
        foreach (var a in new[] { "--default-signal=INT", "dotnet", Dll }) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        return new RunningCli(Process.Start(info)!);
    }

    /// <summary>
    /// Starts the command on a pseudo-terminal (through <c>script</c>), as a person at a terminal runs it: stdin and
    /// stderr are a terminal, what the test writes arrives as typed keys (so "\x03" is Ctrl-C), and everything the
    /// command shows comes back on one stream.
    /// </summary>
    public RunningCli StartInTerminal(params string[] args)
    {
        // script runs the command through $SHELL; exec replaces that shell, so Ctrl-C reaches paddock alone. (A
        // non-interactive dash left in between dies of the SIGINT itself, and script reports that instead.)
        var command = "exec " + string.Join(' ', new[] { "env", "--default-signal=INT", "dotnet", Dll }.Concat(args).Select(Quote));
        var info = Info("script");
        foreach (var a in new[] { "--quiet", "--return", "--flush", "--command", command, "/dev/null" }) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "xterm-256color";
        return new RunningCli(Process.Start(info)!);
    }

    private ProcessStartInfo Info(string file)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WorkDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var (name, value) in Environment)
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return info;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A command still running: its output so far, and ways to type into it, interrupt it and wait for it.</summary>
public sealed class RunningCli : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _reading;

    public RunningCli(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(Pump(process.StandardOutput, _stdout), Pump(process.StandardError, _stderr));
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Waits until stdout or stderr so far satisfies <paramref name="condition"/>.</summary>
    public async Task WaitForAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition(Stdout) && !condition(Stderr))
        {
            if (_process.HasExited && _reading.IsCompleted)
                throw new Xunit.Sdk.XunitException($"paddock ended (exit {_process.ExitCode}) before {what}:\n{Stdout}\n{Stderr}");
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
                throw new TimeoutException($"no {what} within the time allowed:\n{Stdout}\n{Stderr}");
            await Task.Delay(25);
        }
    }

    /// <summary>SIGINT, what Ctrl-C sends from a terminal.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops a server.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<CliResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await _reading.WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"paddock did not finish within {timeout.TotalSeconds} s:\n{Stdout}\n{Stderr}");
        }
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    private static async Task Pump(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into) into.Append(buffer, 0, n);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
