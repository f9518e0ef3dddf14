using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Paddock.Core.Engines;
using Paddock.Server.Endpoints;
using Paddock.Core.Queue;
using Paddock.Core.Generations;
using Paddock.Testing;

namespace Paddock.Server.Tests;

/// <summary>
/// A row's stored parameters are copied into the answer as JSON text: whatever shape a store hands them back in (escaped,
/// spaced out, a field named like one of the row's own), the answer reads as the row's fields in their order, each once,
/// with text the way every other answer writes it.
/// </summary>
public sealed class GenerationJsonTests : IAsyncLifetime
{
    private PaddockHost _server = null!;

    public async Task InitializeAsync() =>
        _server = await PaddockHost.StartAsync(new Dictionary<string, string> { ["Paddock:Workers:Concurrency"] = "0" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Stored_parameters_in_any_shape_read_back_as_the_same_fields_once_each_in_order()
    {
        // The namespace of the server's key, as the API reports it.
        var enqueued = JsonNode.Parse(await (await _server.Client.PostAsync("api/ai/queue",
            new StringContent("""{"model":"happyhorse-1.0-r2v","prompt":"a quiet harbour"}""", System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync())!;
        var firstId = enqueued["generations"]![0]!["generation_id"]!.GetValue<string>();
        var ns = JsonNode.Parse(await _server.Client.GetStringAsync($"api/ai/queue/{firstId}"))!["target_namespace"]!.GetValue<string>();

        // Escaped non-ASCII and HTML characters, whitespace between tokens (as a database's own JSON type gives it back),
        // and a parameter named like a field of the row and like an extension.
        var id = Guid.CreateVersion7();
        const string stored = """
            { "prompt" : "caf\u00e9 <b>&amp;</b> \"quoted\"", "resolution": "720P",
              "reference_images" : [ "https://example.test/a.png" , "https://example.test/b.png" ],
              "status": "not the row's", "attempt": 99, "seed" : 7 }
            """;
        await _server.Services.GetRequiredService<IGenerationStore>()
            .EnqueueAsync([new NewGeneration(id, ns, "happyhorse-1.0-r2v", "video", stored, Lane: "builtin")]);

        var text = await _server.Client.GetStringAsync($"api/ai/queue/{id}");
        // Text as every answer writes it: non-ASCII and HTML characters as they are, quotes escaped.
        Assert.Contains("\"prompt\":\"café <b>&amp;</b> \\\"quoted\\\"\"", text, StringComparison.Ordinal);
        Assert.Contains("\"reference_images\":[\"https://example.test/a.png\",\"https://example.test/b.png\"]", text, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(text);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Equal(["generation_id", "model_name", "prompt", "media_type", "status", "result_url", "error_message", "enqueued_at",
            "started_at", "completed_at", "target_namespace", "resolution", "reference_images", "attempt", "seed", "progress",
            "expires_at", "error_type", "error_code", "status_message", "pinned", "expired_at", "result_url_expires_at"], names);
        // A parameter named like a row field takes the field's place; the row's own value wins where it sets one after the parameters.
        Assert.Equal("not the row's", document.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, document.RootElement.GetProperty("attempt").GetInt32());
        Assert.Equal(7, document.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(2, document.RootElement.GetProperty("progress").GetProperty("queue_position").GetInt64());
    }

    /// <summary>
    /// A row read again at the same version is written from what was kept of it, with only its queue position, retention
    /// and signed link written fresh: the bytes must be those of a row written whole, for every shape of row.
    /// </summary>
    [Fact]
    public void A_row_written_from_what_was_kept_of_it_is_the_same_bytes_as_written_whole()
    {
        var json = _server.Services.GetRequiredService<GenerationJson>();
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(_server.Client.BaseAddress!.Authority);
        var now = DateTimeOffset.UtcNow;
        var queued = new Generation(Guid.NewGuid(), "ns-a", "happyhorse-1.0-r2v", "video", GenerationStatus.Queued,
            """{"prompt":"caf\u00e9 <b>&amp;</b> \"quoted\"","resolution":"720P","seed":7}""", now, null, null, null, null, null, 0,
            QueuePosition: 3, Version: 1);
        var rows = new[]
        {
            queued,
            // Another position of the same version: the position is written fresh.
            queued with { QueuePosition = 12_345 },
            // Parameters named like a fixed field and like extensions that are written fresh.
            queued with { Id = Guid.NewGuid(), Parameters = """{ "result_url" : "mine", "status_message": "theirs", "expires_at": 1, "prompt": "x" }""" },
            queued with { Id = Guid.NewGuid(), Status = GenerationStatus.Processing, StartedAt = now, QueuePosition = null, Attempt = 1,
                Progress = new GenerationProgress("rendering", 40, 12), RemoteJob = new RemoteJob("comfy", "prompt-1") },
            queued with { Id = Guid.NewGuid(), Status = GenerationStatus.Succeeded, StartedAt = now, CompletedAt = now, QueuePosition = null,
                OutputKey = "outputs/ns-a/video.mp4", Pinned = true },
            queued with { Id = Guid.NewGuid(), Status = GenerationStatus.Succeeded, StartedAt = now, CompletedAt = now.AddDays(-400), QueuePosition = null,
                ExpiredAt = now.AddDays(-10) },
            queued with { Id = Guid.NewGuid(), Status = GenerationStatus.Failed, CompletedAt = now, QueuePosition = null,
                ErrorMessage = "reference image 2 is <not> a \"PNG\" — é", ErrorType = FailureKind.InvalidInput, ErrorCode = "BadImage" },
            queued with { Id = Guid.NewGuid(), Status = GenerationStatus.Cancelled, CompletedAt = now, QueuePosition = null,
                RemoteJob = new RemoteJob("comfy", "prompt-2"), RemoteCancel = RemoteCancelState.Refused, StatusMessage = "the task had started <&>" },
        };
        foreach (var row in rows)
        {
            // Twice from what is kept (the first keeps it), between two writes of the row whole (a signed link's time may tick between).
            var whole = Write(json, row with { Version = 0 }, context.Request);
            var kept = new[] { Write(json, row, context.Request), Write(json, row, context.Request) };
            var wholeAfter = Write(json, row with { Version = 0 }, context.Request);
            Assert.All(kept, k => Assert.True(k == whole || k == wholeAfter, $"kept:  {k}\nwhole: {whole}"));
        }
        // The next version of a row is written as it is now, not as the earlier version was kept.
        var started = queued with { Status = GenerationStatus.Processing, StartedAt = now, QueuePosition = null, Attempt = 1, Version = 2 };
        Assert.Equal(Write(json, started with { Version = 0 }, context.Request), Write(json, started, context.Request));
    }

    private static string Write(GenerationJson json, Generation row, HttpRequest request)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, GenerationJson.WriterOptions))
        {
            // In an array, as a page writes rows.
            writer.WriteStartArray();
            json.WriteRow(writer, row, request);
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Through the API: a row read (alone and on a page) after each write through the API shows that write.</summary>
    [Fact]
    public async Task A_row_read_again_after_a_pin_and_a_cancel_shows_them_alone_and_on_every_list()
    {
        var enqueued = JsonNode.Parse(await (await _server.Client.PostAsync("api/ai/queue",
            new StringContent("""{"model":"happyhorse-1.0-r2v","prompt":"a quiet harbour"}""", System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync())!;
        var id = enqueued["generations"]![0]!["generation_id"]!.GetValue<string>();

        async Task<List<JsonNode>> ReadsAsync()
        {
            var alone = JsonNode.Parse(await _server.Client.GetStringAsync($"api/ai/queue/{id}"))!;
            var again = JsonNode.Parse(await _server.Client.GetStringAsync($"api/ai/queue/{id}"))!;
            var page = JsonNode.Parse(await _server.Client.GetStringAsync("api/ai/generations?page_size=1000"))!["generations"]!.AsArray()
                .Single(r => r!["generation_id"]!.GetValue<string>() == id)!;
            var list = JsonNode.Parse(await _server.Client.GetStringAsync("api/ai/queue?status=all&page_size=1000"))!["generations"]!.AsArray()
                .Single(r => r!["generation_id"]!.GetValue<string>() == id)!;
            return [alone, again, page, list];
        }

        Assert.All(await ReadsAsync(), r => Assert.Equal(("queued", false), (r["status"]!.GetValue<string>(), r["pinned"]!.GetValue<bool>())));
        (await _server.Client.PostAsync($"api/ai/queue/{id}/pin", null)).EnsureSuccessStatusCode();
        Assert.All(await ReadsAsync(), r => Assert.Equal(("queued", true), (r["status"]!.GetValue<string>(), r["pinned"]!.GetValue<bool>())));
        (await _server.Client.DeleteAsync($"api/ai/queue/{id}")).EnsureSuccessStatusCode();
        Assert.All(await ReadsAsync(), r => Assert.Equal(("cancelled", true), (r["status"]!.GetValue<string>(), r["pinned"]!.GetValue<bool>())));
        Assert.All(await ReadsAsync(), r => Assert.Null(r["progress"]!["queue_position"]));
        (await _server.Client.DeleteAsync($"api/ai/queue/{id}/pin")).EnsureSuccessStatusCode();
        Assert.All(await ReadsAsync(), r => Assert.Equal(("cancelled", false), (r["status"]!.GetValue<string>(), r["pinned"]!.GetValue<bool>())));
    }
}
