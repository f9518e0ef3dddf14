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

    /// <summary>The reason stays in the inner exception (logged); the message, which an API client may see, names no server.</summary>
    public static StorageUnavailableException Unavailable(Exception e) =>
        new($"the database cannot be reached right now ({Kind(e)})", e);

    private static string Kind(Exception e) => e switch
    {
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow } => "it is restarting",
        PostgresException pg when pg.SqlState.StartsWith("53", StringComparison.Ordinal) => "it has no room for another connection",
        TimeoutException or NpgsqlException { InnerException: TimeoutException } => "it did not answer in time",
        _ => "the connection failed",
    };
}
