using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

using Paddock.Bench;

namespace EnqueueBench;

/// <summary>A fresh database on the server named by <c>--postgres</c>, dropped afterwards.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private BenchDatabase(string admin, string connectionString)
    {
        _admin = admin;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string admin)
    {
        var name = "paddock_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new BenchDatabase(admin, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(ConnectionString).Database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>The real server on PostgreSQL: as <see cref="PaddockTarget"/>, with <c>Paddock:Storage:Provider=postgres</c> on a fresh database.</summary>
public static class PostgresPaddockTarget
{
    public static async Task<(PaddockTarget Target, BenchDatabase Database)> StartAsync(string dataRoot, string admin)
    {
        var database = await BenchDatabase.CreateAsync(admin);
        var target = await PaddockTarget.StartAsync(dataRoot, "paddock-pg",
        [
            "--Paddock:Storage:Provider=postgres",
            $"--Paddock:Storage:Postgres:ConnectionString={database.ConnectionString}",
        ]);
        return (target, database);
    }
}

/// <summary>
/// The database's own limit on the same server: <c>pgbench</c> (PostgreSQL's own load tool) committing one ~600-byte row
/// per transaction from as many clients as the HTTP load has connections, for the same time.
/// </summary>
public static class PgBench
{
    public sealed record Result(double TransactionsPerSecond, double AverageLatencyMs, string Line);

    public static async Task<Result> RunAsync(string admin, int clients, int seconds)
    {
        await using var database = await BenchDatabase.CreateAsync(admin);
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE rows (id uuid PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL)", connection);
            await create.ExecuteNonQueryAsync();
        }
        var script = Path.Combine(Path.GetTempPath(), $"paddock-pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, "INSERT INTO rows (id, payload, created_at) VALUES (gen_random_uuid(), repeat('x', 600), now());\n");
        try
        {
            var target = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            var info = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture),
                         "-f", script, "-h", target.Host!, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.Username ?? "postgres", target.Database! })
                info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var stdout = await process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"pgbench failed: {stderr}{stdout}");
            var tps = double.Parse(Regex.Match(stdout, @"tps = ([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
            var latency = double.Parse(Regex.Match(stdout, @"latency average = ([0-9.]+) ms").Groups[1].Value, CultureInfo.InvariantCulture);
            return new Result(tps, latency, $"pgbench: {clients} clients, {seconds} s, one INSERT per transaction: {tps:N0} tps, latency average {latency:0.00} ms");
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static string Executable() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pgbench")).Where(File.Exists).OrderDescending().FirstOrDefault() ?? "pgbench"
            : "pgbench";
}
