// Enqueue -> processing on an idle worker in another process, on PostgreSQL: POST /api/ai/queue on an API process (this
// one), claimed by a `paddock worker` process (this program again, in its worker role) woken by LISTEN/NOTIFY. The figure
// is the row's own started_at - enqueued_at (one machine, one clock). Baseline in the same run: a bare transaction that
// inserts a row and NOTIFYs, heard by a listening connection — the database's own commit-to-listener time.
//
//   dotnet run -c Release --project bench/PickupBench -- --postgres 'Host=127.0.0.1;Port=5432;Username=postgres' --samples 30

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Paddock.Server.Hosting;

if (args.Length > 0 && args[0] == "worker")
    return await PaddockProcess.RunAsync(args[1..], PaddockRole.Worker);

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string? admin = null;
var samples = 30;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--postgres": admin = args[++i]; break;
        case "--samples": samples = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}; usage: PickupBench --postgres CONNECTION-STRING [--samples N]"); return 2;
    }
}
if (admin is null)
{
    Console.Error.WriteLine("usage: PickupBench --postgres CONNECTION-STRING [--samples N]  (a superuser connection; start one with scripts/test-postgres.sh start --durable)");
    return 2;
}

var database = "paddock_pickup_" + Guid.NewGuid().ToString("N")[..12];
await Execute(admin, $"CREATE DATABASE {database}");
var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
var dataDirectory = Path.Combine(Path.GetTempPath(), "paddock-pickup-" + Guid.NewGuid().ToString("N")[..12]);
Process? worker = null;
try
{
    Console.WriteLine($"PickupBench: {samples} samples; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");

    // Baseline: commit (an INSERT and a NOTIFY) on one connection -> notification on another.
    var baseline = new List<double>();
    await Execute(connectionString, "CREATE TABLE pickup_baseline (id uuid PRIMARY KEY, payload text)");
    await using (var listener = new NpgsqlConnection(connectionString))
    await using (var sender = new NpgsqlConnection(connectionString))
    {
        await listener.OpenAsync();
        await sender.OpenAsync();
        var heard = new SemaphoreSlim(0);
        listener.Notification += (_, _) => heard.Release();
        await using (var listen = new NpgsqlCommand("LISTEN pickup", listener)) await listen.ExecuteNonQueryAsync();
        for (var i = 0; i < samples + 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await using (var transaction = await sender.BeginTransactionAsync())
            {
                await using var insert = new NpgsqlCommand("INSERT INTO pickup_baseline VALUES (gen_random_uuid(), repeat('x', 600)); NOTIFY pickup", sender, transaction);
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }
            while (!await heard.WaitAsync(0)) await listener.WaitAsync(TimeSpan.FromSeconds(5));
            if (i >= 3) baseline.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(50);
        }
    }

    string[] common =
    [
        $"--Paddock:DataDirectory={dataDirectory}",
        "--Paddock:Storage:Provider=postgres",
        $"--Paddock:Storage:Postgres:ConnectionString={connectionString}",
        "--Paddock:Engines:Builtin:Preset=ultrafast",
        "--Logging:LogLevel:Default=Warning",
    ];
    var api = PaddockApp.Build(["--urls=http://127.0.0.1:0", "--Paddock:Workers:Concurrency=0", .. common]);
    var stdout = Console.Out;
    Console.SetOut(TextWriter.Null);
    await api.StartAsync();
    Console.SetOut(stdout);
    var address = api.Urls.First();
    var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();

    var self = System.Reflection.Assembly.GetEntryAssembly()!.Location;
    var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { self, "worker", "--urls=http://127.0.0.1:0", "--Paddock:Workers:Concurrency=1" }.Concat(common)) info.ArgumentList.Add(a);
    worker = Process.Start(info)!;
    _ = worker.StandardOutput.ReadToEndAsync();
    _ = worker.StandardError.ReadToEndAsync();

    using var client = new HttpClient { BaseAddress = new Uri(address + "/") };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    var pickup = new List<double>();
    for (var i = 0; i < samples + 2; i++)
    {
        using var response = await client.PostAsync("api/ai/queue", new StringContent(
            """{"model":"happyhorse-1.0-t2v","prompt":"a horse on a beach","resolution":"720P","duration":3}""", Encoding.UTF8, "application/json"));
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["generations"]![0]!["generation_id"]!.GetValue<string>();
        while (true)
        {
            var row = JsonNode.Parse(await client.GetStringAsync($"api/ai/queue/{id}"))!;
            var status = row["status"]!.GetValue<string>();
            if (status is "succeeded" or "failed" or "cancelled")
            {
                if (status != "succeeded") throw new InvalidOperationException($"generation {id} ended {status}: {row["error_message"]}");
                break;
            }
            await Task.Delay(100);
        }
        var ms = await Scalar(connectionString, $"SELECT EXTRACT(EPOCH FROM started_at - enqueued_at) * 1000 FROM generations WHERE id = '{id}'");
        // The first two warm the worker up (its first claim waits for its backend's first health check).
        if (i >= 2) pickup.Add(ms);
        await Task.Delay(300); // the worker is idle again, waiting
    }
    await api.StopAsync();

    Console.WriteLine();
    Console.WriteLine($"### Enqueue → processing on an idle worker in another process, PostgreSQL ({DateTime.Now:yyyy-MM-dd})");
    Console.WriteLine();
    Console.WriteLine("| what | median ms | p90 ms | max ms | samples |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    Console.WriteLine(Row("baseline: INSERT + NOTIFY committed on one connection, heard on another", baseline));
    Console.WriteLine(Row("Paddock: `POST /api/ai/queue` on the API process → `started_at` set by the claim of an idle `paddock worker` process", pickup));
    return 0;
}
finally
{
    if (worker is { HasExited: false })
    {
        worker.Kill(entireProcessTree: true);
        await worker.WaitForExitAsync();
    }
    NpgsqlConnection.ClearAllPools();
    await Execute(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    try { Directory.Delete(dataDirectory, recursive: true); }
    catch (IOException) { }
}

static string Row(string name, List<double> values)
{
    var sorted = values.Order().ToList();
    return $"| {name} | {sorted[sorted.Count / 2]:0.0} | {sorted[(int)(sorted.Count * 0.9)]:0.0} | {sorted[^1]:0.0} | {sorted.Count} |";
}

static async Task Execute(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

static async Task<double> Scalar(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToDouble(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}
