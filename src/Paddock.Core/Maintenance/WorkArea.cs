namespace Paddock.Core.Maintenance;

/// <summary>
/// This process's folder for files in the making (videos being encoded, uploads being hashed):
/// <c>&lt;work&gt;/&lt;token&gt;/</c> under the data directory, next to a lock file <c>&lt;token&gt;.lock</c> that the
/// process holds (an exclusive <c>flock</c>) for as long as it lives. The kernel releases the lock when the process
/// dies however it dies, so any process sharing the data directory can tell a live owner's folder from a dead one's
/// and reclaim the latter (<see cref="WorkAreaSweeper"/>). Tokens are never reused.
/// </summary>
public sealed class WorkArea : IDisposable
{
    public const string LockSuffix = ".lock";

    private readonly FileStream _lock;

    public WorkArea(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        // The lock first, then the folder: a folder without its lock file is never a live owner's.
        (Token, _lock) = TakeLock(Root);
        Folder = Path.Combine(Root, Token);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>Where every process's work folders and locks live (<c>&lt;data&gt;/work</c>).</summary>
    public string Root { get; }

    /// <summary>This process's folder.</summary>
    public string Folder { get; }

    public string Token { get; }

    /// <summary>A path in this process's folder for <paramref name="fileName"/> (a plain name, no folders).</summary>
    public string PathFor(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName != Path.GetFileName(fileName) || fileName is "." or "..")
            throw new ArgumentException($"'{fileName}' is not a plain file name", nameof(fileName));
        return Path.Combine(Folder, fileName);
    }

    /// <summary>
    /// Whether the disk of this folder has no room left (less than a megabyte): how a failure reported only as text
    /// (an encoder's) is known to be a full disk.
    /// </summary>
    public bool IsOutOfSpace()
    {
        try
        {
            return new DriveInfo(Folder).AvailableFreeSpace < 1024 * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private const int LockAttempts = 10;

    /// <summary>
    /// Creates and locks a lock file under a new token. A file stream creates the file, then locks it: a sweeper in
    /// another process can open it in between, find it unlocked, take it for a dead owner's and delete it (then this
    /// lock would guard a name nobody sees, and the folder made next would be reclaimed under a live owner). Such a
    /// sweeper deletes the file before it lets go, so once the lock is ours, a file still at the name is ours for good;
    /// otherwise another token is tried.
    /// </summary>
    private static (string Token, FileStream Lock) TakeLock(string root)
    {
        for (var attempt = 1; ; attempt++)
        {
            var token = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
            var path = LockPathOf(root, token);
            FileStream held;
            try
            {
                held = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < LockAttempts)
            {
                continue; // a sweeper holds it just now, and deletes it
            }
            if (File.Exists(path)) return (token, held);
            held.Dispose();
            if (attempt == LockAttempts)
                throw new IOException($"could not take a work folder lock in {root}: each new lock file was removed by another process");
        }
    }

    internal static string LockPathOf(string root, string token) => Path.Combine(root, token + LockSuffix);

    /// <summary>A stopping process leaves nothing: its folder goes, then its lock.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        try { File.Delete(LockPathOf(Root, Token)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _lock.Dispose();
    }
}
