using Npgsql;
using NpgsqlTypes;
using Paddock.Core.Events;
using Paddock.Core.Storage;
using Paddock.Storage.Postgres.Internal;
using Paddock.Storage.Postgres.Signals;

namespace Paddock.Storage.Postgres.Writing;

/// <summary>An event appended in the writer's current transaction; its sequence is given just before the commit.</summary>
internal sealed class EventSlot(EventDraft draft, DateTimeOffset at)
{
    public EventDraft Draft { get; } = draft;

    public DateTimeOffset At { get; } = at;

    /// <summary>The event as stored; set before the transaction commits, so a caller that hears back has it.</summary>
    public StoredEvent? Stored { get; set; }
}

/// <summary>
/// What a write operation sees while the writer runs it: the writer's connection inside the batch's transaction, where
/// it appends events and marks rows it made claimable. Only valid during that call.
/// </summary>
internal sealed class PostgresWriteContext
{
    /// <summary>
    /// Gives the transaction's events their numbers from the one counter row and stores them, in one statement. The
    /// counter's row lock is taken last in every transaction and held until its commit: sequence order is commit order.
    /// </summary>
    private const string InsertEventsSql = """
        WITH counter AS (
            UPDATE event_sequence SET last_seq = last_seq + @count WHERE id = 1 RETURNING last_seq
        ), stored AS (
            INSERT INTO events (seq, namespace, type, data, created_at)
            SELECT counter.last_seq - @count + e.n, e.namespace, e.type, e.data, e.created_at
            FROM counter, unnest(@namespaces, @types, @datas, @ats) WITH ORDINALITY AS e(namespace, type, data, created_at, n)
        )
        SELECT last_seq FROM counter
        """;

    private readonly List<EventSlot> _events = [];
    private readonly List<(NpgsqlBatchCommand Command, PendingWrite<PostgresWriteContext> Owner)> _deferred = [];
    private readonly HashSet<string?> _queuedModels = [];
    private readonly List<Guid> _cancelled = [];
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    /// <summary>The operation running now (whose deferred statements are its own).</summary>
    internal PendingWrite<PostgresWriteContext>? Current { get; set; }

    /// <summary>A command on the writer's connection, in the current transaction.</summary>
    public NpgsqlCommand Command(string sql) => new(sql, _connection, _transaction);

    /// <summary>
    /// A statement whose answer the operation does not need (an enqueue's insert): run with the round's other deferred
    /// statements in one round trip, before the round's events and commit. If it fails, its operation fails.
    /// </summary>
    public void Defer(NpgsqlBatchCommand command)
    {
        var owner = Current ?? throw new InvalidOperationException("no operation is running");
        if (!DeferNothing)
        {
            _deferred.Add((command, owner));
            return;
        }
        using var now = Command(command.CommandText);
        foreach (var parameter in command.Parameters.ToArray())
        {
            command.Parameters.Remove(parameter);
            now.Parameters.Add(parameter);
        }
        now.ExecuteNonQuery();
    }

    /// <summary>Runs deferred statements at once, so a failing one fails inside its own operation (a round run again after a deferred failure).</summary>
    internal bool DeferNothing { get; set; }

    /// <summary>Appends an event in this transaction; the slot holds the stored event once the writer numbered it.</summary>
    public EventSlot AppendEvent(EventDraft draft, DateTimeOffset at)
    {
        // Checked here, so an event that cannot be stored fails its own operation, not the whole batch at its end.
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(draft.Namespace);
        ArgumentNullException.ThrowIfNull(draft.Type);
        ArgumentNullException.ThrowIfNull(draft.Data);
        var slot = new EventSlot(draft, at.ToUniversalTime());
        _events.Add(slot);
        return slot;
    }

    /// <summary>Rows of <paramref name="model"/> (null: of any model) became claimable in this transaction.</summary>
    public void WorkQueued(string? model) => _queuedModels.Add(model);

    /// <summary>The generation was cancelled in this transaction: whichever process renders it stops at the commit.</summary>
    public void Cancelled(Guid id) => _cancelled.Add(id);

