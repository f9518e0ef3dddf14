using Paddock.Cli.Tests.Support;
using Paddock.Testing;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock keys</c> against PostgreSQL: the same command, the storage chosen by settings.</summary>
[Collection(CliServerCollection.Name)]
public sealed class PostgresKeysTests(CliServer server) : IDisposable
{
    private readonly PaddockCli _cli = new(server);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Keys_are_created_listed_and_revoked_in_postgres()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var database = await cluster.CreateDatabaseAsync();
        try
        {
            string[] postgres = ["--Paddock:Storage:Provider=postgres", $"--Paddock:Storage:Postgres:ConnectionString={database}", "--data-dir", Path.Combine(_cli.Root, "pg-data")];

            var created = await _cli.RunAsync(["keys", "create", "--namespace", "acme", "--json", .. postgres]);
            Assert.True(created.ExitCode == 0, created.ToString());
            var id = created.Json().GetProperty("id").GetString()!;

            var listed = await _cli.RunAsync(["keys", "list", .. postgres]);
            Assert.Contains($"{id}\tacme\t", listed.Stdout);
            // Not in the embedded database of that data directory: the key went to PostgreSQL.
            Assert.False(File.Exists(Path.Combine(_cli.Root, "pg-data", "paddock.db")), "an SQLite file was made although PostgreSQL was chosen");

            var revoked = await _cli.RunAsync(["keys", "revoke", id, .. postgres]);
            Assert.True(revoked.ExitCode == 0, revoked.ToString());
            Assert.DoesNotContain(id, (await _cli.RunAsync(["keys", "list", .. postgres])).Stdout);
        }
        finally
        {
            await cluster.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Choosing_postgres_without_a_connection_string_or_with_a_bad_one_is_a_bad_setting_that_names_what_to_set()
    {
        var missing = await _cli.RunAsync("keys", "list", "--Paddock:Storage:Provider=postgres", "--data-dir", Path.Combine(_cli.Root, "d1"));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("Paddock:Storage:Postgres:ConnectionString is not set", missing.Stderr);

        var typo = await _cli.RunAsync("keys", "list", "--Paddock:Storage:Provider=postgress", "--data-dir", Path.Combine(_cli.Root, "d2"));
        Assert.True(typo.ExitCode == 2, typo.ToString());
        Assert.Contains("Paddock:Storage:Provider", typo.Stderr);
        Assert.Contains("sqlite, postgres", typo.Stderr);

        var bad = await _cli.RunAsync("keys", "list", "--Paddock:Storage:Provider=postgres", "--Paddock:Storage:Postgres:ConnectionString=Hosty=db;Password=hunter2", "--data-dir", Path.Combine(_cli.Root, "d3"));
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("Paddock:Storage:Postgres:ConnectionString is not a connection string", bad.Stderr);
        Assert.DoesNotContain("hunter2", bad.Stderr + bad.Stdout);
    }
}
