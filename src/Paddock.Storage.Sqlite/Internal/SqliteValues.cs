using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite.Internal;

/// <summary>How values are written to and read from columns. Times are INTEGER unix milliseconds.</summary>
internal static class SqliteValues
{
    public static long ToUnixMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    /// <summary>Ids as lowercase text: Microsoft.Data.Sqlite would otherwise bind a Guid as a BLOB.</summary>
    public static string IdText(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    public static SqliteParameter Add(this SqliteParameterCollection parameters, string name, object? value) =>
        parameters.AddWithValue(name, value ?? DBNull.Value);

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static DateTimeOffset? GetNullableTime(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : FromUnixMilliseconds(reader.GetInt64(ordinal));
}
