using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI;
using SkiaSharp;

namespace Paddock.Engines.ComfyUI.Tests.Support;

/// <summary>
/// Fake ComfyUI servers (in process, on real sockets), a real Paddock on Kestrel whose <c>comfyui</c> backend pools
/// them, the shipped catalog documents, and a web server holding reference images: what a user trying the engine
/// offline would run.
/// </summary>
public sealed class ComfyRig : IAsyncDisposable
{
    public const string Vace = "wan2.1-vace-r2v";
    public const string Phantom = "phantom-wan-r2v";

    private ComfyRig(List<FakeComfyUI> fakes, PaddockHost host, ImageHost images)
    {
        Fakes = fakes;
        Host = host;
        Images = images;
    }

    public IReadOnlyList<FakeComfyUI> Fakes { get; }
    public FakeComfyUI Fake => Fakes[0];
    public PaddockHost Host { get; }
    public ImageHost Images { get; }
    public HttpClient Client => Host.Client;

    /// <summary>The shipped catalog documents (src/Paddock.Engines.ComfyUI/Models), copied beside the tests.</summary>
    public static string CatalogDirectory => Path.Combine(AppContext.BaseDirectory, "ComfyUI", "Models");

    /// <summary>Fast fakes: a one-second task in four sampler steps.</summary>
    public static FakeComfyUIOptions FastFake() => new() { TaskTime = TimeSpan.FromSeconds(1), Steps = 4 };

    /// <summary>The settings of a deployment whose backend 'comfyui' pools <paramref name="members"/>, with short waits for tests.</summary>
    public static Dictionary<string, string> Settings(IEnumerable<Uri> members, IDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Paddock:Backends:comfyui:Type"] = "comfyui",
            ["Paddock:Backends:comfyui:PollInterval"] = "00:00:00.200",
            ["Paddock:Backends:comfyui:HealthCheckInterval"] = "00:00:01",
            ["Paddock:Catalog:Directory"] = CatalogDirectory,
            ["Paddock:Media:Preset"] = "ultrafast",
        };
        var i = 0;
        foreach (var member in members) settings[$"Paddock:Backends:comfyui:Members:{i++}"] = member.ToString();
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        return settings;
    }

    public static async Task<ComfyRig> StartAsync(int servers = 1, Action<FakeComfyUIOptions>? configure = null, IDictionary<string, string>? settings = null)
    {
        var fakes = new List<FakeComfyUI>();
        for (var i = 0; i < servers; i++)
        {
            var options = FastFake();
            configure?.Invoke(options);
            fakes.Add(await FakeComfyUI.StartAsync(options));
        }
        var images = await ImageHost.StartAsync();
        var host = await PaddockHost.StartAsync(Settings(fakes.Select(f => f.BaseUri), settings));
        var rig = new ComfyRig(fakes, host, images);
        await rig.WaitForFirstHealthCheckAsync();
        return rig;
    }

    /// <summary>Until the backend's first check ends, its models count as available (nothing is known against them yet).</summary>
    private async Task WaitForFirstHealthCheckAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await GetJsonAsync("api/health"))["backends"]!.AsArray().Single(b => b!["name"]!.GetValue<string>() == "comfyui")!["checked_at"] is null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the comfyui backend was never checked");
            await Task.Delay(50);
        }
    }

    /// <summary>Distinct reference images (a figure on a plain ground, 640×480) on the image host.</summary>
    public List<string> References(int count) => Enumerable.Range(1, count)
        .Select(i => Images.Add($"/ref-{i}.png", TestImages.Png(640, 480, SKColor.FromHsl(i * 67 % 360, 70, 45), SKColors.White)))
        .ToList();

    public async Task<(int Status, JsonNode? Body)> PostAsync(string path, object body)
    {
        using var response = await Client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    public async Task<string> EnqueueAsync(object body)
    {
        var (status, json) = await PostAsync("api/ai/queue", body);
        Assert.True(status == 200, $"enqueue answered {status}: {json}");
        return json!["generations"]![0]!["generation_id"]!.GetValue<string>();
    }

    public Task<JsonNode> RowAsync(string id) => Rows.GetAsync(Client, id);

    public Task<JsonNode> WaitTerminalAsync(string id, TimeSpan? timeout = null) => Rows.WaitTerminalAsync(Client, id, timeout);

    public Task<JsonNode> WaitForAsync(string id, Func<JsonNode, bool> condition, string what, TimeSpan? timeout = null) =>
        Rows.WaitForAsync(Client, id, condition, what, timeout);

    /// <summary>Downloads a succeeded row's video and reads it with ffprobe.</summary>
    public static async Task<VideoFacts> ProbeOutputAsync(JsonNode row)
    {
        Assert.Equal("succeeded", row["status"]!.GetValue<string>());
        var path = Path.Combine(Path.GetTempPath(), $"comfy-output-{Guid.NewGuid():N}.mp4");
        try
        {
            using var plain = new HttpClient();
            await File.WriteAllBytesAsync(path, await plain.GetByteArrayAsync(row["result_url"]!.GetValue<string>()));
            return await Ffprobe.InspectAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The events of one generation, replayed from the start of the log until its completion.</summary>
    public Task<List<(string Type, JsonObject Data)>> EventsOfAsync(string id) => Events.ReplayAsync(Client, id);

    public async Task<JsonNode> GetJsonAsync(string path) => (await Client.GetFromJsonAsync<JsonNode>(path))!;

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Images.DisposeAsync();
        foreach (var fake in Fakes) await fake.DisposeAsync();
    }
}

/// <summary>Rows of the queue, read through the public API.</summary>
public static class Rows
{
    public static async Task<JsonNode> GetAsync(HttpClient client, string id) => (await client.GetFromJsonAsync<JsonNode>($"api/ai/queue/{id}"))!;

    public static Task<JsonNode> WaitTerminalAsync(HttpClient client, string id, TimeSpan? timeout = null) =>
        WaitForAsync(client, id, row => row["status"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled", "a terminal status", timeout);

    public static async Task<JsonNode> WaitForAsync(HttpClient client, string id, Func<JsonNode, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            JsonNode? row = null;
            try
            {
                row = await GetAsync(client, id);
                if (condition(row)) return row;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // a server process restarting
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"generation {id} never reached {what}; last: {row?.ToJsonString()}");
            await Task.Delay(100);
        }
    }
}

/// <summary>The event stream, read raw (<c>Last-Event-ID: 0</c> replays the durable log).</summary>
public static class Events
{
    public static async Task<List<(string Type, JsonObject Data)>> ReplayAsync(HttpClient client, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
        request.Headers.Add("Last-Event-ID", "0");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<(string, JsonObject)>();
        string? type = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type is not null && JsonNode.Parse(line[6..]) is JsonObject data
                     && data["generation_id"]?.ToString() == id)
            {
                events.Add((type, data));
                if (type == "media_generation_completed") return events;
            }
        }
        throw new InvalidOperationException($"the event stream ended before generation {id} completed");
    }

    public static string Describe(IEnumerable<(string Type, JsonObject Data)> events) =>
        string.Join(", ", events.Select(e => e.Type == "media_generation_progress"
            ? $"{e.Data["phase"]} {((int?)e.Data["percent"] ?? 0).ToString(CultureInfo.InvariantCulture)}%"
            : e.Type));
}
