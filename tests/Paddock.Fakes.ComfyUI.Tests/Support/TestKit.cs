using System.Text.Json.Nodes;
using Paddock.Fakes.ComfyUI.Logging;

namespace Paddock.Fakes.ComfyUI.Tests.Support;

/// <summary>Small helpers shared by the tests.</summary>
public static class TestKit
{
    /// <summary>Uploads <paramref name="count"/> distinct reference images and answers the names the server gave them.</summary>
    public static async Task<List<string>> UploadReferencesAsync(ComfyHttp http, int count)
    {
        string[] colours = ["orange", "brown", "navy", "teal", "olive"];
        var names = new List<string>();
        for (var i = 0; i < count; i++)
            names.Add((await http.UploadAsync(await TestMedia.PngAsync(colours[i]), $"ref-{colours[i]}.png"))["name"]!.GetValue<string>());
        return names;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public static string NewPromptId() => Guid.NewGuid().ToString("D");

    public static IEnumerable<string> Types(this IEnumerable<WsMessage> messages) => messages.Where(m => m.Binary is null).Select(m => m.Type!);

    public static int Count<T>(this FakeComfyUILog log, Func<T, bool> match) where T : LogEntry => log.Entries.OfType<T>().Count(match);

    public static JsonArray Messages(this JsonObject historyEntry) => historyEntry["status"]!["messages"]!.AsArray();
}
