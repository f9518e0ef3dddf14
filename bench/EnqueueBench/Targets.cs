using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Paddock.Server.Hosting;

namespace EnqueueBench;

/// <summary>A server under test, started in this process on 127.0.0.1 with a free port.</summary>
public interface IBenchTarget : IAsyncDisposable
{
    string Name { get; }
    Uri BaseAddress { get; }
    string? ApiKey { get; }

    /// <summary>After the load: a one-line check of what the server kept, or null when there is nothing to check; <c>Ok</c> false on a mismatch.</summary>
    Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers);
}

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
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String
                || string.IsNullOrEmpty(model.GetString()) || string.IsNullOrEmpty(prompt.GetString()))
            {
                return Results.BadRequest();
            }
            return TypedResults.Json(new JsonObject
            {
                ["generations"] = new JsonArray(new JsonObject { ["generation_id"] = Guid.NewGuid().ToString(), ["status"] = "queued" }),
            });
        });
        await app.StartAsync();
        return new BaselineTarget(app, ListeningAddress(app));
    }

    public Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers) => Task.FromResult<(bool, string)?>(null);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal static Uri ListeningAddress(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server reports no listening address");
        return new Uri(address.TrimEnd('/') + "/");
    }
}

/// <summary>The real server: <see cref="PaddockApp.Build"/> on a fresh data directory, API only (no workers).</summary>
public sealed class PaddockTarget : IBenchTarget
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private PaddockTarget(WebApplication app, Uri baseAddress, string apiKey, string dataDirectory, string name)
    {
        _app = app;
        BaseAddress = baseAddress;
        ApiKey = apiKey;
        _dataDirectory = dataDirectory;
        Name = name;
    }

    public string Name { get; }
    public Uri BaseAddress { get; }
    public string? ApiKey { get; }

    /// <param name="settings">More settings, e.g. the storage provider.</param>
    public static async Task<PaddockTarget> StartAsync(string dataRoot, string name = "paddock", IReadOnlyList<string>? settings = null)
    {
        var dataDirectory = Path.Combine(dataRoot, "paddock-enqueue-bench-" + Guid.NewGuid().ToString("N"));
        var app = PaddockApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--Paddock:DataDirectory={dataDirectory}",
            "--Paddock:Workers:Concurrency=0",
            "--Logging:LogLevel:Default=Warning",
            .. settings ?? [],
        ]);

        // The first start announces the address and the new key on stdout; keep the report readable.
        var stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            await app.StartAsync();
        }
        finally
        {
            Console.SetOut(stdout);
        }

        var keyFile = Path.Combine(dataDirectory, "first-api-key.txt");
        var key = (await File.ReadAllTextAsync(keyFile)).Trim();
        if (key.Length == 0) throw new InvalidOperationException($"{keyFile} is empty");
        return new PaddockTarget(app, BaseAddress(app), key, dataDirectory, name);

        static Uri BaseAddress(WebApplication app) => BaselineTarget.ListeningAddress(app);
    }

    public async Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers)
    {
        using var response = await client.GetAsync(new Uri(BaseAddress, "api/ai/generations?page_size=1"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            return (false, $"rows check FAILED: GET /api/ai/generations answered {(int)response.StatusCode}: {Shorten(text)}");
        using var document = JsonDocument.Parse(text);
        var total = document.RootElement.GetProperty("total_entries").GetInt64();
        return total == okAnswers
            ? (true, $"rows check: total_entries {total} = {okAnswers} answers 200")
            : (false, $"rows check FAILED: total_entries {total}, but {okAnswers} answers were 200");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind in the temp folder; harmless.
        }
    }

    internal static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
