using System.Collections.Concurrent;
using Paddock.Core.Auth;

namespace Paddock.Server.Http;

/// <summary>
/// Finds the stored key behind a presented one, with a short cache so a hot path does not hit the database: another
/// process's revocation takes effect within <see cref="CacheLifetime"/>; one made through this process's admin API at
/// once (<see cref="Forget"/>). A key's last use is written when the store is read, so at most once per lifetime.
/// </summary>
public sealed partial class ApiKeyResolver(IApiKeyStore keys, TimeProvider time, ILogger<ApiKeyResolver> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    /// <summary>How stale a key's recorded last use may get before a lookup writes it again.</summary>
    private static readonly TimeSpan LastUseGranularity = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Record, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>The key's record (revoked or not); null when no key has this value.</summary>
    public ValueTask<ApiKeyRecord?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > 256) return ValueTask.FromResult<ApiKeyRecord?>(null);
        var hash = ApiKeyFormat.Hash(key);
        var now = time.GetUtcNow();
        // Nearly every request: a key seen within the cache's lifetime, answered without a task.
        if (_cache.TryGetValue(hash, out var cached) && cached.Expires > now) return ValueTask.FromResult(cached.Record);
        return new ValueTask<ApiKeyRecord?>(LookUpAsync(hash, now, cancellationToken));
    }

    private async Task<ApiKeyRecord?> LookUpAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = await keys.FindByHashAsync(hash, cancellationToken);
        if (record is { IsRevoked: false } && (record.LastUsedAt is not { } used || now - used >= LastUseGranularity))
        {
            // Best effort: a request is never refused because its key's last use could not be written (a full disk, say).
            try
            {
                await keys.TouchAsync(record.Id, now, cancellationToken);
                record = record with { LastUsedAt = now };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LastUseNotWritten(logger, record.Id, e.Message);
            }
        }
        if (_cache.Count > 10_000) _cache.Clear();
        _cache[hash] = (record, now + (record is null ? TimeSpan.FromSeconds(2) : CacheLifetime));
        return record;
    }

    /// <summary>Drops the cached lookup of the key with this hash: the next request reads the store.</summary>
    public void Forget(string hash) => _cache.TryRemove(hash, out _);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of key {KeyId}: {Reason}")]
    private static partial void LastUseNotWritten(ILogger logger, string keyId, string reason);
}
