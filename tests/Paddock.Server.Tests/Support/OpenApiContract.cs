using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Paddock.Server.Tests.Support;

/// <summary>
/// The served OpenAPI document, as a client reads it, and a judge of real answers against it: the status must be one the
/// operation lists, the content type one of that status's, and the body valid against its schema (OpenAPI 3.1 schemas are
/// JSON Schema 2020-12, evaluated here by JsonSchema.Net). An event stream is judged frame by frame, each event's data
/// against the schema <c>x-sse-events</c> names for its type. Every operation checked is remembered, so a test can
/// require that it drove them all.
/// </summary>
public sealed class OpenApiContract
{
    private static readonly BuildOptions Build = new() { Dialect = Dialect.Draft202012 };
    private readonly Dictionary<string, JsonSchema> _compiled = new(StringComparer.Ordinal);
    private readonly string _definitions;

    private OpenApiContract(JsonObject document)
    {
        Document = document;
        // Component references (#/components/schemas/X) become $defs references of one self-contained schema per check.
        _definitions = Document["components"]!["schemas"]!.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
    }

    public JsonObject Document { get; }

    /// <summary>"GET /api/ai/queue/{id} 200", for every answer checked.</summary>
    public HashSet<string> Checked { get; } = new(StringComparer.Ordinal);

    public static async Task<OpenApiContract> LoadAsync(string baseUrl)
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
        using var response = await anonymous.GetAsync("openapi/v1.json");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        return new OpenApiContract(document);
    }

    /// <summary>The operations of the document, as "METHOD /path".</summary>
    public IEnumerable<string> Operations =>
        Document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(m => m.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options")
            .Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"));

    public JsonObject? Operation(string method, string path) => Document["paths"]?[path]?[method.ToLowerInvariant()] as JsonObject;

    /// <summary>Sends <paramref name="request"/> and checks its answer against the operation <paramref name="method"/> <paramref name="path"/>.</summary>
    public async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, HttpRequestMessage request, string path)
    {
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Check(request.Method.Method, path, response, body);
        return (response, body);
    }

    /// <summary>Checks one whole answer: status listed, content type listed for it, body valid against its schema.</summary>
    public void Check(string method, string path, HttpResponseMessage response, string body)
    {
        var where = $"{method} {path}";
        var operation = Operation(method, path) ?? throw new Xunit.Sdk.XunitException($"{where} is not in the OpenAPI document");
        var status = (int)response.StatusCode;
        var responses = operation["responses"]!.AsObject();
        if (responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is not JsonObject documented)
            throw new Xunit.Sdk.XunitException($"{where} answered {status} ({Shorten(body)}), which the document does not list; it lists {string.Join(", ", responses.Select(r => r.Key))}");
        Checked.Add($"{where} {status}");

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var content = documented["content"] as JsonObject;
        if (content is null || content.Count == 0)
        {
            Assert.True(body.Length == 0, $"{where} {status}: the document says no body, but it answered {mediaType}: {Shorten(body)}");
            return;
        }
        Assert.True(mediaType is not null, $"{where} {status}: no Content-Type; the document says {string.Join(" or ", content.Select(c => c.Key))}");
        var match = content.FirstOrDefault(c => MediaRangeMatches(c.Key, mediaType!));
        Assert.True(match.Key is not null, $"{where} {status}: Content-Type {mediaType} is not one the document lists ({string.Join(", ", content.Select(c => c.Key))})");
        if (method == "HEAD") return;

        var schema = match.Value?["schema"];
        if (schema is null) return;
        if (mediaType == "application/json")
            Validate(where + $" {status}", schema, JsonDocument.Parse(body).RootElement);
        else if (mediaType == "text/event-stream")
            CheckEventStream(where + $" {status}", schema, body);
    }

    /// <summary>Each frame's data against the schema of its event type; an event type the document does not list fails.</summary>
    public void CheckEventStream(string where, JsonNode streamSchema, string text)
    {
        var events = Resolve(streamSchema)["x-sse-events"]?.AsObject()
            ?? throw new Xunit.Sdk.XunitException($"{where}: the event stream's schema lists no x-sse-events");
        foreach (var frame in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? type = null;
            var data = new StringBuilder();
            foreach (var line in frame.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line["data: ".Length..]);
            }
            if (type is null) continue; // comments and the retry line
            var reference = events[type]?.GetValue<string>()
                ?? throw new Xunit.Sdk.XunitException($"{where}: event type {type} is not in x-sse-events ({string.Join(", ", events.Select(e => e.Key))})");
            Validate($"{where} event {type}", new JsonObject { ["$ref"] = reference }, JsonDocument.Parse(data.ToString()).RootElement);
            Checked.Add($"{where} event {type}");
        }
    }

    /// <summary>Validates <paramref name="instance"/> against a schema of the document (inline, or a component reference).</summary>
    public void Validate(string where, JsonNode schema, JsonElement instance)
    {
        var text = schema.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
        if (!_compiled.TryGetValue(text, out var compiled))
        {
            var whole = $"{{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$defs\":{_definitions},\"allOf\":[{text}]}}";
            _compiled[text] = compiled = JsonSchema.FromText(whole, Build);
        }
        var result = compiled.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return;
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
        throw new Xunit.Sdk.XunitException($"{where}: the body does not match the document's schema:\n  {string.Join("\n  ", errors)}\nbody: {Shorten(instance.GetRawText())}");
    }

    private JsonNode Resolve(JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? Document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!
            : schema;

    private static bool MediaRangeMatches(string range, string mediaType) =>
        range == "*/*" || string.Equals(range, mediaType, StringComparison.OrdinalIgnoreCase)
        || (range.EndsWith("/*", StringComparison.Ordinal) && mediaType.StartsWith(range[..^1], StringComparison.OrdinalIgnoreCase));

    private static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;
}
