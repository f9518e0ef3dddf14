// Throughput of a comfyui backend against the size of its pool: the same jobs (Phantom-Wan, one reference, 3 s) through
// a real Paddock whose backend pools 1, 2 and 4 fake ComfyUI servers with a fixed task time. Each server runs one
// prompt at a time, as a GPU does, so the time a job spends on a server is fixed: jobs/min should grow with the pool.
// The 1-server pool is the baseline, measured in the same run; "ideal" is jobs × task time / servers.
//
//   dotnet run -c Release --project bench/ComfyPoolBench -- --jobs 20 --task-time 3 --pools 1,2,4
//
// Checks as it goes: every job succeeds, and the servers together were sent exactly one prompt per job.

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Fakes.ComfyUI;
using Paddock.Server.Hosting;
using SkiaSharp;

var jobs = 20;
var taskTime = 3.0;
int[] pools = [1, 2, 4];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--jobs" when i + 1 < args.Length: jobs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--task-time" when i + 1 < args.Length: taskTime = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--pools" when i + 1 < args.Length: pools = args[++i].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray(); break;
        default: throw new ArgumentException($"unknown argument {args[i]}; usage: [--jobs N] [--task-time SECONDS] [--pools 1,2,4]");
    }
}

var reference = "data:image/png;base64," + Convert.ToBase64String(Draw());
var results = new List<(int Servers, double Seconds, IReadOnlyList<int> PerServer)>();
foreach (var servers in pools)
{
    Console.WriteLine($"{servers} server(s): {jobs} jobs, task time {taskTime} s ...");
    results.Add(await RunAsync(servers));
    Console.WriteLine($"  {results[^1].Seconds:0.0} s, {jobs / results[^1].Seconds * 60:0.0} jobs/min, prompts per server {string.Join("/", results[^1].PerServer)}");
}

var baseline = results[0];
Console.WriteLine();
Console.WriteLine($"### {jobs} jobs over a pool of fake ComfyUI servers, task time {taskTime} s ({DateTime.UtcNow:yyyy-MM-dd})");
Console.WriteLine();
Console.WriteLine($"`dotnet run -c Release --project bench/ComfyPoolBench -- --jobs {jobs} --task-time {taskTime.ToString(CultureInfo.InvariantCulture)} --pools {string.Join(",", pools)}`");
Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; load average at the end {LoadAverage()}.");
Console.WriteLine();
Console.WriteLine("| servers | wall time | jobs/min | ratio to 1 server | ideal (jobs × task time / servers) | a server's time per job | prompts per server |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|");
foreach (var (servers, seconds, perServer) in results)
{
    var ideal = jobs * taskTime / servers;
    // What each job held its server's worker for: the task time plus uploads, fetching, the fake's ffmpeg and Paddock's conforming.
    var perJob = seconds * servers / jobs;
    Console.WriteLine($"| {servers} | {seconds:0.0} s | {jobs / seconds * 60:0.0} | {baseline.Seconds / seconds:0.00} | {ideal:0.0} s | {perJob:0.0} s | {string.Join(" / ", perServer)} |");
}

async Task<(int, double, IReadOnlyList<int>)> RunAsync(int servers)
{
    var fakes = new List<FakeComfyUI>();
    for (var i = 0; i < servers; i++) fakes.Add(await FakeComfyUI.StartAsync(new FakeComfyUIOptions { TaskTime = TimeSpan.FromSeconds(taskTime), Steps = 10 }));
    var data = Directory.CreateTempSubdirectory("comfy-pool-bench-").FullName;
    var settings = new Dictionary<string, string>
    {
        ["urls"] = "http://127.0.0.1:0",
        ["Paddock:DataDirectory"] = data,
        ["Paddock:Backends:comfyui:Type"] = "comfyui",
        ["Paddock:Catalog:Directory"] = Path.Combine(AppContext.BaseDirectory, "ComfyUI", "Models"),
        ["Paddock:Media:Preset"] = "ultrafast",
        ["Logging:LogLevel:Default"] = "Warning",
    };
    for (var i = 0; i < servers; i++) settings[$"Paddock:Backends:comfyui:Members:{i}"] = fakes[i].BaseUri.ToString();
    var app = PaddockApp.Build(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray());
    try
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(data, "first-api-key.txt"))).Trim());
        await WaitUntilCheckedAsync(client);

        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        for (var j = 0; j < jobs; j++)
        {
            using var answer = await client.PostAsJsonAsync("api/ai/queue", new
            {
                model = "phantom-wan-r2v", prompt = $"Image 1 dances, take {j}", reference_images = new[] { reference }, duration = 3, seed = j,
            });
            answer.EnsureSuccessStatusCode();
            ids.Add((await answer.Content.ReadFromJsonAsync<JsonNode>())!["generations"]![0]!["generation_id"]!.GetValue<string>());
        }
        var pending = new HashSet<string>(ids);
        while (pending.Count > 0)
        {
            await Task.Delay(100);
            foreach (var id in pending.ToList())
            {
                var row = (await client.GetFromJsonAsync<JsonNode>($"api/ai/queue/{id}"))!;
                var status = row["status"]!.GetValue<string>();
                if (status == "succeeded") pending.Remove(id);
                else if (status is "failed" or "cancelled") throw new InvalidOperationException($"job {id} ended {status}: {row["error_message"]}");
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var perServer = fakes.Select(f => f.Log.QueuedPrompts.Count).ToList();
        if (perServer.Sum() != jobs) throw new InvalidOperationException($"the servers were sent {perServer.Sum()} prompts for {jobs} jobs");
        return (servers, seconds, perServer);
    }
    finally
    {
        await app.StopAsync();
        await app.DisposeAsync();
        foreach (var fake in fakes) await fake.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }
}

static async Task WaitUntilCheckedAsync(HttpClient client)
{
    while ((await client.GetFromJsonAsync<JsonNode>("api/health"))!["backends"]!.AsArray().Any(b => b!["checked_at"] is null))
        await Task.Delay(50);
}

static string LoadAverage()
{
    try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
    catch (IOException) { return "unknown"; }
}

// A 640×480 reference: a figure on a plain ground, like a product shot.
static byte[] Draw()
{
    using var surface = SKSurface.Create(new SKImageInfo(640, 480));
    surface.Canvas.Clear(SKColors.White);
    using var paint = new SKPaint { Color = SKColors.OrangeRed, IsAntialias = true };
    surface.Canvas.DrawCircle(320, 190, 100, paint);
    surface.Canvas.DrawRect(220, 270, 200, 150, paint);
    using var image = surface.Snapshot();
    using var data = image.Encode(SKEncodedImageFormat.Png, 90);
    return data.ToArray();
}
