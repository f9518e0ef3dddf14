using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Client.Internal;

namespace Paddock.Client;

/// <summary>A model of the catalog (<c>GET /api/ai/models/{id}</c>), with its request schema.</summary>
public sealed class PaddockModel
{
    private PaddockModel(JsonElement json)
    {
        Json = json;
        Id = Internal.Json.String(json, "id") ?? "";
        DisplayName = Internal.Json.String(json, "display_name");
        Description = Internal.Json.String(json, "description");
        OwnedBy = Internal.Json.String(json, "owned_by");
        Created = Internal.Json.Time(json, "created");
        ModelType = Internal.Json.String(json, "model_type");
        Endpoint = Internal.Json.String(json, "endpoint");
        ReleasedAt = Internal.Json.Time(json, "released_at");
        var capabilities = Internal.Json.Property(json, "capabilities");
        InputCapabilities = capabilities is { } c ? Internal.Json.Strings(c, "input") : [];
        OutputCapabilities = capabilities is { } d ? Internal.Json.Strings(d, "output") : [];
        DeveloperName = Internal.Json.Property(json, "developer") switch
        {
            { ValueKind: JsonValueKind.Object } dev => Internal.Json.String(dev, "display_name") ?? Internal.Json.String(dev, "name"),
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            _ => null,
        };
        if (Internal.Json.Property(json, "engine") is { } engine)
        {
            EngineName = engine.ValueKind == JsonValueKind.String ? engine.GetString() : Internal.Json.String(engine, "name");
            EngineVersion = engine.ValueKind == JsonValueKind.Object ? Internal.Json.String(engine, "version") : null;
        }
    }

    /// <summary>The model id used in requests, e.g. <c>happyhorse-1.0-r2v</c>.</summary>
    public string Id { get; }

    /// <summary>The name to show people.</summary>
    public string? DisplayName { get; }

    /// <summary>What the model does.</summary>
    public string? Description { get; }

    /// <summary>Who owns the model.</summary>
    public string? OwnedBy { get; }

    /// <summary>The developer's name.</summary>
    public string? DeveloperName { get; }

    /// <summary>When the model entered the catalog.</summary>
    public DateTimeOffset? Created { get; }

    /// <summary>When the model was released.</summary>
    public DateTimeOffset? ReleasedAt { get; }

    /// <summary>The model's type, <c>base</c>.</summary>
    public string? ModelType { get; }

    /// <summary>The endpoint that runs it, <c>/videos/generate</c>.</summary>
    public string? Endpoint { get; }

    /// <summary>What it takes in, e.g. <c>text</c>, <c>image</c>.</summary>
    public IReadOnlyList<string> InputCapabilities { get; }

    /// <summary>What it makes, e.g. <c>video</c>.</summary>
    public IReadOnlyList<string> OutputCapabilities { get; }

    /// <summary>Which engine renders it on this server (a Paddock extension; null elsewhere).</summary>
    public string? EngineName { get; }

    /// <summary>That engine's version (a Paddock extension; null elsewhere).</summary>
    public string? EngineVersion { get; }

    /// <summary>The model exactly as the server sent it, with fields this type does not model (pricing, the schemas).</summary>
    public JsonElement Json { get; }

    /// <summary>
    /// The JSON Schema that requests for this model must match (<c>json_request_schema</c>, or <c>request_schema</c>),
    /// with display hints (<c>basic</c>, <c>x-order</c>, <c>renderType</c>). A new copy on each call; null if the server sent none.
    /// </summary>
    /// <returns>The schema, or null.</returns>
    public JsonObject? GetRequestSchema()
    {
        var schema = Internal.Json.Property(Json, "json_request_schema") ?? Internal.Json.Property(Json, "request_schema");
        return schema is { ValueKind: JsonValueKind.Object } s ? JsonNode.Parse(s.GetRawText())!.AsObject() : null;
    }

    internal static PaddockModel FromJson(JsonElement json) => new(json.Clone());

    /// <inheritdoc/>
    public override string ToString() => Id;
}
