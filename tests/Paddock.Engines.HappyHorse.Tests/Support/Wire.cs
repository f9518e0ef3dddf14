using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Paddock.Server.Tests.Support;

namespace Paddock.Engines.HappyHorse.Tests.Support;

/// <summary>What a user of the public API does and sees, in the few shapes these tests need.</summary>
public static class Wire
{
    public static async Task<string> EnqueueAsync(HttpClient client, object request) => (await Api.EnqueueAsync(client, request)).Single();

    /// <summary>The row once it reached <paramref name="status"/> (or any terminal one), polled like a client would.</summary>
    public static async Task<JsonNode> WaitForAsync(HttpClient client, string id, Func<JsonNode, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var row = await Api.GetRowAsync(client, id);
            if (done(row)) return row;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"generation {id} never got there; last row: {row.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    /// <summary>The backend as <c>/api/health</c> shows it once its state is <paramref name="state"/> (the first check runs just after start).</summary>
    public static async Task<JsonNode> WaitForBackendAsync(HttpClient client, string name, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var backend = JsonNode.Parse(await client.GetStringAsync("api/health"))!["backends"]!.AsArray().Single(b => b!["name"]!.GetValue<string>() == name)!;
            if (backend["state"]!.GetValue<string>() == state && backend["checked_at"] is not null) return backend;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"backend {name} is not {state}: {backend.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public static string Status(JsonNode row) => row["status"]!.GetValue<string>();

    /// <summary>Downloads the result and reads it with ffprobe: the facts a player relies on, and whether it has sound.</summary>
    public static async Task<(VideoFacts Video, bool HasAudio)> DownloadAndProbeAsync(JsonNode row)
    {
        var path = Path.Combine(Path.GetTempPath(), $"paddock-hh-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, await Api.DownloadAsync(row["result_url"]!.GetValue<string>()));
            var video = await Ffprobe.InspectAsync(path);
            var audio = await Processes.RunAsync("ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries", "stream=codec_type", "-of", "csv=p=0", path]);
            return (video, audio.Stdout.Contains("audio", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static async Task<(int Status, string Body)> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
