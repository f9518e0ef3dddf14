// Reads on a long queue: GET /api/ai/queue/{id} of a queued row and list pages (/api/ai/generations first page and a keyset
// page halfway down, /api/ai/queue first page) at 1k, 100k and 1M queued rows, against a raw Kestrel endpoint answering a
// JSON body of the same size, with the same in-process load generator as EnqueueBench.
//
//   dotnet run -c Release --project bench/ReadBench -- --rows 1000,100000,1000000 --connections 32 --seconds 5 --warmup 2

using System.Text.Json;
using Paddock.Bench;
using ReadBench;

Report.UseInvariantCulture();
Arguments arguments;
try
{
    arguments = new Arguments(args, switches: [], options: ["--rows", "--connections", "--seconds", "--warmup", "--data-root"]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("usage: ReadBench [--rows 1000,100000,1000000] [--connections N] [--seconds S] [--warmup S] [--data-root DIR]");
    return 2;
}
IReadOnlyList<int> rowCounts;
int connections, seconds, warmup;
try
{
    rowCounts = arguments.Ints("--rows", [1_000, 100_000, 1_000_000], 10, 10_000_000);
    connections = arguments.Int("--connections", 32, 1, 1000);
    seconds = arguments.Int("--seconds", 5, 1, 3600);
    warmup = arguments.Int("--warmup", 2, 0, 3600);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
var dataRoot = arguments.Text("--data-root") ?? Path.GetTempPath();
var settings = $"{connections} connections, {warmup} s warmup, {seconds} s measured, one run of each read per size, raw then Paddock";
var load = new LoadGenerator(connections, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
Console.WriteLine($"ReadBench: rows {string.Join(", ", rowCounts.Select(r => r.ToString("N0")))}; {settings}");
Console.WriteLine(Report.Machine());
Console.WriteLine();

var results = new List<(int Rows, string Read, int Bytes, RunResult Raw, RunResult Paddock)>();
var fills = new List<(int Rows, TimeSpan Time)>();
try
{
    foreach (var rows in rowCounts)
    {
        var filled = await QueueFill.CreateAsync(dataRoot, rows);
        fills.Add((rows, filled.FillTime));
        Console.WriteLine($"{rows:N0} queued rows: filled in {filled.FillTime.TotalSeconds:0.0} s");
        await using var paddock = await PaddockTarget.StartOnAsync(filled.DataDirectory, "paddock", settings: null, checkRows: false);
        using var http = new HttpClient { BaseAddress = paddock.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", paddock.ApiKey);

        // Each read, with a check that it answers what a user asked for at this size.
        var reads = new (string Name, string Path, Func<JsonElement, string?> Check)[]
        {
            ("`GET /api/ai/queue/{id}`, newest queued row", $"api/ai/queue/{filled.NewestId}",
                r => Position(r) == rows ? null : $"progress.queue_position {Position(r)}, expected {rows}"),
            ("`GET /api/ai/generations`, first page (50)", "api/ai/generations",
                r => r.GetProperty("total_entries").GetInt64() == rows && r.GetProperty("generations").GetArrayLength() == 50 ? null : $"total_entries {r.GetProperty("total_entries")}, expected {rows}"),
            ("`GET /api/ai/generations?after=…`, keyset page halfway down (50)", $"api/ai/generations?after={filled.MiddleCursor}",
                r => r.GetProperty("generations")[0].GetProperty("generation_id").GetString() == filled.RowAfterMiddleId ? null : "the keyset page does not start after the middle row"),
            ("`GET /api/ai/queue`, first page (100, with positions)", "api/ai/queue",
                r => r.GetProperty("generations").GetArrayLength() == 100 && Position(r.GetProperty("generations")[0]) == rows ? null : "the active list's first row is not the newest at position N"),
        };

        var bodies = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < reads.Length; i++)
        {
            using var answer = await http.GetAsync(reads[i].Path);
            var text = await answer.Content.ReadAsStringAsync();
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"{reads[i].Path} answered {(int)answer.StatusCode}: {Report.Shorten(text)}");
            using var document = JsonDocument.Parse(text);
            if (reads[i].Check(document.RootElement) is { } problem) throw new InvalidOperationException($"{rows:N0} rows, {reads[i].Path}: {problem}");
            bodies[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = text;
        }

        await using var raw = await RawJsonTarget.StartAsync(bodies);
        for (var i = 0; i < reads.Length; i++)
        {
            var rawRun = await load.RunAsync(raw, BenchRequest.Get($"raw/{i}"));
            var paddockRun = await load.RunAsync(paddock, BenchRequest.Get(reads[i].Path));
            var bytes = System.Text.Encoding.UTF8.GetByteCount(bodies[i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            results.Add((rows, reads[i].Name, bytes, rawRun, paddockRun));
            Console.WriteLine($"{rows,9:N0} rows  {reads[i].Name}  ({bytes:N0} B)");
            Console.WriteLine($"    raw     {rawRun.RequestsPerSecond,9:N0} req/s  p50 {rawRun.P50Ms,7:0.00} ms  p99 {rawRun.P99Ms,7:0.00} ms  CPU {rawRun.CpuMsPerRequest,6:0.000} ms/req  errors {rawRun.Errors}");
            Console.WriteLine($"    paddock {paddockRun.RequestsPerSecond,9:N0} req/s  p50 {paddockRun.P50Ms,7:0.00} ms  p99 {paddockRun.P99Ms,7:0.00} ms  CPU {paddockRun.CpuMsPerRequest,6:0.000} ms/req  errors {paddockRun.Errors}  " +
                              $"ratio {paddockRun.RequestsPerSecond / rawRun.RequestsPerSecond:0.00}, CPU raw/Paddock {rawRun.CpuMsPerRequest / paddockRun.CpuMsPerRequest:0.00}");
            if (!rawRun.Clean || !paddockRun.Clean) Console.WriteLine($"    RUN HAD ERRORS; first: {rawRun.FirstError ?? paddockRun.FirstError}");
        }
    }
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"benchmark aborted: {e.Message}");
    return 1;
}

Console.WriteLine();
Console.WriteLine(Report.MarkdownMarker);
Console.WriteLine();
Console.WriteLine($"### Reads on a long queue against a raw Kestrel JSON endpoint ({DateTime.Now:yyyy-MM-dd HH:mm})");
Console.WriteLine();
Console.WriteLine($"Machine: {Report.Machine()} (at the end of the run).  ");
Console.WriteLine($"Settings: {settings}. Paddock: `PaddockApp.Build` in the benchmark's process (SQLite, API only) on a data directory " +
                  "holding N queued rows of the seed request (one enqueued through the API, copied N − 1 times by one SQL statement with the " +
                  "server stopped; fill times: " + string.Join(", ", fills.Select(f => $"{f.Rows:N0} in {f.Time.TotalSeconds:0.0} s")) + "). " +
                  "Raw: a slim Kestrel `GET` answering Paddock's own answer to the same read, parsed once and serialized per request. " +
                  "Each answer was checked first (the newest row's `queue_position` is N, `total_entries` is N, the keyset page starts after its cursor).");
Console.WriteLine();
Console.WriteLine("| queued rows | read | body | raw req/s | raw p50 / p99 ms | raw CPU ms/req | Paddock req/s | Paddock p50 / p99 ms | Paddock CPU ms/req | ratio | CPU ratio (raw/Paddock) |");
Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var r in results)
{
    Console.WriteLine($"| {r.Rows:N0} | {r.Read} | {r.Bytes / 1024.0:0.0} KB | {r.Raw.RequestsPerSecond:N0} | {r.Raw.P50Ms:0.00} / {r.Raw.P99Ms:0.00} | {r.Raw.CpuMsPerRequest:0.000} | " +
                      $"{r.Paddock.RequestsPerSecond:N0} | {r.Paddock.P50Ms:0.00} / {r.Paddock.P99Ms:0.00} | {r.Paddock.CpuMsPerRequest:0.000} | **{r.Paddock.RequestsPerSecond / r.Raw.RequestsPerSecond:0.00}** | " +
                      $"{r.Raw.CpuMsPerRequest / r.Paddock.CpuMsPerRequest:0.00} |");
}
Console.WriteLine();
if (rowCounts.Count > 1)
{
    var smallest = rowCounts.Min();
    var largest = rowCounts.Max();
    foreach (var read in results.Select(r => r.Read).Distinct())
    {
        var small = results.First(r => r.Read == read && r.Rows == smallest).Paddock;
        var large = results.First(r => r.Read == read && r.Rows == largest).Paddock;
        Console.WriteLine($"{read}: Paddock p50 at {largest:N0} rows / at {smallest:N0} rows = **{large.P50Ms / small.P50Ms:0.00}**.  ");
    }
}
Console.WriteLine("Targets (issue 15): at 100k and 1M queued rows at least 0.5 of the raw rate; p50 flat within 1.5× from 1k to 1M rows.");
var clean = results.All(r => r.Raw.Clean && r.Paddock.Clean);
if (!clean) Console.WriteLine("**Some runs had errors: these numbers are not valid.**");
return clean ? 0 : 1;

static long? Position(JsonElement row) =>
    row.GetProperty("progress").GetProperty("queue_position") is { ValueKind: JsonValueKind.Number } p ? p.GetInt64() : null;
