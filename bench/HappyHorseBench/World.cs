using System.Globalization;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Fakes.DashScope;
using Paddock.Server.Hosting;
using SkiaSharp;

namespace HappyHorseBench;

/// <summary>One job as measured: from just before its enqueue to the moment its success event reached the client, beside the fake's own times.</summary>
public sealed record JobResult(bool Succeeded, DateTimeOffset Enqueued, DateTimeOffset Done, DateTimeOffset? TaskSubmitted, DateTimeOffset? TaskEnded,
    DateTimeOffset? SeenEnded = null, DateTimeOffset? Downloading = null)
{
    /// <summary>The task ended → the query that saw it (the polling granularity).</summary>
    public TimeSpan Detect => SeenEnded is { } seen && TaskEnded is { } end ? seen - end : TimeSpan.Zero;
    /// <summary>The download began → the client heard success (download, ffprobe/ffmpeg conform, store, commit, event).</summary>
    public TimeSpan Finish => Downloading is { } start ? Done - start : TimeSpan.Zero;

    public TimeSpan Total => Done - Enqueued;
    public TimeSpan FakeTime => TaskEnded is { } end && TaskSubmitted is { } start ? end - start : TimeSpan.Zero;
    public TimeSpan Overhead => Total - FakeTime;
    /// <summary>Enqueue → the fake created the task (validation, queue, claim, references, create call).</summary>
    public TimeSpan Before => TaskSubmitted is { } start ? start - Enqueued : TimeSpan.Zero;
    /// <summary>The fake ended the task → the client heard success (poll granularity, download, conform, store, event).</summary>
    public TimeSpan After => TaskEnded is { } end ? Done - end : TimeSpan.Zero;
}

public sealed record BurstResult(string Name, int Concurrency, int QueriesPerSecond, IReadOnlyList<JobResult> Jobs, int MaxConcurrentAtFake, TimeSpan Makespan, TimeSpan Ideal);

/// <summary>The fake DashScope, an API key in an environment variable, and Paddock instances pointed at them.</summary>
public sealed class World : IAsyncDisposable
{
    private const string KeyVariable = "HAPPYHORSE_BENCH_DASHSCOPE_KEY";
    private readonly Options _options;
    private readonly FakeDashScope _fake;
    private readonly string _key;
    private readonly object _request;
    private readonly string[] _references;
    private readonly HttpClient _plain = new();

