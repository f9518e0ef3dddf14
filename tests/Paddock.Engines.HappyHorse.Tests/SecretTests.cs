using System.Text.Json.Nodes;
using Paddock.Engines.HappyHorse.Tests.Support;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>The provider key is a secret: it is in no log line, row, event, answer or error, whatever happens.</summary>
public sealed class SecretTests
{
    private static readonly Dictionary<string, string> EveryLogLine = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
    };

    [Fact]
    public async Task The_key_is_in_no_log_line_row_event_or_answer_through_success_refusal_cancel_and_failure()
    {
        await using var rig = await Rig.StartAsync(o => o.RefuseWord = "forbidden");
        var paddock = await rig.StartPaddockAsync(EveryLogLine);
        var answers = new List<string>();

        var succeeded = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 walks with Image 2.",
            reference_images = new[] { rig.Reference("fox", SKColors.OrangeRed), rig.Reference("owl", SKColors.SaddleBrown) },
            aspect_ratio = "4:3",
            resolution = "720P",
            duration = 3,
        });
        var refused = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A forbidden dance.", resolution = "720P", duration = 3 });
        answers.Add((await Wire.PostAsync(paddock.Client, "api/ai/videos/generate", new { model = "happyhorse-1.0-t2v", prompt = "A quiet lake.", resolution = "720P", duration = 3 })).Body);
        answers.Add((await Wire.PostAsync(paddock.Client, "api/ai/videos/generate", new { model = "happyhorse-1.0-t2v", prompt = "Forbidden fruit.", resolution = "720P", duration = 3 })).Body);
        var cancelled = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A slow sunrise.", resolution = "720P", duration = 3 });
        await Wire.WaitForAsync(paddock.Client, cancelled, r => r["remote"]?["id"] is not null || Wire.Status(r) != "queued" && Wire.Status(r) != "processing");
        using (var cancel = await paddock.Client.DeleteAsync($"api/ai/queue/{cancelled}")) answers.Add(await cancel.Content.ReadAsStringAsync());

        foreach (var id in new[] { succeeded, refused })
            await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");
        await Wire.WaitForAsync(paddock.Client, cancelled, r => r["remote"]?["cancel"]?.GetValue<string>() is "cancelled" or "refused");

        // Everything a client can read...
        foreach (var id in new[] { succeeded, refused, cancelled }) answers.Add((await Api.GetRowAsync(paddock.Client, id)).ToJsonString());
        answers.Add(await paddock.Client.GetStringAsync("api/ai/generations?page_size=100"));
        answers.Add(await paddock.Client.GetStringAsync("api/ai/queue"));
        answers.Add(await paddock.Client.GetStringAsync("api/health"));
        answers.Add(await paddock.Client.GetStringAsync("api/ai/models/happyhorse-1.0-r2v"));
        answers.Add(await paddock.Client.GetStringAsync("api/ai/models"));
        await using (var events = await SseReader.OpenAsync(paddock.Client, lastEventId: 0))
        {
            while (await events.NextAsync(TimeSpan.FromSeconds(2)) is { } e) answers.Add($"{e.Type} {e.Data}");
        }

        // ...and everything the server wrote to its log, at every level.
        var logs = rig.Logs.Lines;
        Assert.Contains(logs, l => l.Contains("created task", StringComparison.Ordinal)); // the capture saw the engine at work
        Assert.Contains(answers, a => a.Contains("Input data may contain inappropriate content.", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains(rig.ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(answers, a => a.Contains(rig.ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.EnumerateFiles(paddock.DataDirectory, "*.db*").Select(File.ReadAllBytes),
            bytes => System.Text.Encoding.UTF8.GetString(bytes).Contains(rig.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_the_provider_refuses_makes_the_backend_unavailable_naming_its_variable_never_its_value()
    {
        await using var rig = await Rig.StartAsync();
        var wrong = "sk-wrong-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(rig.KeyVariable, wrong);
        var paddock = await rig.StartPaddockAsync(EveryLogLine);

        var backend = await Wire.WaitForBackendAsync(paddock.Client, Rig.Backend, "unavailable");
        var health = await paddock.Client.GetStringAsync("api/health");
        var problem = backend["problem"]!.GetValue<string>();
        Assert.Contains(rig.KeyVariable, problem, StringComparison.Ordinal);
        Assert.Contains($"Paddock:Backends:{Rig.Backend}:ApiKeyVariable", problem, StringComparison.Ordinal);
        Assert.Contains("InvalidApiKey", problem, StringComparison.Ordinal);

        var (status, body) = await Wire.PostAsync(paddock.Client, "api/ai/videos/generate", new { model = "happyhorse-1.0-t2v", prompt = "A quiet lake.", resolution = "720P", duration = 3 });
        Assert.Equal(503, status);
        Assert.Contains(rig.KeyVariable, body, StringComparison.Ordinal);
        var id = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A quiet lake.", resolution = "720P", duration = 3 });
        var row = (await Api.GetRowAsync(paddock.Client, id)).ToJsonString();
        Assert.Contains(rig.KeyVariable, row, StringComparison.Ordinal);

        foreach (var text in rig.Logs.Lines.Concat([health, body, row]))
            Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
    }
}
