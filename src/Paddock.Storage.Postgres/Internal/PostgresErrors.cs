using System.Net.Sockets;
using Npgsql;
using Paddock.Core.Storage;

namespace Paddock.Storage.Postgres.Internal;

/// <summary>Which of Npgsql's failures mean "the database cannot be reached now", and their translation for callers.</summary>
internal static class PostgresErrors
{
    /// <summary>Deadlock and serialization failure: the transaction was chosen to give way; running it again succeeds.</summary>
    public static bool IsRetryable(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    /// <summary>
    /// The connection broke or never opened, the server is starting or shutting down, or it has no room for another
    /// connection: nothing about the request itself. An error in what a statement asked for is not one.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exceptions
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal)                 // insufficient resources
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    public static StorageUnavailableException Unavailable(Exception e) =>
        new($"the database is not available ({Describe(e)}); nothing was changed, try again in a moment", e);

    private static string Describe(Exception e) => e switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        { InnerException: { } inner } when e is NpgsqlException => inner.Message,
        _ => e.Message,
    };
}
