namespace Paddock.Core.Storage;

/// <summary>
/// A store could not write because its storage has no room left (a database's SQLITE_FULL, a blob store's full disk).
/// Backends throw it with their own error inside, so the API can answer "storage full" from the kind of the failure,
/// never from its message text.
/// </summary>
public sealed class StorageFullException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>Recognises a full disk or quota in an exception or anything it wraps.</summary>
public static class StorageFull
{
    // errno values as .NET reports them in IOException.HResult on Linux and macOS, and the Windows HRESULTs.
    private const int ENOSPC = 28;
    private const int EDQUOT_LINUX = 122;
    private const int EDQUOT_MAC = 69;
    private const int ERROR_HANDLE_DISK_FULL = unchecked((int)0x80070027);
    private const int ERROR_DISK_FULL = unchecked((int)0x80070070);

    public static bool IsCause(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is StorageFullException) return true;
            if (e is IOException io && IsFullCode(io.HResult)) return true;
            if (e is AggregateException aggregate) return aggregate.InnerExceptions.Any(IsCause);
        }
        return false;
    }

    private static bool IsFullCode(int code) => code is ENOSPC or ERROR_HANDLE_DISK_FULL or ERROR_DISK_FULL
        || (OperatingSystem.IsLinux() && code == EDQUOT_LINUX) || (OperatingSystem.IsMacOS() && code == EDQUOT_MAC);
}
