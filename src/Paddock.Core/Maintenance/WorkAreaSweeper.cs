using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Paddock.Core.Maintenance;

/// <summary>
/// Reclaims the work folders of processes that died (SIGKILL, OOM, power loss) on this data directory: a folder whose
/// lock file nobody holds. Safe with other live processes on the same data directory: a live owner holds its lock, so
/// its folder is never touched, and two sweepers cannot reclaim one folder at once (the first holds the lock while it
/// deletes). Leftover children of the dead process still writing into its folder (an encoder) are killed first.
/// </summary>
public sealed partial class WorkAreaSweeper(WorkArea own, ILogger<WorkAreaSweeper> logger)
{
    /// <summary>Reclaims every dead owner's folder; returns how many.</summary>
    public int Sweep()
    {
        var reclaimed = 0;
        foreach (var lockFile in Enumerate(() => Directory.EnumerateFiles(own.Root, "*" + WorkArea.LockSuffix)))
        {
            var token = Path.GetFileName(lockFile)[..^WorkArea.LockSuffix.Length];
            if (token == own.Token) continue;
            FileStream held;
            try
            {
                held = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // its owner lives (the lock is taken), or another sweeper just reclaimed it
            }
            using (held)
            {
                Reclaim(Path.Combine(own.Root, token));
                TryDelete(lockFile);
            }
            reclaimed++;
        }

        // A folder without a lock file: a sweeper died halfway through reclaiming it (an owner creates its lock first).
        foreach (var folder in Enumerate(() => Directory.EnumerateDirectories(own.Root)))
        {
            var token = Path.GetFileName(folder);
            if (token == own.Token || File.Exists(WorkArea.LockPathOf(own.Root, token))) continue;
            Reclaim(folder);
            reclaimed++;
        }
        return reclaimed;
    }

    private void Reclaim(string folder)
    {
        StopProcessesWritingTo(folder);
        var files = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count() : 0;
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogReclaimFailed(folder, e);
            return;
        }
        LogReclaimed(Path.GetFileName(folder), files);
    }

    /// <summary>
    /// Kills processes with an argument inside <paramref name="folder"/>: only a child of its dead owner can name it
    /// (the token is random), e.g. an ffmpeg still writing its output there. Linux only (/proc); elsewhere such a child
    /// ends by itself when its input pipe closes.
    /// </summary>
    private void StopProcessesWritingTo(string folder)
    {
        if (!OperatingSystem.IsLinux()) return;
        var inside = folder + Path.DirectorySeparatorChar;
        foreach (var entry in Enumerate(() => Directory.EnumerateDirectories("/proc")))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId) continue;
            string commandLine;
            try { commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (!commandLine.Split('\0').Any(arg => arg.StartsWith(inside, StringComparison.Ordinal))) continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(2));
                LogKilled(pid, Path.GetFileName(folder));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already, or not ours to kill.
            }
        }
    }

    private static IEnumerable<string> Enumerate(Func<IEnumerable<string>> list)
    {
        try { return list().ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed the work folder {Token} of a process that stopped ({Files} files)")]
    private partial void LogReclaimed(string token, int files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reclaim the work folder {Folder}")]
    private partial void LogReclaimFailed(string folder, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed process {Pid}, left running by the stopped process of work folder {Token}")]
    private partial void LogKilled(int pid, string token);
}
