using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Paddock.Bench;

namespace EnqueueBench;

/// <summary>
/// The ceiling: a slim Kestrel app with one POST route that parses the same body with
/// JsonDocument, reads model and prompt, and answers a small JSON document the way Paddock does.
/// </summary>
public sealed class BaselineTarget : IBenchTarget
{
    private readonly WebApplication _app;

    private BaselineTarget(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public string Name => "baseline";
    public Uri BaseAddress { get; }
    public string? ApiKey => null;

    public static async Task<BaselineTarget> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/api/ai/queue", async (HttpContext context) =>
            await ReadSeedBodyAsync(context) is null ? Results.BadRequest() : Queued(Guid.NewGuid().ToString()));
        await app.StartAsync();
        return new BaselineTarget(app, Kestrel.ListeningAddress(app));
    }

    /// <summary>The body's model and prompt, both non-empty strings; null when the body is not such an object.</summary>
    internal static async Task<(string Model, string Prompt)?> ReadSeedBodyAsync(HttpContext context)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var root = document.RootElement;
        return root.ValueKind == JsonValueKind.Object
               && root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
               && root.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String
               && model.GetString() is { Length: > 0 } modelText && prompt.GetString() is { Length: > 0 } promptText
            ? (modelText, promptText)
            : null;
    }

    /// <summary>A small answer shaped like Paddock's.</summary>
    internal static IResult Queued(string id) =>
        TypedResults.Json(new JsonObject
        {
            ["generations"] = new JsonArray(new JsonObject { ["generation_id"] = id, ["status"] = "queued" }),
        });

    public Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers) => Task.FromResult<(bool, string)?>(null);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
