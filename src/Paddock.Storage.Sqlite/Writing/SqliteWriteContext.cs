using Microsoft.Data.Sqlite;
using Paddock.Core.Storage;

namespace Paddock.Storage.Sqlite.Writing;

/// <summary>
/// What a write operation sees while the writer runs it: the writer's connection, inside the
/// batch's transaction and the operation's own savepoint. Only valid during that call.
/// </summary>
internal sealed class SqliteWriteContext(SqliteConnection connection) : IDisposable
{
    // Each distinct SQL text stays prepared on the writer's connection for its lifetime.
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private readonly HashSet<string?> _queuedModels = [];
    private readonly List<Guid> _cancelled = [];
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

    /// <summary>A prepared command for <paramref name="sql"/> with no parameters, in the current transaction.</summary>
    public SqliteCommand Command(string sql)
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

    public void Dispose()
    {
        foreach (var command in _commands.Values)
            command.Dispose();
        _commands.Clear();
    }
}
