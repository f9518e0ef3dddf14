namespace Paddock.Core.Storage;

/// <summary>
/// The database could not be reached or answered that it cannot serve now (connection lost, server restarting, too many
/// connections). Nothing of the failed call was acknowledged; the same call may succeed a moment later. The HTTP API
/// answers it with 503 and a <c>Retry-After</c>, workers wait and try again. A store throws it instead of its driver's
/// own exception, so callers need not know which database is behind the contracts.
/// </summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How long a client should wait before it tries again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);
}
