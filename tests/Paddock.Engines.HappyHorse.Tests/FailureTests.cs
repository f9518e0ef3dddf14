using System.Text.Json.Nodes;
using Paddock.Engines.HappyHorse.Tests.Support;
using Paddock.Fakes.DashScope;
using Paddock.Server.Tests.Support;
using SkiaSharp;

namespace Paddock.Engines.HappyHorse.Tests;

/// <summary>The provider's errors as a user meets them: retried when waiting helps, failed at once with the provider's words when not.</summary>
public sealed class FailureTests
{
    private const string CreatePath = "/api/v1/services/aigc/video-generation/video-synthesis";
    private static readonly object TextRequest = new { model = "happyhorse-1.0-t2v", prompt = "A paper city at night.", resolution = "720P", duration = 3 };

    [Fact]
    public async Task Throttled_creates_are_retried_with_backoff_until_one_is_accepted()
    {
        await using var rig = await Rig.StartAsync(o => o.ThrottleFirstCreates = 2);
        var paddock = await rig.StartPaddockAsync();
        await using var events = await SseReader.OpenAsync(paddock.Client);
        var id = await Wire.EnqueueAsync(paddock.Client, TextRequest);

        var seen = await events.ReadUntilAsync(e => e.Type == "media_generation_completed" && e.Data.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("\"status\":\"succeeded\"", seen[^1].Data, StringComparison.Ordinal);
        // Each 429 queued the generation again with the reason and when it would be retried.
        var requeued = seen.Where(e => e.Type == "media_generation_requeued" && e.Data.Contains(id, StringComparison.Ordinal)).Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.Equal(2, requeued.Count);
        Assert.All(requeued, e => Assert.Contains("throttling", e["reason"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(requeued, e => Assert.NotNull(e["retry_at"]));
        var creates = rig.Fake.Requests.Where("POST", CreatePath);
        Assert.Equal([429, 429, 200], creates.Select(c => c.Status));
        Assert.Single(rig.Fake.Tasks);
    }

    [Fact]
    public async Task A_refused_prompt_fails_at_once_with_the_providers_message_and_is_not_retried()
    {
        await using var rig = await Rig.StartAsync(o => o.RefuseWord = "forbidden");
        var paddock = await rig.StartPaddockAsync();
        var id = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A forbidden city at night.", resolution = "720P", duration = 3 });
        var row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");

        Assert.Equal(("failed", "refused", "DataInspectionFailed"), (Wire.Status(row), row["error_type"]!.GetValue<string>(), row["error_code"]!.GetValue<string>()));
        Assert.Contains("Input data may contain inappropriate content.", row["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(rig.Fake.Requests.Where("POST", CreatePath));
        Assert.Empty(rig.Fake.Tasks);

        // A sync request is told the same, at once.
        var (status, body) = await Wire.PostAsync(paddock.Client, "api/ai/videos/generate", new { model = "happyhorse-1.0-t2v", prompt = "Another forbidden scene.", resolution = "720P", duration = 3 });
        Assert.Equal(422, status);
        Assert.Equal("refused", JsonNode.Parse(body)!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("Input data may contain inappropriate content.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_whose_video_is_refused_or_that_fails_ends_failed_with_the_providers_message()
    {
        await using var rig = await Rig.StartAsync(o => (o.RefuseWord, o.RefusalStage) = ("storm", RefusalStage.Task));
        var paddock = await rig.StartPaddockAsync();
        var refused = await Wire.EnqueueAsync(paddock.Client, new { model = "happyhorse-1.0-t2v", prompt = "A storm over the sea.", resolution = "720P", duration = 3 });
        var row = await Wire.WaitForAsync(paddock.Client, refused, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal(("failed", "refused"), (Wire.Status(row), row["error_type"]!.GetValue<string>()));
        Assert.Contains("Output data may contain inappropriate content.", row["error_message"]!.GetValue<string>(), StringComparison.Ordinal);

        rig.Fake.Options.FailTaskCode = "InternalError.Algo";
        rig.Fake.Options.FailTaskMessage = "The algorithm failed to produce a video.";
        var failed = await Wire.EnqueueAsync(paddock.Client, TextRequest);
        row = await Wire.WaitForAsync(paddock.Client, failed, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal(("failed", "engine_error", "InternalError.Algo"), (Wire.Status(row), row["error_type"]!.GetValue<string>(), row["error_code"]!.GetValue<string>()));
        Assert.Contains("The algorithm failed to produce a video.", row["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, rig.Fake.Tasks.Count); // a failed task is final: never a second task for one generation
    }

    [Fact]
    public async Task A_reference_the_provider_cannot_download_fails_naming_it_and_the_public_address_setting()
    {
        await using var rig = await Rig.StartAsync(o => o.ReferenceTimeout = TimeSpan.FromSeconds(2));
        // A public base URL nobody listens on: the provider cannot fetch Paddock's links.
        var paddock = await rig.StartPaddockAsync(new Dictionary<string, string> { ["Paddock:PublicBaseUrl"] = $"http://127.0.0.1:{Rig.FreePort()}" });
        var id = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 waves.",
            reference_images = new[] { rig.Reference("fox", SKColors.OrangeRed) },
            aspect_ratio = "16:9",
            resolution = "720P",
            duration = 3,
        });
        var row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal(("failed", "invalid_input", "InvalidParameter.DataInspection"), (Wire.Status(row), row["error_type"]!.GetValue<string>(), row["error_code"]!.GetValue<string>()));
        var message = row["error_message"]!.GetValue<string>();
        Assert.StartsWith("reference_images[0]: ", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:PublicBaseUrl", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_provider_keeps_queued_work_waiting_with_the_reason_and_a_sync_request_hears_503()
    {
        await using var rig = await Rig.StartAsync(o => o.Unreachable = true);
        var paddock = await rig.StartPaddockAsync();
        await Wire.WaitForBackendAsync(paddock.Client, Rig.Backend, "unavailable");
        var id = await Wire.EnqueueAsync(paddock.Client, TextRequest);
        var row = await Api.GetRowAsync(paddock.Client, id);
        Assert.Equal("queued", Wire.Status(row));
        Assert.Contains($"backend '{Rig.Backend}' is unavailable", row["status_message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (status, body) = await Wire.PostAsync(paddock.Client, "api/ai/videos/generate", TextRequest);
        Assert.Equal(503, status);
        Assert.Equal("backend_unavailable", JsonNode.Parse(body)!["error"]!["type"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests.Where("POST", CreatePath));

        // Back again: the waiting generation starts on its own.
        rig.Fake.Options.Unreachable = false;
        row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed", TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", Wire.Status(row));
    }

    [Fact]
    public async Task A_provider_that_drops_out_while_the_task_runs_is_waited_for_and_the_same_task_finishes()
    {
        await using var rig = await Rig.StartAsync(o => o.TaskTime = TimeSpan.FromSeconds(3));
        var paddock = await rig.StartPaddockAsync();
        var id = await Wire.EnqueueAsync(paddock.Client, TextRequest);
        await Wire.WaitForAsync(paddock.Client, id, r => r["remote"]?["id"] is not null);
        rig.Fake.Options.Unreachable = true;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var dropped = rig.Fake.Requests.Where("GET", "/api/v1/tasks/").Count(r => r.Status == 0);
        rig.Fake.Options.Unreachable = false;

        var row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal("succeeded", Wire.Status(row));
        Assert.True(dropped > 0, "queries were dropped while the provider was away");
        Assert.Single(rig.Fake.Tasks);
    }

    [Fact]
    public async Task Public_links_without_a_public_address_fail_naming_both_settings()
    {
        await using var rig = await Rig.StartAsync();
        var paddock = await rig.StartPaddockAsync(new Dictionary<string, string> { [$"Paddock:Backends:{Rig.Backend}:ReferenceDelivery"] = "public_url" });
        var id = await Wire.EnqueueAsync(paddock.Client, new
        {
            model = "happyhorse-1.0-r2v",
            prompt = "Image 1 waves.",
            reference_images = new[] { rig.Reference("fox", SKColors.OrangeRed) },
            resolution = "720P",
            duration = 3,
        });
        var row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal(("failed", "engine_error"), (Wire.Status(row), row["error_type"]!.GetValue<string>()));
        var message = row["error_message"]!.GetValue<string>();
        Assert.Contains($"Paddock:Backends:{Rig.Backend}:ReferenceDelivery is public_url", message, StringComparison.Ordinal);
        Assert.Contains("Paddock:PublicBaseUrl", message, StringComparison.Ordinal);
        Assert.Empty(rig.Fake.Requests.Where("POST", CreatePath));
    }

    [Fact]
    public async Task A_task_the_provider_no_longer_knows_fails_saying_so_and_is_not_created_again()
    {
        await using var rig = await Rig.StartAsync(o => o.TaskTime = TimeSpan.FromSeconds(20));
        var paddock = await rig.StartPaddockAsync();
        var id = await Wire.EnqueueAsync(paddock.Client, TextRequest);
        var row = await Wire.WaitForAsync(paddock.Client, id, r => r["remote"]?["id"] is not null);
        rig.Fake.Forget(row["remote"]!["id"]!.GetValue<string>());

        row = await Wire.WaitForAsync(paddock.Client, id, r => Wire.Status(r) is "succeeded" or "failed");
        Assert.Equal(("failed", "engine_error"), (Wire.Status(row), row["error_type"]!.GetValue<string>()));
        Assert.Contains("no longer knows task", row["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(rig.Fake.Tasks);
    }
}
