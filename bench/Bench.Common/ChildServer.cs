using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Paddock.Bench;

/// <summary>
/// A server in a process of its own (its memory and CPU are then its own, and its open files do not count against the
/// benchmark's): started with a command line, ready once a line of its output names the address it listens on.
/// Everything it prints is drained (a full pipe would block it) and kept for the message when it fails.
/// </summary>
public sealed partial class ChildServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ChildServer(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; private set; }

    public int Pid => _process.Id;

    /// <param name="fileName">The program, e.g. <c>dotnet</c>.</param>
    /// <param name="arguments">Its arguments; one of them should make it listen on <c>http://127.0.0.1:0</c>.</param>
    /// <param name="environment">More environment variables.</param>
    public static async Task<ChildServer> StartAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = new ChildServer(process, new Uri("http://127.0.0.1/")); // the address once it says it
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (child._output)
            {
                if (child._output.Count < 200) child._output.Add(line);
            }
            var match = ListeningLine().Match(line);
            if (match.Success) listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"{fileName} exited with {SafeExitCode(process)} before listening"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var address = await listening.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(120));
            child.BaseAddress = address;
            return child;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await child.DisposeAsync();
            string output;
            lock (child._output) output = string.Join("\n", child._output.TakeLast(30));
            throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)}: {e.Message}\n{output}", e);
        }
    }

    /// <summary>Resident memory now (VmRSS), in bytes.</summary>
    public long ResidentBytes() => ProcStats.ResidentBytes(_process.Id);

    /// <summary>User + system CPU time so far.</summary>
    public TimeSpan CpuTime() => ProcStats.CpuTime(_process.Id);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    /// <summary>Paddock prints "Paddock is listening on http://…"; the bench's own servers print "listening on http://…".</summary>
    [GeneratedRegex(@"listening on (http://[^\s]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ListeningLine();
}

/// <summary>A process's figures from /proc (Linux).</summary>
public static class ProcStats
{
    /// <summary>/proc's clock ticks per second (USER_HZ), 100 on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS");
    }

    /// <summary>utime + stime of /proc/PID/stat (fields 14 and 15), the process's CPU time over all its threads.</summary>
    public static TimeSpan CpuTime(int pid) => CpuTimeOf($"/proc/{pid}/stat");

    /// <summary>The stat file of this process's first thread whose name starts with <paramref name="namePrefix"/>, or null.</summary>
    public static string? OwnThreadStat(string namePrefix)
    {
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(namePrefix, StringComparison.Ordinal))
                return Path.Combine(task, "stat");
        }
        return null;
    }

    /// <summary>utime + stime of a process's or a thread's stat file.</summary>
    public static TimeSpan CpuTimeOf(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
