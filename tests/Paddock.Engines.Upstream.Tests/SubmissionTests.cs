using System.Text.Json.Nodes;
using Paddock.Core.Engines;
using Paddock.Engines.Upstream.Tests.Support;

namespace Paddock.Engines.Upstream.Tests;

/// <summary>The engine itself against a real Paddock upstream, driven the way the orchestrator drives it across attempts.</summary>
public sealed class SubmissionTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "paddock-upstream-engine-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>Stands for a process that dies at that point: nothing after it runs.</summary>
    private sealed class ProcessDied : Exception;

    [Fact]
    public async Task A_submission_repeated_after_dying_before_its_answer_was_recorded_gets_the_same_generation_back()
    {
        await using var b = await PaddockHost.StartAsync();
        var engine = Engine(b, new UpstreamOptions());
        var fox = Chain.FoxPng();
        const string prompt = "Image 1 jumps over a fence.";
        var job = new RenderJob(Guid.CreateVersion7(), Chain.Model, prompt, [new ReferenceImage(1, "data:", fox, "image/png", 640, 480)], 1280, 720, 24, 72, 11)
        {
            Parameters = new JsonObject
            {
                ["prompt"] = prompt, ["reference_images"] = new JsonArray("inline:sha256:0000"), ["aspect_ratio"] = "16:9",
                ["resolution"] = "720P", ["duration"] = 3, ["seed"] = 11,
            },
        };
        var recorded = new List<RemoteJob>();

        // The first attempt dies after B took the submission and before its answer reached the row.
        var first = new RenderContext(Path.Combine(_work, "first.mp4"), _work, new Progress<RenderProgress>(), 1, resume: null,
            (remote, _) => remote.Id is null ? Record(recorded, remote) : throw new ProcessDied(), links: null);
        await Assert.ThrowsAsync<ProcessDied>(() => engine.RenderAsync(job, first, CancellationToken.None));
        var intent = Assert.Single(recorded);
        Assert.Null(intent.Id);
        var created = Assert.Single(await Wire.AllRowsAsync(b.Client));

        // The next attempt resumes from what the row holds: it sends the same submission again, and B answers with the
        // generation it already has rather than making a second.
        var output = Path.Combine(_work, "second.mp4");
        var second = new RenderContext(output, _work, new Progress<RenderProgress>(), 2, intent, (remote, _) => Record(recorded, remote), links: null);
        await engine.RenderAsync(job, second, CancellationToken.None);

        var onB = Assert.Single(await Wire.AllRowsAsync(b.Client));
        Assert.Equal(created["generation_id"]!.GetValue<string>(), onB["generation_id"]!.GetValue<string>());
        Assert.Equal(onB["generation_id"]!.GetValue<string>(), recorded[^1].Id);
        Assert.Equal(intent.DataString("idempotency_key"), recorded[^1].DataString("idempotency_key"));
        var facts = await Ffprobe.InspectAsync(output);
        Assert.Equal((1280, 720, 72), (facts.Width, facts.Height, facts.Frames));
    }

    [Fact]
    public async Task A_generation_past_its_time_limit_fails_as_a_timeout_and_is_cancelled_upstream()
    {
        await using var b = await PaddockHost.StartAsync();
        var engine = Engine(b, new UpstreamOptions { GenerationTimeout = TimeSpan.FromSeconds(2) });
        const string prompt = "Image 1 walks a very long road.";
        var job = new RenderJob(Guid.CreateVersion7(), Chain.Model, prompt, [], 1920, 1080, 24, 360, 5)
        {
            Parameters = new JsonObject { ["prompt"] = prompt, ["aspect_ratio"] = "16:9", ["resolution"] = "1080P", ["duration"] = 15, ["seed"] = 5 },
        };
        var context = new RenderContext(Path.Combine(_work, "late.mp4"), _work, new Progress<RenderProgress>(), 1, resume: null, (_, _) => Task.CompletedTask, links: null);

        var failure = await Assert.ThrowsAsync<EngineFailureException>(() => engine.RenderAsync(job, context, CancellationToken.None));

        Assert.Equal(FailureKind.Timeout, failure.Kind);
        Assert.Contains("within 00:00:02 (Paddock:Backends:b:GenerationTimeout)", failure.Message, StringComparison.Ordinal);
        var onB = Assert.Single(await Wire.AllRowsAsync(b.Client));
        Assert.Equal("cancelled", Wire.Status(await Wire.WaitForAsync(b.Client, onB["generation_id"]!.GetValue<string>(),
            r => Wire.Status(r) != "processing" && Wire.Status(r) != "queued", TimeSpan.FromSeconds(10), "ended on B")));
    }

    [Fact]
    public async Task A_remote_cancel_says_what_became_of_the_upstream_generation()
    {
        await using var b = await PaddockHost.StartAsync();
        var engine = Engine(b, new UpstreamOptions());
        var finished = await Wire.EnqueueAsync(b.Client, new { model = Chain.Model, prompt = "Image 1 is already done.", resolution = "720P", duration = 3 });
        Assert.Equal("succeeded", Wire.Status(await Wire.WaitTerminalAsync(b.Client, finished)));
        var running = await Wire.EnqueueAsync(b.Client, new { model = Chain.Model, prompt = "Image 1 is still at it.", resolution = "1080P", duration = 15 });
        await Wire.WaitForAsync(b.Client, running, r => Wire.Status(r) == "processing", TimeSpan.FromMinutes(1), "started");

        var refused = await engine.CancelRemoteAsync(new RemoteJob("b", finished), CancellationToken.None);
        var cancelled = await engine.CancelRemoteAsync(new RemoteJob("b", running), CancellationToken.None);
        var unknown = await engine.CancelRemoteAsync(new RemoteJob("b", Guid.NewGuid().ToString()), CancellationToken.None);

        Assert.Equal(RemoteCancelState.Refused, refused.State);
        Assert.Contains($"had already finished generation {finished} (succeeded)", refused.Message, StringComparison.Ordinal);
        Assert.Equal("succeeded", Wire.Status(await Wire.GetRowAsync(b.Client, finished)));
        Assert.Equal(RemoteCancelState.Cancelled, cancelled.State);
        Assert.Equal("cancelled", Wire.Status(await Wire.GetRowAsync(b.Client, running)));
        Assert.Equal(RemoteCancelState.Cancelled, unknown.State);
        Assert.Contains("no longer has generation", unknown.Message, StringComparison.Ordinal);
    }

    /// <summary>The engine for upstream B, as the factory makes it from settings (the key given directly).</summary>
    private static UpstreamVideoEngine Engine(PaddockHost b, UpstreamOptions options)
    {
        options.Type = "upstream";
        options.BaseUrl = new Uri(b.BaseUrl);
        options.ApiKeyVariable = "SET_BY_THE_TEST";
        options.PollInterval = TimeSpan.FromSeconds(1);
        return new UpstreamVideoEngine("b", options, b.ApiKey, selfHosts: null, modelsServed: () => [], schemaOf: _ => null);
    }

    [Fact]
    public async Task Bad_settings_stop_the_start_naming_each_key()
    {
        var unset = "PADDOCK_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => PaddockHost.StartAsync(new Dictionary<string, string>
        {
            ["Paddock:Backends:b:Type"] = "upstream",
            ["Paddock:Backends:b:BaseUrl"] = "https://user:secret@upstream.example",
            ["Paddock:Backends:b:ApiKeyVariable"] = unset,
            ["Paddock:Backends:b:UploadRepository"] = "a/b/c",
            ["Paddock:Backends:b:PollInterval"] = "00:00:00",
            ["Paddock:Backends:b:Model"] = "x",
        }));
        var message = error.Message;
        Assert.Contains("Paddock:Backends:b:BaseUrl must be a plain address", message, StringComparison.Ordinal);
        Assert.Contains($"Paddock:Backends:b:ApiKeyVariable names the environment variable {unset}, which is not set", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:Backends:b:UploadRepository is 'a/b/c'", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:Backends:b:PollInterval", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:Backends:b:Model is not a setting; did you mean Paddock:Backends:b:Models?", message, StringComparison.Ordinal);
    }

    private static Task Record(List<RemoteJob> recorded, RemoteJob remote)
    {
        recorded.Add(remote);
        return Task.CompletedTask;
    }
}
