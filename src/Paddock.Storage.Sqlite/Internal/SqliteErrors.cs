using Microsoft.Data.Sqlite;
using Paddock.Core.Storage;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>SQLite's result codes turned into the kinds of failure callers act on.</summary>
internal static class SqliteErrors
{
    /// <summary>SQLITE_FULL: "Insertion failed because database is full" — the disk (or a size limit) has no room.</summary>
    private const int SqliteFull = 13;

    public static Exception Translate(Exception error) =>
        error is SqliteException { SqliteErrorCode: SqliteFull } full
            ? new StorageFullException("the database could not write: its disk is full", full)
            : error;
}
