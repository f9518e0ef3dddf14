using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>
/// A pooled read connection with its prepared statements. Parsing and planning a statement costs more than running one
/// of these index seeks, so each distinct SQL text is prepared once per connection and reused for its lifetime (the
/// writer does the same, <see cref="Writing.SqliteWriteContext"/>).
/// </summary>
internal sealed class SqliteReadContext(SqliteConnection connection) : IDisposable
{
    /// <summary>More distinct texts than the store's reads make (their filters combine into a few dozen): a bound, not a limit.</summary>
    private const int MaxCommands = 256;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RowStatement> _statements = new(StringComparer.Ordinal);
    private RowStatement? _begin;
    private RowStatement? _end;

    public SqliteConnection Connection => connection;

    /// <summary>
    /// Begins a deferred transaction: every command until it is disposed reads the same snapshot (a row and its queue
    /// position, a page and its total).
    /// </summary>
    /// <remarks>
    /// <c>BEGIN</c> and its <c>ROLLBACK</c> are statements prepared once per connection, run on the connection's handle:
    /// <see cref="SqliteConnection.BeginTransaction()"/> would make, parse and dispose a command for each of them on
    /// every read (a third of a single-row read's time in the store, measured). The connection does not know of the
    /// transaction, so commands run with no <see cref="SqliteCommand.Transaction"/> and SQLite runs them inside it; a
    /// connection returned still inside one is not reused (<see cref="ReadConnectionPool"/>).
    /// </remarks>
    public Snapshot BeginSnapshot()
    {
        _begin ??= RowStatement.Prepare(connection, "BEGIN DEFERRED");
        _begin.Run();
        return new Snapshot(this);
    }

    /// <summary>A prepared command for <paramref name="sql"/> with no parameters (inside the snapshot if one is open).</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            if (_commands.Count >= MaxCommands) DisposeCommands();
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Parameters.Clear();
        return command;
    }

    /// <summary>
    /// A prepared statement for <paramref name="sql"/> read through SQLite's own calls (<see cref="RowStatement"/>), for
    /// reads of many columns of many rows; in the current snapshot if one is open, as a command is.
    /// </summary>
    public RowStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            if (_statements.Count >= MaxCommands) DisposeStatements();
            statement = RowStatement.Prepare(connection, sql);
            _statements.Add(sql, statement);
        }
        return statement;
    }

    public void Dispose()
    {
        DisposeCommands();
        DisposeStatements();
        _begin?.Dispose();
        _end?.Dispose();
        connection.Dispose();
    }

    private void DisposeCommands()
    {
        foreach (var command in _commands.Values)
            command.Dispose();
        _commands.Clear();
    }

    private void DisposeStatements()
    {
        foreach (var statement in _statements.Values)
            statement.Dispose();
        _statements.Clear();
    }

    private void EndSnapshot()
    {
        _end ??= RowStatement.Prepare(connection, "ROLLBACK");
        _end.Run();
    }

    /// <summary>Ends the snapshot (a read-only transaction: rolled back, nothing to commit).</summary>
    public readonly struct Snapshot(SqliteReadContext context) : IDisposable
    {
        public void Dispose() => context.EndSnapshot();
    }
}
