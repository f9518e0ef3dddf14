using System.Security.Cryptography;
using System.Text;

namespace Paddock.Core.Auth;

/// <summary>
/// A stored key: only its SHA-256 hash is kept, with the namespace it acts for. A revoked key stays (so a list can say
/// what became of it and usage stays attributed) but authenticates nothing. <paramref name="LastUsedAt"/> is coarse:
/// written when a process looks the key up in the store, at most about once a minute per key and process.
/// </summary>
public sealed record ApiKeyRecord(string Id, string Hash, string Namespace, string? Name, DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt = null, DateTimeOffset? LastUsedAt = null)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>API keys, by hash. Implementations: SQLite and PostgreSQL, in the same database as the queue.</summary>
public interface IApiKeyStore
{
    Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the key only when <paramref name="scope"/> has no key yet, checked and written as one step against every
    /// process sharing the store (two processes starting at once, or two admins creating one namespace at once, give it
    /// one first key, not two). False when the key was not stored.
    /// </summary>
    Task<bool> CreateFirstAsync(ApiKeyRecord key, FirstKeyScope scope, CancellationToken cancellationToken = default);

    /// <summary>The key with this hash, revoked or not; null when none has it.</summary>
    Task<ApiKeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>The key with this id, revoked or not; null when none has it.</summary>
    Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>All keys, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Marks the key revoked at <paramref name="at"/>; false when there is no such key or it was revoked already (its first revocation time stays).</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Records that the key was used at <paramref name="at"/> (never moves it back in time).</summary>
    Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default);
}

/// <summary>What must hold no key for <see cref="IApiKeyStore.CreateFirstAsync"/> to store one.</summary>
public enum FirstKeyScope
{
    /// <summary>The whole store holds no key, revoked ones included (a server's first start).</summary>
    Store,

    /// <summary>The key's namespace has no active key (creating a namespace; a namespace exists from its first key).</summary>
    Namespace,
}

public static class ApiKeyFormat
{
    public const string Prefix = "pdk_";

    /// <summary>A new key: 32 random bytes, so a fast hash is enough to store it (no brute force is feasible).</summary>
    public static string NewKey() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>Namespaces are path segments of file routes: keep them plain.</summary>
    public static bool IsValidNamespace(string? ns) =>
        !string.IsNullOrEmpty(ns) && ns.Length <= 64 && ns.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && ns[0] != '.';
}

/// <summary>Creates keys for a namespace and hands the plaintext back exactly once.</summary>
public sealed class ApiKeyService(IApiKeyStore store, TimeProvider time)
{
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(string ns, string? name, CancellationToken cancellationToken = default)
    {
        var (record, key) = New(ns, name);
        await store.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        return (record, key);
    }

    /// <summary>A first key (see <see cref="IApiKeyStore.CreateFirstAsync"/>); null when <paramref name="scope"/> already had one.</summary>
    public async Task<(ApiKeyRecord Record, string Key)?> CreateFirstAsync(string ns, string? name, FirstKeyScope scope, CancellationToken cancellationToken = default)
    {
        var (record, key) = New(ns, name);
        return await store.CreateFirstAsync(record, scope, cancellationToken).ConfigureAwait(false) ? (record, key) : null;
    }

    private (ApiKeyRecord Record, string Key) New(string ns, string? name)
    {
        if (!ApiKeyFormat.IsValidNamespace(ns))
            throw new ArgumentException($"namespace '{ns}' must be 1-64 letters, digits, '-', '_' or '.'", nameof(ns));
        var key = ApiKeyFormat.NewKey();
        return (new ApiKeyRecord(ApiKeyFormat.NewId(), ApiKeyFormat.Hash(key), ns, name, time.GetUtcNow()), key);
    }
}
