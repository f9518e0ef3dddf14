using Paddock.Core.Events;
using Paddock.Storage.Sqlite.Internal;

namespace Paddock.Storage.Sqlite;

/// <summary>The event log in the <c>events</c> table; obtained from <see cref="SqliteStore.Events"/>.</summary>
public sealed class SqliteEventLog : IEventLog
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    internal SqliteEventLog(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public Task<StoredEvent> AppendAsync(EventDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return _database.WriteAsync(
            context => EventRows.Append(context, draft, _time.GetUtcNow().ToUnixTimeMilliseconds()),
            cancellationToken);
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(string ns, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ReadAsync(ns, afterSequence, limit, cancellationToken);
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAllAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(null, afterSequence, limit, cancellationToken);

    /// <summary>Events after a sequence, of one namespace or (null) of all, oldest first.</summary>
    private Task<IReadOnlyList<StoredEvent>> ReadAsync(string? ns, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
            return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
        return _database.ReadAsync<IReadOnlyList<StoredEvent>>(connection =>
        {
                        var command = connection.Command($"""
                SELECT {EventRows.Columns} FROM events
                WHERE {(ns is null ? "" : "namespace = $namespace AND ")}seq > $after
                ORDER BY seq
                LIMIT $limit
                """);
            if (ns is not null) command.Parameters.Add("$namespace", ns);
            command.Parameters.Add("$after", afterSequence);
            command.Parameters.Add("$limit", limit);
            using var reader = command.ExecuteReader();
            var events = new List<StoredEvent>();
            while (reader.Read())
                events.Add(EventRows.Read(reader));
            return events;
        }, cancellationToken);
    }

    public Task<long> LatestSequenceAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync(connection =>
        {
                        var command = connection.Command("SELECT COALESCE(MAX(seq), 0) FROM events");
            return (long)command.ExecuteScalar()!;
        }, cancellationToken);
}
