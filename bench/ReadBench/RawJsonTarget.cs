using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Paddock.Bench;

namespace ReadBench;

/// <summary>
/// The ceiling: a slim Kestrel app whose <c>GET /raw/{name}</c> answers a JSON document of the same size and shape as
/// Paddock's answer to the same read — Paddock's own answer, parsed once into a <see cref="JsonNode"/> and serialized
/// again for every request (what a JSON endpoint with its data at hand does; no storage, no auth).
/// </summary>
public sealed class RawJsonTarget : IBenchTarget
{
    private readonly WebApplication _app;

    private RawJsonTarget(WebApplication app)
    {
        _app = app;
        BaseAddress = Kestrel.ListeningAddress(app);
    }

    public string Name => "raw";
    public Uri BaseAddress { get; }
    public string? ApiKey => null;

    public static async Task<RawJsonTarget> StartAsync(IReadOnlyDictionary<string, string> bodies)
    {
        var documents = bodies.ToDictionary(b => b.Key, b => JsonNode.Parse(b.Value)!, StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/raw/{name}", (string name) => documents.TryGetValue(name, out var document) ? Results.Json(document) : Results.NotFound());
        await app.StartAsync();
        return new RawJsonTarget(app);
    }

    public Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers) => Task.FromResult<(bool, string)?>(null);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
