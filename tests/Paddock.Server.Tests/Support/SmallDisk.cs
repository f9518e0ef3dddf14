using System.Diagnostics;

namespace Paddock.Server.Tests.Support;

/// <summary>
/// A small real filesystem (tmpfs) to fill to the last byte, for disk-full tests. Mounting needs root (CI runs the
/// tests as root); elsewhere the tests that need it are skipped with the reason.
/// </summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    /// <summary>Null when a tmpfs can be mounted here; otherwise why not.</summary>
    public static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux to mount a small tmpfs";
        if (!Environment.IsPrivilegedProcess) return "needs root to mount a small tmpfs (mount -t tmpfs); run the tests as root, as CI does";
        var probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "paddock-mount-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            if (Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe) is { } failed) return $"cannot mount a tmpfs here: {failed}";
            Run("umount", probe);
            return null;
        }
        finally
        {
            Directory.Delete(probe);
        }
    });

    public static SmallDisk Mount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "paddock-small-disk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) is { } failed) throw new InvalidOperationException($"mount failed: {failed}");
        return new SmallDisk(path);
    }

    /// <summary>Writes a filler file until the filesystem refuses one more byte.</summary>
    public void FillToTheLastByte()
    {
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1);
        foreach (var chunk in new[] { 1 << 20, 1 << 12, 1 })
        {
            var bytes = new byte[chunk];
            while (true)
            {
                try
                {
                    filler.Write(bytes);
                    filler.Flush();
                }
                catch (IOException)
                {
                    filler.SetLength(filler.Position); // drop what a failed write may have half-added
                    break;
                }
            }
        }
    }

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Frees the space the filler took.</summary>
    public void Free() => File.Delete(FillerPath);

    public ValueTask DisposeAsync()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    private static string? Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"{file} exited with {process.ExitCode}: {error.Trim()}";
    }
}

/// <summary>A fact that needs <see cref="SmallDisk"/>: skipped, with the reason, where a tmpfs cannot be mounted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.Unavailable.Value is { } why) Skip = why;
    }
}
