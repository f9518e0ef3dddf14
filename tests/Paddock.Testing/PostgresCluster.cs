using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Paddock.Testing;

/// <summary>
/// A real PostgreSQL server for tests: the one <c>scripts/test.sh</c> started for the whole run (its connection string in
/// <see cref="Variable"/>), or — when a test project runs by hand — a throwaway cluster of Debian's package started here,
/// on loopback, in a temporary folder, and stopped when the test process exits. Each test gets a database of its own.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>A superuser connection string to a running server, e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres</c>.</summary>
    public const string Variable = "PADDOCK_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresCluster>> Shared = new(CreateSharedAsync);

    private readonly string? _root;
    private readonly string? _bin;
    private readonly int _port;

    private PostgresCluster(string adminConnectionString, string? root, string? bin, int port)
    {
        AdminConnectionString = adminConnectionString;
        _root = root;
        _bin = bin;
        _port = port;
    }

    /// <summary>A superuser connection to the server's <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>True when this process started the server (so a test may stop and restart it).</summary>
    public bool IsOwn => _root is not null;

    /// <summary>The server every test of this process shares (started once; databases keep tests apart).</summary>
    public static Task<PostgresCluster> SharedAsync() => Shared.Value;

    /// <summary>A server of the caller's own, for tests that stop or restart it; dispose it at the end.</summary>
    public static async Task<PostgresCluster> StartOwnAsync()
    {
        var bin = FindBin();
        var root = Path.Combine(Path.GetTempPath(), "paddock-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        if (IsRoot) await Run("chown", ["postgres:postgres", root]);
        await RunAsPostgres(Path.Combine(bin, "initdb"), ["-D", Path.Combine(root, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var port = FreePort();
        var cluster = new PostgresCluster($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5", root, bin, port);
        await cluster.StartAsync();
        return cluster;
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "paddock_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, ending any session still on it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A server already stopped (a test of its own) takes its databases with it.
        }
    }

    /// <summary>Ends every session on <paramref name="connectionString"/>'s database, as a crash of the network or an administrator would.</summary>
    public async Task TerminateSessionsAsync(string connectionString, string? applicationName = null)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var kill = new NpgsqlCommand(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid() AND (@app::text IS NULL OR application_name = @app)",
            connection);
        kill.Parameters.AddWithValue("name", name!);
        kill.Parameters.AddWithValue("app", (object?)applicationName ?? DBNull.Value);
        await kill.ExecuteScalarAsync();
    }

    /// <summary>Stops the server (fast: sessions are ended, nothing committed is lost).</summary>
    public Task StopAsync() => PgCtl(["stop", "-m", "fast", "-w"]);

    public Task StartAsync() => PgCtl(["start", "-w", "-t", "60", "-l", Path.Combine(_root!, "log"),
        "-o", $"-k {_root} -c listen_addresses=127.0.0.1 -p {_port} -c fsync=off -c max_connections=300"]);

    /// <summary>pg_ctl restart: the server stops (ending every session) and starts again on the same port and data.</summary>
    public Task RestartAsync() => PgCtl(["restart", "-m", "fast", "-w", "-t", "60", "-l", Path.Combine(_root!, "log"),
        "-o", $"-k {_root} -c listen_addresses=127.0.0.1 -p {_port} -c fsync=off -c max_connections=300"]);

    public async ValueTask DisposeAsync()
    {
        if (_root is null) return;
        try { await PgCtl(["stop", "-m", "immediate", "-w"]); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    private Task PgCtl(IReadOnlyList<string> args)
    {
        if (_root is null) throw new InvalidOperationException("this server was started by someone else; only a test's own server can be stopped");
        return RunAsPostgres(Path.Combine(_bin!, "pg_ctl"), ["-D", Path.Combine(_root, "data"), .. args]);
    }

    private static async Task<PostgresCluster> CreateSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
            return new PostgresCluster(given, root: null, bin: null, port: 0);
        var own = await StartOwnAsync();
        // Stopped with the test process (a test host exits without disposing statics).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => own.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return own;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault() ?? throw new InvalidOperationException("PostgreSQL's server is not installed: apt-get install -y postgresql")
            : throw new InvalidOperationException("PostgreSQL's server is not installed: apt-get install -y postgresql");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsPostgres(string file, IReadOnlyList<string> args) =>
        IsRoot ? Run("runuser", ["-u", "postgres", "--", file, .. args]) : Run(file, args);

    private static async Task Run(string file, IReadOnlyList<string> args)
    {
        // From "/": the postgres user may not enter the caller's folder.
        var info = new ProcessStartInfo(file) { WorkingDirectory = "/", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}