    internal void Begin(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        _events.Clear();
        _queuedModels.Clear();
        _cancelled.Clear();
        _deferred.Clear();
    }

    /// <summary>
    /// Stores the transaction's events and queues its notifications (PostgreSQL delivers them at commit); returns what
    /// to signal in this process once it has committed. The last statements before the commit.
    /// </summary>
    internal List<StoreSignal> Finish()
    {
        RunDeferred();
        return FinishSignals();
    }

    /// <summary>
    /// Runs the round's deferred statements now, in one round trip, so what the operation reads next sees the rows of
    /// the operations before it in this round (an admission check counting a namespace's queued rows).
    /// </summary>
    public void RunDeferred()
    {
        if (_deferred.Count > 0)
        {
            using var batch = new NpgsqlBatch(_connection, _transaction);
            foreach (var (command, _) in _deferred) batch.BatchCommands.Add(command);
            try
            {
                batch.ExecuteNonQuery();
            }
            catch (PostgresException e) when (e.BatchCommand is { } failed && _deferred.FirstOrDefault(d => d.Command == failed).Owner is { } owner)
            {
                throw new DeferredStatementException(owner, e);
            }
            catch (PostgresException e) when (!PostgresErrors.IsRetryable(e) && !PostgresErrors.IsUnavailable(e))
            {
                throw new DeferredStatementException(null, e);
            }
            _deferred.Clear();
        }
    }

    private List<StoreSignal> FinishSignals()
    {

        var signals = new List<StoreSignal>();
        var channels = new List<string>();
        var payloads = new List<string>();
        if (_events.Count > 0)
        {
            using var insert = Command(InsertEventsSql);
            insert.Parameters.Add(new NpgsqlParameter<int>("count", _events.Count));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("namespaces", _events.Select(e => e.Draft.Namespace).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("types", _events.Select(e => e.Draft.Type).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("datas", _events.Select(e => e.Draft.Data).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("ats", _events.Select(e => e.At).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            var last = (long)insert.ExecuteScalar()!;
            var first = last - _events.Count + 1;
            for (var i = 0; i < _events.Count; i++)
            {
                var slot = _events[i];
                slot.Stored = new StoredEvent(first + i, slot.Draft.Namespace, slot.Draft.Type, slot.Draft.Data, slot.At);
            }
            signals.Add(new StoreSignal(StoreChange.EventsAppended));
            channels.Add(PostgresSignals.EventsChannel);
            payloads.Add(last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // One "any model" signal covers every model.
        IEnumerable<string?> models = _queuedModels.Contains(null) ? [null] : _queuedModels;
        foreach (var model in models)
        {
            signals.Add(new StoreSignal(StoreChange.WorkQueued, model));
            channels.Add(PostgresSignals.QueueChannel);
            payloads.Add(model ?? "");
        }

        foreach (var id in _cancelled)
        {
            signals.Add(new StoreSignal(StoreChange.Cancelled, GenerationId: id));
            channels.Add(PostgresSignals.CancelChannel);
            payloads.Add(id.ToString("D"));
        }

        if (channels.Count > 0)
        {
            using var notify = Command("SELECT pg_notify(channel, payload) FROM unnest(@channels, @payloads) AS n(channel, payload)");
            notify.Parameters.Add(new NpgsqlParameter<string[]>("channels", channels.ToArray()));
            notify.Parameters.Add(new NpgsqlParameter<string[]>("payloads", payloads.ToArray()));
            notify.ExecuteNonQuery();
        }
        return signals;
    }
}

/// <summary>A deferred statement failed: the fault of <see cref="Owner"/> alone (its own input), as if it had thrown.</summary>
/// <remarks>Null <see cref="Owner"/>: the failing statement is not known; the round runs again with nothing deferred to find it.</remarks>
internal sealed class DeferredStatementException(PendingWrite<PostgresWriteContext>? owner, PostgresException inner) : Exception(inner.Message, inner)
{
    public PendingWrite<PostgresWriteContext>? Owner { get; } = owner;
}