    private World(Options options, FakeDashScope fake, string key)
    {
        _options = options;
        _fake = fake;
        _key = key;
        string Png(SKColor color)
        {
            using var surface = SKSurface.Create(new SKImageInfo(800, 600));
            surface.Canvas.Clear(SKColors.Beige);
            using var paint = new SKPaint { Color = color, IsAntialias = true };
            surface.Canvas.DrawCircle(400, 260, 120, paint);
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 90);
            return "data:image/png;base64," + Convert.ToBase64String(data.ToArray());
        }
        _references = [Png(SKColors.OrangeRed), Png(SKColors.ForestGreen)];
        _request = new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 walks through the garden of Image 2, cinematic lighting.",
            reference_images = _references,
            aspect_ratio = "16:9",
            resolution = "720P",
            duration = 3,
        };
    }

    public static async Task<World> StartAsync(Options options)
    {
        var key = "sk-bench-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(KeyVariable, key);
        var fake = await FakeDashScope.StartAsync(new FakeDashScopeOptions
        {
            ApiKey = key,
            PendingTime = TimeSpan.FromSeconds(options.PendingTime),
            TaskTime = TimeSpan.FromSeconds(options.TaskTime),
        });
        return new World(options, fake, key);
    }

    /// <summary>One job end to end, discarded: the fake renders its result video once per size, and the JIT warms up.</summary>
    public async Task WarmUpAsync()
    {
        await using var paddock = await Instance.StartAsync(_fake, KeyVariable, 4, null);
        await RunJobAsync(paddock);
    }

    /// <summary>The baseline: a bare client creates the task, polls every 20 ms and downloads the video — the least any client can take.</summary>
    public async Task<IReadOnlyList<JobResult>> DirectClientAsync(int runs)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        var results = new List<JobResult>();
        for (var run = 0; run < runs; run++)
        {
            var start = DateTimeOffset.UtcNow;
            var body = new JsonObject
            {
                ["model"] = "happyhorse-1.0-r2v",
                ["input"] = new JsonObject { ["prompt"] = "[Image 1] walks.", ["media"] = new JsonArray(new JsonObject { ["type"] = "reference_image", ["url"] = _references[0] }) },
                ["parameters"] = new JsonObject { ["resolution"] = "720P", ["ratio"] = "16:9", ["duration"] = 3, ["watermark"] = false },
            };
            using var create = new HttpRequestMessage(HttpMethod.Post, _fake.ApiBaseUrl + "/services/aigc/video-generation/video-synthesis")
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            create.Headers.Add("X-DashScope-Async", "enable");
            using var created = await http.SendAsync(create);
            var taskId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["output"]!["task_id"]!.GetValue<string>();
            string? url = null;
            while (url is null)
            {
                var task = JsonNode.Parse(await http.GetStringAsync($"{_fake.ApiBaseUrl}/tasks/{taskId}"))!["output"]!;
                var status = task["task_status"]!.GetValue<string>();
                if (status == "SUCCEEDED") url = task["video_url"]!.GetValue<string>();
                else if (status is "FAILED" or "CANCELED" or "UNKNOWN") throw new InvalidOperationException($"direct task {taskId} ended {status}");
                else await Task.Delay(20);
            }
            var bytes = await _plain.GetByteArrayAsync(url);
            var done = DateTimeOffset.UtcNow;
            var snapshot = _fake.FindTask(taskId)!;
            results.Add(new JobResult(bytes.Length > 0, start, done, snapshot.SubmittedAt, snapshot.EndedAt));
        }
        return results;
    }

    /// <summary>Jobs one after another through a fresh Paddock.</summary>
    public async Task<IReadOnlyList<JobResult>> OneAtATimeAsync(int runs)
    {
        await using var paddock = await Instance.StartAsync(_fake, KeyVariable, 4, null);
        var results = new List<JobResult>();
        for (var run = 0; run < runs; run++) results.Add(await RunJobAsync(paddock));
        return results;
    }

    /// <summary><paramref name="jobs"/> enqueued at once through a fresh Paddock whose backend takes <paramref name="concurrency"/> at a time.</summary>
    public async Task<BurstResult> BurstAsync(int jobs, int concurrency, int? queriesPerSecond)
    {
        await using var paddock = await Instance.StartAsync(_fake, KeyVariable, concurrency, queriesPerSecond);
        var results = await Task.WhenAll(Enumerable.Range(0, jobs).Select(_ => RunJobAsync(paddock)));
        var tasks = results.Where(r => r.TaskSubmitted is not null).Select(r => (Start: r.TaskSubmitted!.Value, End: r.TaskEnded!.Value)).ToList();
        // The most tasks the fake held at one moment: the concurrency Paddock really used.
        var edges = tasks.SelectMany(t => new[] { (At: t.Start, Delta: 1), (At: t.End, Delta: -1) }).OrderBy(e => e.At).ThenBy(e => e.Delta);
        int open = 0, most = 0;
        foreach (var edge in edges) most = Math.Max(most, open += edge.Delta);
        var makespan = results.Max(r => r.Done) - results.Min(r => r.Enqueued);
        var waves = (int)Math.Ceiling(jobs / (double)concurrency);
        var ideal = waves * results.Max(r => r.FakeTime);
        var name = $"{jobs} at once, backend Concurrency={concurrency}, MaxQueriesPerSecond={queriesPerSecond?.ToString(CultureInfo.InvariantCulture) ?? "10 (default)"}";
        return new BurstResult(name, concurrency, queriesPerSecond ?? 10, results, most, makespan, ideal);
    }

    private async Task<JobResult> RunJobAsync(Instance paddock)
    {
        var start = DateTimeOffset.UtcNow;
        using var answer = await paddock.Client.PostAsJsonAsync("api/ai/queue", _request);
        if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"enqueue answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        var id = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["generations"]![0]!["generation_id"]!.GetValue<string>();
        var (succeeded, done) = await paddock.CompletionOf(id).WaitAsync(TimeSpan.FromMinutes(5));
        var row = JsonNode.Parse(await paddock.Client.GetStringAsync($"api/ai/queue/{id}"))!;
        var taskId = row["remote"]?["id"]?.GetValue<string>();
        var task = taskId is null ? null : _fake.FindTask(taskId);
        if (!succeeded) Console.Error.WriteLine($"generation {id} failed: {row["error_message"]}");
        // From the fake's request log: the first query after the task ended, and the download of its video.
        var seen = task?.EndedAt is { } ended ? _fake.Requests.Where("GET", $"/api/v1/tasks/{taskId}").Select(r => r.At).Where(at => at >= ended).DefaultIfEmpty().Min() : default;
        var download = taskId is null ? default : _fake.Requests.Where("GET", $"/results/{taskId}.mp4").Select(r => r.At).DefaultIfEmpty().Min();
        return new JobResult(succeeded, start, done, task?.SubmittedAt, task?.EndedAt, seen == default ? null : seen, download == default ? null : download);
    }

    public async ValueTask DisposeAsync()
    {
        _plain.Dispose();
        await _fake.DisposeAsync();
        Environment.SetEnvironmentVariable(KeyVariable, null);
    }

    /// <summary>A Paddock in this process on a fresh data directory, with its event stream read as it comes.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _data;
        private readonly ConcurrentDictionary<string, TaskCompletionSource<(bool, DateTimeOffset)>> _completions = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _events = Task.CompletedTask;

        private Instance(WebApplication app, string data, HttpClient client)
        {
            _app = app;
            _data = data;
            Client = client;
        }

        public HttpClient Client { get; }

        public Task<(bool, DateTimeOffset)> CompletionOf(string id) => _completions.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public static async Task<Instance> StartAsync(FakeDashScope fake, string keyVariable, int concurrency, int? queriesPerSecond)
        {
            var data = Path.Combine(Path.GetTempPath(), "paddock-hhbench-" + Guid.NewGuid().ToString("N"));
            var settings = new Dictionary<string, string>
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Paddock:DataDirectory"] = data,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Paddock:Backends:hh:Type"] = "happyhorse",
                ["Paddock:Backends:hh:BaseUrl"] = fake.ApiBaseUrl,
                ["Paddock:Backends:hh:ApiKeyVariable"] = keyVariable,
                ["Paddock:Backends:hh:Concurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
                ["Paddock:Catalog:Backends:happyhorse-1.0-r2v"] = "hh",
            };
            if (queriesPerSecond is { } qps) settings["Paddock:Backends:hh:MaxQueriesPerSecond"] = qps.ToString(CultureInfo.InvariantCulture);
            var app = PaddockApp.Build(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray());
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            var key = (await File.ReadAllTextAsync(Path.Combine(data, "first-api-key.txt"))).Trim();
            var client = new HttpClient { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var instance = new Instance(app, data, client);
            await instance.FollowEventsAsync();
            // The backend's first health check must be done before the clock starts: workers claim nothing until then.
            while (!(await client.GetStringAsync("api/health")).Contains("\"checked_at\":1", StringComparison.Ordinal)) await Task.Delay(20);
            return instance;
        }

        private async Task FollowEventsAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
            var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStreamAsync(_stop.Token);
            _events = Task.Run(async () =>
            {
                using var reader = new StreamReader(body);
                string? type = null;
                try
                {
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                        else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == "media_generation_completed")
                        {
                            var at = DateTimeOffset.UtcNow;
                            var data = JsonNode.Parse(line[6..])!;
                            var id = data["generation_id"]!.GetValue<string>();
                            _completions.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
                                .TrySetResult((data["status"]!.GetValue<string>() == "succeeded", at));
                        }
                        else if (line.Length == 0) type = null;
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
                finally { response.Dispose(); }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _events;
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        }
    }
}
