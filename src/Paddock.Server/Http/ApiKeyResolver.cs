using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Paddock.Core.Auth;

namespace Paddock.Server.Http;

/// <summary>What a presented key is: the admin key, a stored key (revoked or not), or neither (both false/null).</summary>
public readonly record struct PresentedKey(bool IsAdmin, ApiKeyRecord? Record);

/// <summary>
/// Finds what a presented key is, with a short cache so a hot path neither hits the database nor hashes the key: another
/// process's revocation takes effect within <see cref="CacheLifetime"/>; one made through this process's admin API at
/// once (<see cref="Forget"/>). A key's last use is written when the store is read, so at most once per lifetime.
/// </summary>
/// <remarks>
/// The cache is keyed by the presented value itself, which every request already holds in memory as its header; its
/// SHA-256 (what the store and the admin's configured hash compare) is computed only on a miss.
/// </remarks>
public sealed partial class ApiKeyResolver(IApiKeyStore keys, IOptions<AdminOptions> admin, TimeProvider time, ILogger<ApiKeyResolver> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    /// <summary>How stale a key's recorded last use may get before a lookup writes it again.</summary>
    private static readonly TimeSpan LastUseGranularity = TimeSpan.FromMinutes(1);

    private readonly AdminOptions _admin = admin.Value;
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    private sealed record Entry(PresentedKey Key, string Hash, DateTimeOffset Expires);

    /// <summary>What <paramref name="key"/> is: the admin key (when one is configured), a stored key, or neither.</summary>
    public ValueTask<PresentedKey> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > 256) return ValueTask.FromResult(default(PresentedKey));
        var now = time.GetUtcNow();
        // Nearly every request: a key seen within the cache's lifetime, answered without a task.
        if (_cache.TryGetValue(key, out var cached) && cached.Expires > now) return ValueTask.FromResult(cached.Key);
        return new ValueTask<PresentedKey>(LookUpAsync(key, now, cancellationToken));
    }

    private async Task<PresentedKey> LookUpAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hash = ApiKeyFormat.Hash(key);
        // The configuration does not change while the server runs, so the admin key is cached like any other.
        if (_admin.Enabled && _admin.MatchesHash(hash))
            return Remember(key, new PresentedKey(IsAdmin: true, Record: null), hash, now + CacheLifetime);

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
        return Remember(key, new PresentedKey(IsAdmin: false, record), hash, now + (record is null ? TimeSpan.FromSeconds(2) : CacheLifetime));
    }

    private PresentedKey Remember(string key, PresentedKey presented, string hash, DateTimeOffset expires)
    {
        if (_cache.Count > 10_000) _cache.Clear();
        _cache[key] = new Entry(presented, hash, expires);
        return presented;
    }

    /// <summary>Drops the cached lookups of the key with this hash: the next request with it reads the store.</summary>
    public void Forget(string hash)
    {
        // Rare (a revocation), so a scan of the bounded cache.
        foreach (var (key, entry) in _cache)
            if (string.Equals(entry.Hash, hash, StringComparison.Ordinal))
                _cache.TryRemove(key, out _);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of key {KeyId}: {Reason}")]
    private static partial void LastUseNotWritten(ILogger logger, string keyId, string reason);
}
