using Npgsql;
using Paddock.Core.Configuration;

namespace Paddock.Storage.Postgres;

/// <summary>The shared database (section <c>Paddock:Storage:Postgres</c>), used when <c>Paddock:Storage:Provider</c> is <c>postgres</c>.</summary>
public sealed class PostgresStorageOptions : IValidatedSettings
{
    /// <summary>
    /// An Npgsql connection string, e.g. <c>Host=db.internal;Port=5432;Database=paddock;Username=paddock;Password=…</c>.
    /// It may hold a password: give it in the environment (<c>PADDOCK__STORAGE__POSTGRES__CONNECTIONSTRING</c>) or leave
    /// the password out and keep it in a password file (<c>Passfile=/etc/paddock/pgpass</c>, or <c>PGPASSWORD</c>).
    /// Paddock never prints it; messages name the host, port, database and user only.
    /// </summary>
    public string? ConnectionString { get; set; }

    public void Validate(string section, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString)) return; // required only when PostgreSQL is the chosen storage
        if (Parse(ConnectionString) is not { } builder)
            problems.Add($"{section}:ConnectionString is not a connection string Npgsql can read (it is not shown here: it may hold a password); write it as Host=HOST;Port=5432;Database=NAME;Username=USER;Password=…");
        else if (string.IsNullOrWhiteSpace(builder.Host))
            problems.Add($"{section}:ConnectionString names no server; add Host=HOST (and Port= when it is not 5432)");
    }

    internal static NpgsqlConnectionStringBuilder? Parse(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Where a connection string points, for messages: never its password.</summary>
    internal static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username} as {builder.Username ?? "(the default user)"}";
}
