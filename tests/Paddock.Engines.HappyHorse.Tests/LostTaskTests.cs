using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Tasks;
using Paddock.Engines.HappyHorse.Tests.Support;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>
/// An attempt that finds only the note "a create was about to be sent" (its process died before the answer was
/// recorded) must not create a second paid task: it adopts the one task the provider made then, or fails saying why.
/// Driven on the engine itself with the row's callbacks, against the fake's real task list.
/// </summary>
public sealed class LostTaskTests
{
    private const string Model = "happyhorse-1.0-t2v";
    private const string Prompt = "A paper city at night.";
    private const string CreatePath = "/api/v1/services/aigc/video-generation/video-synthesis";

    [Fact]
    public async Task The_one_task_created_in_the_window_is_adopted_and_finished_without_a_new_create()
    {
        await using var rig = await Rig.StartAsync();
        var intent = TaskCheckpoint.Intent(Rig.Backend, Model, DateTimeOffset.UtcNow);
        var lost = await CreateDirectlyAsync(rig, Model, Prompt);
        var (result, checkpoints) = await RenderAsync(rig, intent);

        Assert.Null(result);
        Assert.Equal(lost, Assert.Single(checkpoints).Id);
        Assert.Single(rig.Fake.Requests.Where("POST", CreatePath));
        Assert.Single(rig.Fake.Requests.Where("GET", "/api/v1/tasks"), r => r.Query.Contains("model_name=" + Model, StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_task_or_two_tasks_in_the_window_fail_the_attempt_instead_of_paying_twice()
    {
        await using var rig = await Rig.StartAsync();
        var intent = TaskCheckpoint.Intent(Rig.Backend, Model, DateTimeOffset.UtcNow);
        var (none, _) = await RenderAsync(rig, intent);
        Assert.Equal(FailureKind.EngineError, none!.Kind);
        Assert.Contains("may have created a task", none.Message, StringComparison.Ordinal);
        Assert.Contains("to avoid paying twice", none.Message, StringComparison.Ordinal);

        var first = await CreateDirectlyAsync(rig, Model, Prompt);
        var second = await CreateDirectlyAsync(rig, Model, Prompt);
        await CreateDirectlyAsync(rig, "happyhorse-1.1-t2v", Prompt); // another model's task is no candidate
        var (two, checkpoints) = await RenderAsync(rig, intent);
        Assert.Contains("2 unclaimed", two!.Message, StringComparison.Ordinal);
        Assert.Contains(first, two.Message, StringComparison.Ordinal);
        Assert.Contains(second, two.Message, StringComparison.Ordinal);
        Assert.Empty(checkpoints);
        Assert.Equal(3, rig.Fake.Requests.Where("POST", CreatePath).Count); // only the three this test made
    }

    [Fact]
    public async Task Tasks_other_generations_own_or_finished_with_another_prompt_are_ruled_out()
    {
        await using var rig = await Rig.StartAsync(o => o.TaskTime = TimeSpan.FromMilliseconds(400));
        var intent = TaskCheckpoint.Intent(Rig.Backend, Model, DateTimeOffset.UtcNow);
        var owned = await CreateDirectlyAsync(rig, Model, Prompt);
        var otherPrompt = await CreateDirectlyAsync(rig, Model, "A different prompt.");
        while (rig.Fake.FindTask(otherPrompt)!.Status != "SUCCEEDED") await Task.Delay(50);
        var mine = await CreateDirectlyAsync(rig, Model, Prompt);

        var (result, checkpoints) = await RenderAsync(rig, intent, ownedElsewhere: [owned]);
        Assert.Null(result);
        Assert.Equal(mine, Assert.Single(checkpoints).Id);
    }

    [Fact]
    public async Task A_create_that_was_answered_with_an_error_is_sent_again()
    {
        await using var rig = await Rig.StartAsync();
        var (result, checkpoints) = await RenderAsync(rig, TaskCheckpoint.NoTask(Rig.Backend, Model, DateTimeOffset.UtcNow));
        Assert.Null(result);
        var created = Assert.Single(rig.Fake.Tasks);
        Assert.Equal([null, created.TaskId], checkpoints.Select(c => c.Id)); // the note, then the id
    }

    /// <summary>A create as an interrupted attempt would have sent it, straight to the fake (its answer "lost").</summary>
    private static async Task<string> CreateDirectlyAsync(Rig rig, string model, string prompt)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, rig.Fake.ApiBaseUrl + "/services/aigc/video-generation/video-synthesis");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", rig.ApiKey);
        request.Headers.Add("X-DashScope-Async", "enable");
        var body = new JsonObject { ["model"] = model, ["input"] = new JsonObject { ["prompt"] = prompt }, ["parameters"] = new JsonObject { ["resolution"] = "720P", ["duration"] = 3 } };
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["output"]!["task_id"]!.GetValue<string>();
    }

    /// <summary>One attempt that resumes from <paramref name="resume"/>: its failure (null on success) and the checkpoints it wrote.</summary>
    private static async Task<(EngineFailureException? Failure, List<RemoteJob> Checkpoints)> RenderAsync(Rig rig, RemoteJob resume, IReadOnlyCollection<string>? ownedElsewhere = null)
    {
        var options = new HappyHorseOptions
        {
            BaseUrl = new Uri(rig.Fake.ApiBaseUrl),
            ApiKeyVariable = rig.KeyVariable,
            PollInterval = TimeSpan.FromMilliseconds(100),
            MaxPollInterval = TimeSpan.FromMilliseconds(300),
        };
        using var engine = new HappyHorseEngine(Rig.Backend, options, rig.ApiKey, TimeProvider.System, NullLogger<HappyHorseEngine>.Instance);
        var work = Directory.CreateTempSubdirectory("paddock-hh-lost-").FullName;
        var checkpoints = new List<RemoteJob>();
        var context = new RenderContext(Path.Combine(work, "out.mp4"), work, new Progress<RenderProgress>(), 2, resume,
            (job, _) => { lock (checkpoints) checkpoints.Add(job); return Task.CompletedTask; }, links: null,
            (job, _) => Task.FromResult(ownedElsewhere?.Contains(job.Id!) == true));
        var job = new RenderJob(Guid.NewGuid(), Model, Prompt, [], 1280, 720, 24, 72, 7);
        try
        {
            await engine.RenderAsync(job, context, CancellationToken.None);
            Assert.True(new FileInfo(context.OutputPath).Length > 0, "the adopted task's video was downloaded");
            return (null, checkpoints);
        }
        catch (EngineFailureException e)
        {
            return (e, checkpoints);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
