using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
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
}
