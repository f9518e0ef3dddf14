using Microsoft.Data.Sqlite;
using Paddock.Core.Storage;
using Paddock.Storage.Sqlite.Internal;

namespace Paddock.Storage.Sqlite.Writing;

/// <summary>
/// What a write operation sees while the writer runs it: the writer's connection, inside the
/// round's transaction (and the operation's own savepoint when a failure made the writer run the
/// round again the careful way). Only valid during that call.
/// </summary>
internal sealed class SqliteWriteContext(SqliteConnection connection) : IDisposable
{
    // Each distinct SQL text stays prepared on the writer's connection for its lifetime.
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RowStatement> _statements = new(StringComparer.Ordinal);

    private readonly HashSet<string?> _queuedModels = [];
    private readonly List<Guid> _cancelled = [];
    private readonly InsertedRowCounts _insertedCounts = new();
    private bool _eventsAppended;

    internal SqliteTransaction? Transaction { get; set; }

    /// <summary>Events were appended in this transaction: signalled to waiters once it commits.</summary>
    public void EventsAppended() => _eventsAppended = true;

    /// <summary>Rows of <paramref name="model"/> (null: of any model) became claimable in this transaction.</summary>
    public void WorkQueued(string? model) => _queuedModels.Add(model);

    /// <summary>The generation was cancelled in this transaction.</summary>
    public void Cancelled(Guid id) => _cancelled.Add(id);

    /// <summary>What this transaction changed that waiters care about; clears the marks for the next one.</summary>
    internal List<StoreSignal> TakeSignals()
    {
        var signals = new List<StoreSignal>(_queuedModels.Count + 1);
        if (_eventsAppended) signals.Add(new StoreSignal(StoreChange.EventsAppended));
        // One "any model" signal covers every model.
        if (_queuedModels.Contains(null)) signals.Add(new StoreSignal(StoreChange.WorkQueued));
        else signals.AddRange(_queuedModels.Select(m => new StoreSignal(StoreChange.WorkQueued, m)));
        signals.AddRange(_cancelled.Select(id => new StoreSignal(StoreChange.Cancelled, GenerationId: id)));
        _eventsAppended = false;
        _queuedModels.Clear();
        _cancelled.Clear();
        return signals;
    }

    /// <summary>
    /// A prepared command for <paramref name="sql"/> with no parameters, in the current transaction. The counts of rows
    /// inserted so far are added to the counters first, so the statement sees them exact.
    /// </summary>
    public SqliteCommand Command(string sql)
    {
        AddInsertedCounts();
        return CommandLeavingCountsPending(sql);
    }

    /// <summary>
    /// <see cref="Command"/> for a statement that neither reads nor changes the counters of <see cref="InsertedRowCounts"/>
    /// (the insert itself, a sub-lane's next number, idempotency keys), so a round of enqueues adds to them once.
    /// </summary>
    public SqliteCommand CommandLeavingCountsPending(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Parameters.Clear();
        command.Transaction = Transaction;
        return command;
    }

    /// <summary>
    /// <see cref="CommandLeavingCountsPending"/> through SQLite's own calls (<see cref="RowStatement"/>), for the statements
    /// every enqueue runs, where a command's own work per execution (a parameter object per value, a data reader) was a
    /// large part of the writer's. Runs in the open transaction like any command; it must be reset after each use.
    /// </summary>
    public RowStatement StatementLeavingCountsPending(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = RowStatement.Prepare(connection, sql);
            _statements.Add(sql, statement);
        }
        return statement;
    }

    /// <summary>The sub-lane's next number when this round already numbered one of its rows (see <see cref="InsertedRowCounts.TryNextLaneSeq"/>).</summary>
    public bool TryNextLaneSeq(string lane, int priority, string ns, out long laneSeq) =>
        _insertedCounts.TryNextLaneSeq(lane, priority, ns, out laneSeq);

    /// <summary>A queued generation was inserted: what it adds to the counters, added by <see cref="AddInsertedCounts"/>.</summary>
    public void Inserted(Paddock.Core.Generations.NewGeneration row, string lane, long laneSeq, long enqueuedAtMilliseconds) =>
        _insertedCounts.Add(row, lane, laneSeq, enqueuedAtMilliseconds);

    /// <summary>Adds the inserted rows' counts to the counters; the writer calls it before each commit and each savepoint's release.</summary>
    internal void AddInsertedCounts()
    {
        if (!_insertedCounts.IsEmpty) _insertedCounts.AddTo(CommandLeavingCountsPending);
    }

    /// <summary>Forgets counts not yet added: their rows are being rolled back.</summary>
    internal void DiscardInsertedCounts() => _insertedCounts.Clear();

    public void Dispose()
    {
        foreach (var command in _commands.Values)
            command.Dispose();
        _commands.Clear();
        foreach (var statement in _statements.Values)
            statement.Dispose();
        _statements.Clear();
    }
}
