using Npgsql;
using NpgsqlTypes;
using Paddock.Core.Auth;
using Paddock.Storage.Postgres.Internal;
using Paddock.Storage.Postgres.Writing;

namespace Paddock.Storage.Postgres;

/// <summary>API keys (hashes only) in the <c>api_keys</c> table; obtained from <see cref="PostgresStore.ApiKeys"/>.</summary>
public sealed class PostgresApiKeyStore : IApiKeyStore
{
    private const string Columns = "id, hash, namespace, name, created_at, revoked_at, last_used_at";

    private readonly PostgresDatabase _database;

    internal PostgresApiKeyStore(PostgresDatabase database) => _database = database;

    /// <summary>Stores the key; throws <see cref="PostgresException"/> (unique violation) when its id or hash already exists.</summary>
    public Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _database.WriteAsync(context => Insert(context, key, guard: ""), cancellationToken);
    }

    /// <summary>
    /// First keys take turns across processes on one advisory lock held to the commit: under read committed, the check
    /// that follows the lock sees every first key committed before it (a rare operation, so one lock for all of them).
    /// </summary>
    public Task<bool> CreateFirstAsync(ApiKeyRecord key, FirstKeyScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var guard = scope switch
        {
            FirstKeyScope.Store => "WHERE NOT EXISTS (SELECT 1 FROM api_keys)",
            FirstKeyScope.Namespace => "WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE namespace = @namespace AND revoked_at IS NULL)",
            _ => throw new ArgumentOutOfRangeException(nameof(scope)),
        };
        return _database.WriteAsync(context =>
        {
            using (var turn = context.Command("SELECT pg_advisory_xact_lock(@class, 0)"))
            {
                turn.Parameters.Bind("class", AdvisoryLocks.FirstKeyClass);
                turn.ExecuteNonQuery();
            }
            return Insert(context, key, guard) == 1;
        }, cancellationToken);
    }

    private static int Insert(PostgresWriteContext context, ApiKeyRecord key, string guard)
    {
        using var command = context.Command($"INSERT INTO api_keys ({Columns}) SELECT @id, @hash, @namespace, @name, @created_at, @revoked_at, @last_used_at {guard}");
        command.Parameters.Bind("id", key.Id);
        command.Parameters.Bind("hash", key.Hash);
        command.Parameters.Bind("namespace", key.Namespace);
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = (object?)key.Name ?? DBNull.Value });
        command.Parameters.Bind("created_at", key.CreatedAt);
        command.Parameters.Add(new NpgsqlParameter("revoked_at", NpgsqlDbType.TimestampTz) { Value = (object?)key.RevokedAt?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("last_used_at", NpgsqlDbType.TimestampTz) { Value = (object?)key.LastUsedAt?.ToUniversalTime() ?? DBNull.Value });
        return command.ExecuteNonQuery();
    }

    public Task<ApiKeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return FindAsync("hash", hash, cancellationToken);
    }

    public Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return FindAsync("id", id, cancellationToken);
    }

    /// <summary>All keys, revoked ones included, oldest first.</summary>
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<ApiKeyRecord>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {Columns} FROM api_keys ORDER BY created_at, id COLLATE \"C\"", connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var keys = new List<ApiKeyRecord>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                keys.Add(Read(reader));
            return keys;
        }, cancellationToken);

    public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _database.WriteAsync(context =>
        {
            using var command = context.Command("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL");
            command.Parameters.Bind("id", id);
            command.Parameters.Bind("at", at);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _database.WriteAsync(context =>
        {
            using var command = context.Command("UPDATE api_keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)");
            command.Parameters.Bind("id", id);
            command.Parameters.Bind("at", at);
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    private Task<ApiKeyRecord?> FindAsync(string column, string value, CancellationToken cancellationToken) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {Columns} FROM api_keys WHERE {column} = @value", connection);
            command.Parameters.Bind("value", value);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? Read(reader) : null;
        }, cancellationToken);

    private static ApiKeyRecord Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        GenerationRows.NullableString(reader, 3),
        GenerationRows.Time(reader, 4),
        GenerationRows.NullableTime(reader, 5),
        GenerationRows.NullableTime(reader, 6));
}
