using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Writing;

/// <summary>
/// What a write operation sees while the writer runs it: the writer's connection, inside the
/// batch's transaction and the operation's own savepoint. Only valid during that call.
/// </summary>
internal sealed class SqliteWriteContext(SqliteConnection connection) : IDisposable
{
    // Each distinct SQL text stays prepared on the writer's connection for its lifetime.
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    internal SqliteTransaction? Transaction { get; set; }

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
