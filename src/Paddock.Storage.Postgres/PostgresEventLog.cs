using Npgsql;
using Paddock.Core.Events;
using Paddock.Storage.Postgres.Internal;

namespace Paddock.Storage.Postgres;

/// <summary>
/// The event log in the <c>events</c> table; obtained from <see cref="PostgresStore.Events"/>. Sequence numbers come
/// from one counter row, taken at the end of each appending transaction and held locked until it commits, so they are
/// given in commit order: the visibility order rule of <see cref="IEventLog"/>, with any number of processes appending.
/// </summary>
public sealed class PostgresEventLog : IEventLog
{
    private const string Columns = "seq, namespace, type, data, created_at";

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;

    internal PostgresEventLog(PostgresDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public async Task<StoredEvent> AppendAsync(EventDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var now = _time.GetUtcNow();
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var slot = await _database.WriteAsync(context => context.AppendEvent(draft, at), cancellationToken).ConfigureAwait(false);
        return slot.Stored!;
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(string ns, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ReadAsync(ns, afterSequence, limit, cancellationToken);
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAllAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(null, afterSequence, limit, cancellationToken);

    private Task<IReadOnlyList<StoredEvent>> ReadAsync(string? ns, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
            return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
        return _database.ReadAsync<IReadOnlyList<StoredEvent>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"""
                SELECT {Columns} FROM events
                WHERE {(ns is null ? "" : "namespace = @namespace AND ")}seq > @after
                ORDER BY seq
                LIMIT @limit
                """, connection);
            if (ns is not null) command.Parameters.Bind("namespace", ns);
            command.Parameters.Bind("after", afterSequence);
            command.Parameters.Bind("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var events = new List<StoredEvent>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), GenerationRows.Time(reader, 4)));
            return events;
        }, cancellationToken);
    }

    /// <summary>The counter's value: every event up to it is committed and visible.</summary>
    public Task<long> LatestSequenceAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT last_seq FROM event_sequence WHERE id = 1", connection);
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);
}
