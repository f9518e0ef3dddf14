// Enqueue -> processing on an idle worker in another process, on PostgreSQL: POST /api/ai/queue on an API process (this
// one), claimed by a `paddock worker` process (this program again, in its worker role) woken by LISTEN/NOTIFY. The figure
// is the row's own started_at - enqueued_at (one machine, one clock). Also commit -> SSE delivery on another process: the
// worker process writes each generation's started and completed events; an SSE client of this API process reads them,
// and the figure is the moment its line arrives less the event's created_at (taken by the worker's writer just before
// its round commits, so the commit itself is included). Baseline in the same run: a bare transaction that inserts a row
// and NOTIFYs, heard by a listening connection — the database's own commit-to-listener time.
//
//   dotnet run -c Release --project bench/PickupBench -- --postgres 'Host=127.0.0.1;Port=5432;Username=postgres' --samples 30

using System.Collections.Concurrent;
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

    // The SSE client, reading for the whole run: each event's id, type, data and the moment its blank line arrived.
    using var sseClient = new HttpClient { BaseAddress = client.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    sseClient.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
    using var sseStop = new CancellationTokenSource();
    var delivered = new ConcurrentQueue<(long Seq, string Type, string Data, DateTimeOffset ReceivedAt)>();
    using var sse = await sseClient.GetAsync("api/events", HttpCompletionOption.ResponseHeadersRead);
    sse.EnsureSuccessStatusCode();
    var sseReader = Task.Run(async () =>
    {
        using var reader = new StreamReader(await sse.Content.ReadAsStreamAsync());
        long? seq = null;
        string? type = null;
        var data = new StringBuilder();
        try
        {
            while (await reader.ReadLineAsync(sseStop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    var receivedAt = DateTimeOffset.UtcNow;
                    if (seq is { } s && type is not null) delivered.Enqueue((s, type, data.ToString(), receivedAt));
                    (seq, type) = (null, null);
                    data.Clear();
                }
                else if (line.StartsWith("id:", StringComparison.Ordinal)) seq = long.Parse(line[3..].Trim(), CultureInfo.InvariantCulture);
                else if (line.StartsWith("event:", StringComparison.Ordinal)) type = line[6..].Trim();
                else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(line[5..].Trim());
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { } // the API stopping ends the stream
    });

    var pickup = new List<double>();
    var measuredIds = new List<string>();
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
        if (i >= 2)
        {
            pickup.Add(ms);
            measuredIds.Add(id);
        }
        await Task.Delay(300); // the worker is idle again, waiting
    }
    await Task.Delay(1000); // the last completion's event reaches the stream
    await sseStop.CancelAsync();
    await sseReader;
    await api.StopAsync();
    await api.DisposeAsync(); // its listening connection closes before the database is dropped

    // Commit (by the worker process) -> delivered to the SSE client of this API process, for the measured generations.
    var sseDelivery = new List<double>();
    var written = delivered.Where(e => e.Type is "media_generation_started" or "media_generation_completed" && measuredIds.Any(id => e.Data.Contains(id, StringComparison.Ordinal))).ToList();
    foreach (var e in written)
    {
        var createdAt = await Scalar(connectionString, $"SELECT EXTRACT(EPOCH FROM created_at) * 1000 FROM events WHERE seq = {e.Seq}");
        sseDelivery.Add((e.ReceivedAt - DateTimeOffset.UnixEpoch).TotalMilliseconds - createdAt);
    }
    if (written.Count != measuredIds.Count * 2)
        throw new InvalidOperationException($"the SSE client received {written.Count} started/completed events for {measuredIds.Count} generations (expected two each)");

    Console.WriteLine();
    Console.WriteLine($"### Enqueue → processing on an idle worker, and commit → SSE on another process, PostgreSQL ({DateTime.Now:yyyy-MM-dd})");
    Console.WriteLine();
    Console.WriteLine("| what | median ms | p90 ms | p99 ms | max ms | samples |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    Console.WriteLine(Row("baseline: INSERT + NOTIFY committed on one connection, heard on another", baseline));
    Console.WriteLine(Row("Paddock: `POST /api/ai/queue` on the API process → `started_at` set by the claim of an idle `paddock worker` process", pickup));
    Console.WriteLine(Row("Paddock: an event committed by the worker process → its SSE line read by a client of the API process", sseDelivery));
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
    double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * q) - 1)];
    return $"| {name} | {At(0.5):0.0} | {At(0.9):0.0} | {At(0.99):0.0} | {sorted[^1]:0.0} | {sorted.Count} |";
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
