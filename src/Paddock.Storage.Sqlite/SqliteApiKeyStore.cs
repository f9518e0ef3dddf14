using Microsoft.Data.Sqlite;
using Paddock.Core.Auth;
using Paddock.Storage.Sqlite.Internal;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite;

/// <summary>API keys (hashes only) in the <c>api_keys</c> table; obtained from <see cref="SqliteStore.ApiKeys"/>.</summary>
public sealed class SqliteApiKeyStore : IApiKeyStore
{
    private const string Columns = "id, hash, namespace, name, created_at, revoked_at, last_used_at";

    private readonly SqliteDatabase _database;

    internal SqliteApiKeyStore(SqliteDatabase database) => _database = database;

    /// <summary>Stores the key; throws <see cref="SqliteException"/> when its id or hash already exists.</summary>
    public Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _database.WriteAsync(context => Insert(context, key, guard: ""), cancellationToken);
    }

    /// <summary>The check and the insert are one statement in the one writer, so nothing can come between them.</summary>
    public Task<bool> CreateFirstAsync(ApiKeyRecord key, FirstKeyScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var guard = scope switch
        {
            FirstKeyScope.Store => "WHERE NOT EXISTS (SELECT 1 FROM api_keys)",
            FirstKeyScope.Namespace => "WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE namespace = $namespace AND revoked_at IS NULL)",
            _ => throw new ArgumentOutOfRangeException(nameof(scope)),
        };
        return _database.WriteAsync(context => Insert(context, key, guard) == 1, cancellationToken);
    }

    private static int Insert(SqliteWriteContext context, ApiKeyRecord key, string guard)
    {
        var command = context.Command(
            $"INSERT INTO api_keys ({Columns}) SELECT $id, $hash, $namespace, $name, $created_at, $revoked_at, $last_used_at {guard}");
        command.Parameters.Add("$id", key.Id);
        command.Parameters.Add("$hash", key.Hash);
        command.Parameters.Add("$namespace", key.Namespace);
        command.Parameters.Add("$name", key.Name);
        command.Parameters.Add("$created_at", SqliteValues.ToUnixMilliseconds(key.CreatedAt));
        command.Parameters.Add("$revoked_at", key.RevokedAt is { } revoked ? SqliteValues.ToUnixMilliseconds(revoked) : null);
        command.Parameters.Add("$last_used_at", key.LastUsedAt is { } used ? SqliteValues.ToUnixMilliseconds(used) : null);
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
        _database.ReadAsync<IReadOnlyList<ApiKeyRecord>>(connection =>
        {
            var command = connection.Command($"SELECT {Columns} FROM api_keys ORDER BY created_at, id");
            using var reader = command.ExecuteReader();
            var keys = new List<ApiKeyRecord>();
            while (reader.Read())
                keys.Add(Read(reader));
            return keys;
        }, cancellationToken);

    public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _database.WriteAsync(context =>
        {
            var command = context.Command("UPDATE api_keys SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL");
            command.Parameters.Add("$id", id);
            command.Parameters.Add("$at", SqliteValues.ToUnixMilliseconds(at));
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _database.WriteAsync(context =>
        {
            var command = context.Command("UPDATE api_keys SET last_used_at = $at WHERE id = $id AND (last_used_at IS NULL OR last_used_at < $at)");
            command.Parameters.Add("$id", id);
            command.Parameters.Add("$at", SqliteValues.ToUnixMilliseconds(at));
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    private Task<ApiKeyRecord?> FindAsync(string column, string value, CancellationToken cancellationToken) =>
        _database.ReadAsync(connection =>
        {
            var command = connection.Command($"SELECT {Columns} FROM api_keys WHERE {column} = $value");
            command.Parameters.Add("$value", value);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    private static ApiKeyRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetNullableString(3),
        SqliteValues.FromUnixMilliseconds(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : SqliteValues.FromUnixMilliseconds(reader.GetInt64(5)),
        reader.IsDBNull(6) ? null : SqliteValues.FromUnixMilliseconds(reader.GetInt64(6)));
}
