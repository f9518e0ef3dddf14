using Microsoft.Data.Sqlite;
using Paddock.Core.Events;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>The events table, shared by the event log and the generation changes that append events atomically.</summary>
internal static class EventRows
{
    public const string Columns = "seq, namespace, type, data, created_at";

    private const string InsertSql =
        "INSERT INTO events (namespace, type, data, created_at) VALUES ($namespace, $type, $data, $created_at) RETURNING seq";

    /// <summary>Appends inside the current write; the sequence is final once that write commits.</summary>
    public static StoredEvent Append(SqliteWriteContext context, EventDraft draft, long nowMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var command = context.Command(InsertSql);
        command.Parameters.Add("$namespace", draft.Namespace);
        command.Parameters.Add("$type", draft.Type);
        command.Parameters.Add("$data", draft.Data);
        command.Parameters.Add("$created_at", nowMilliseconds);
        var sequence = (long)command.ExecuteScalar()!;
        context.EventsAppended();
        return new StoredEvent(sequence, draft.Namespace, draft.Type, draft.Data, SqliteValues.FromUnixMilliseconds(nowMilliseconds));
    }

    /// <summary>Reads a row selected as <see cref="Columns"/>.</summary>
    public static StoredEvent Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        SqliteValues.FromUnixMilliseconds(reader.GetInt64(4)));
}
