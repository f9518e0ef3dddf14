// Issue 12's claim benchmark: a claim under the fairness rule (namespaces take turns) against the FIFO claim Paddock made
// before it, with 10,000 queued rows over 100 namespaces, on one SQLite database made by the real store (schema v7, its
// triggers included). Each claim runs the SQL its store runs, in its own transaction on one connection (no writer queue,
// synchronous=OFF), so the figure is the claim's own cost. Both run on copies of the same file, alternating, several
// rounds; the report gives medians per claim and their ratio (target: fair ≤ 2 × FIFO).
//
//   dotnet run -c Release --project bench/ClaimBench -- [--rows 10000] [--namespaces 100] [--claims 2000] [--rounds 3]

using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Paddock.Core.Generations;
using Paddock.Storage.Sqlite;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
int rows = 10_000, namespaces = 100, claims = 2_000, rounds = 3;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 0;
    switch (args[i])
    {
        case "--rows": rows = value; i++; break;
        case "--namespaces": namespaces = value; i++; break;
        case "--claims": claims = value; i++; break;
        case "--rounds": rounds = value; i++; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var folder = Path.Combine(Path.GetTempPath(), "paddock-claimbench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
try
{
    var source = Path.Combine(folder, "source.db");
    await using (var store = new SqliteStore(source, TimeProvider.System))
    {
        // Submitted namespace after namespace (each one's rows together), as bursts from many users arrive.
        for (var ns = 0; ns < namespaces; ns++)
        {
            var batch = Enumerable.Range(0, rows / namespaces)
                .Select(_ => new NewGeneration(Guid.NewGuid(), $"ns{ns:D3}", "happyhorse-1.0-r2v", "video", """{"prompt":"a horse","seed":1}""", Lane: "builtin"))
                .ToList();
            await store.Generations.EnqueueAsync(batch);
        }
    }
    SqliteConnection.ClearAllPools();

    var fifo = new List<double>();
    var fair = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        fifo.Add(Run(Copy(source, folder, $"fifo{round}.db"), claims, FifoClaim));
        fair.Add(Run(Copy(source, folder, $"fair{round}.db"), claims, FairClaim));
    }
    double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    Console.WriteLine($"ClaimBench: {rows} queued rows over {namespaces} namespaces, {claims} claims a run, {rounds} runs each; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    Console.WriteLine("--- Markdown for docs/BENCHMARKS.md ---");
    Console.WriteLine("| claim | µs per claim (median of runs) | runs |");
    Console.WriteLine("|---|---|---|");
    Console.WriteLine($"| FIFO (before issue 12) | {Median(fifo):F1} | {string.Join(", ", fifo.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))} |");
    Console.WriteLine($"| fair (namespaces take turns) | {Median(fair):F1} | {string.Join(", ", fair.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))} |");
    Console.WriteLine($"| ratio fair / FIFO | {Median(fair) / Median(fifo):F2} | target ≤ 2 |");
    return 0;
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static string Copy(string source, string folder, string name)
{
    var path = Path.Combine(folder, name);
    File.Copy(source, path);
    return path;
}

// Microseconds per claim over one run.
static double Run(string path, int claims, Func<SqliteConnection, long, string?> claim)
{
    using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
    connection.Open();
    using (var pragma = connection.CreateCommand())
    {
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;";
        pragma.ExecuteNonQuery();
    }
    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    var stopwatch = Stopwatch.StartNew();
    for (var i = 0; i < claims; i++)
    {
        if (claim(connection, now) is null)
            throw new InvalidOperationException("the queue ran dry: ask for fewer claims than rows");
    }
    return stopwatch.Elapsed.TotalMicroseconds / claims;
}

// The claim before issue 12 (SqliteGenerationStore at 1694560): the oldest claimable queued row.
static string? FifoClaim(SqliteConnection connection, long now)
{
    using var transaction = connection.BeginTransaction();
    using var command = connection.CreateCommand();
    command.Transaction = transaction;
    command.CommandText = """
        UPDATE generations
        SET status = 'processing', attempt = attempt + 1, lease_owner = 'w', lease_expires_at = $expires_at,
            started_at = COALESCE(started_at, $now), retry_at = NULL, status_message = NULL
        WHERE rowid = (SELECT rowid FROM generations
                       WHERE status = 'queued' AND (retry_at IS NULL OR retry_at <= $now)
                       ORDER BY enqueued_at, rowid LIMIT 1)
        RETURNING id
        """;
    command.Parameters.AddWithValue("$now", now);
    command.Parameters.AddWithValue("$expires_at", now + 30_000);
    var id = command.ExecuteScalar() as string;
    transaction.Commit();
    return id;
}

// The fair claim as SqliteGenerationStore.ClaimNextAsync runs it: sub-lanes in turn order, the first one's head, the
// claim, the turn moved to the end.
static string? FairClaim(SqliteConnection connection, long now)
{
    using var transaction = connection.BeginTransaction();
    var turns = new List<(string Lane, long Priority, string Namespace)>();
    using (var order = connection.CreateCommand())
    {
        order.Transaction = transaction;
        // The store pages through sub-lanes 16 at a time; the first page's first sub-lane has a row here.
        order.CommandText = "SELECT lane, priority, namespace FROM queue_lanes WHERE queued > 0 ORDER BY priority DESC, last_turn, namespace LIMIT 16 OFFSET 0";
        using var reader = order.ExecuteReader();
        while (reader.Read()) turns.Add((reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
    }
    foreach (var turn in turns)
    {
        using var head = connection.CreateCommand();
        head.Transaction = transaction;
        head.CommandText = """
            SELECT rowid FROM generations
            WHERE lane = $lane AND priority = $priority AND namespace = $namespace AND status = 'queued'
              AND (retry_at IS NULL OR retry_at <= $now)
            ORDER BY lane_seq LIMIT 1
            """;
        head.Parameters.AddWithValue("$lane", turn.Lane);
        head.Parameters.AddWithValue("$priority", turn.Priority);
        head.Parameters.AddWithValue("$namespace", turn.Namespace);
        head.Parameters.AddWithValue("$now", now);
        if (head.ExecuteScalar() is not long rowId) continue;

        using (var taken = connection.CreateCommand())
        {
            taken.Transaction = transaction;
            taken.CommandText = """
                UPDATE queue_lanes SET last_turn = MAX(1, (SELECT MAX(last_turn) + 1 FROM queue_lanes))
                WHERE lane = $lane AND priority = $priority AND namespace = $namespace
                """;
            taken.Parameters.AddWithValue("$lane", turn.Lane);
            taken.Parameters.AddWithValue("$priority", turn.Priority);
            taken.Parameters.AddWithValue("$namespace", turn.Namespace);
            taken.ExecuteNonQuery();
        }
        using var claim = connection.CreateCommand();
        claim.Transaction = transaction;
        claim.CommandText = """
            UPDATE generations
            SET status = 'processing', attempt = attempt + 1, lease_owner = 'w', lease_expires_at = $expires_at,
                started_at = COALESCE(started_at, $now), retry_at = NULL, status_message = NULL
            WHERE rowid = $rowid
            RETURNING id
            """;
        claim.Parameters.AddWithValue("$rowid", rowId);
        claim.Parameters.AddWithValue("$now", now);
        claim.Parameters.AddWithValue("$expires_at", now + 30_000);
        var id = claim.ExecuteScalar() as string;
        transaction.Commit();
        return id;
    }
    transaction.Commit();
    return null;
}
