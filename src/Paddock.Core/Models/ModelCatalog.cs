using System.Text.Json.Nodes;
using Json.Schema;

namespace Paddock.Core.Models;

/// <summary>The models this server offers, loaded from JSON documents kept as data (Models/Catalog/*.json).</summary>
public sealed class ModelCatalog
{
    private static readonly BuildOptions SchemaBuildOptions = new() { Dialect = Dialect.Draft202012 };
    private readonly Dictionary<string, ModelDefinition> _models;

    public ModelCatalog(IEnumerable<ModelDefinition> models)
    {
        _models = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<ModelDefinition> All => _models.Values.OrderBy(m => m.Id, StringComparer.Ordinal).ToList();

    public ModelDefinition? Find(string id) => _models.GetValueOrDefault(id);

    /// <summary>The catalog built into Paddock, with each model's engine overridden from configuration where given.</summary>
    public static ModelCatalog LoadBuiltIn(IReadOnlyDictionary<string, string>? engineOverrides = null)
    {
        var assembly = typeof(ModelCatalog).Assembly;
        var models = new List<ModelDefinition>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Paddock.Catalog.", StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var model = Parse(JsonNode.Parse(stream)!.AsObject());
            if (engineOverrides is not null && engineOverrides.TryGetValue(model.Id, out var engine))
                model = Parse(WithEngine(model, engine));
            models.Add(model);
        }
        return new ModelCatalog(models);
    }

    public static ModelDefinition Parse(JsonObject doc)
    {
        string Str(string key) => doc[key]?.GetValue<string>() ?? throw new InvalidDataException($"model document lacks '{key}'");
        var schema = doc["request_schema"]?.AsObject() ?? throw new InvalidDataException("model document lacks 'request_schema'");
        return new ModelDefinition
        {
            Id = Str("id"),
            DisplayName = Str("display_name"),
            Description = Str("description"),
            OwnedBy = Str("owned_by"),
            Developer = doc["developer"]?.AsObject().DeepClone().AsObject() ?? new JsonObject(),
            Created = doc["created"]?.GetValue<long>() ?? 0,
            ReleasedAt = Str("released_at"),
            MediaType = Str("media_type"),
            Capabilities = doc["capabilities"]?.DeepClone().AsObject() ?? new JsonObject(),
            Engine = Str("engine"),
            RequestSchema = schema.DeepClone().AsObject(),
            Validator = JsonSchema.FromText(schema.ToJsonString(), SchemaBuildOptions),
        };
    }

    private static JsonObject WithEngine(ModelDefinition model, string engine)
    {
        var doc = new JsonObject
        {
            ["id"] = model.Id,
            ["display_name"] = model.DisplayName,
            ["description"] = model.Description,
            ["owned_by"] = model.OwnedBy,
            ["developer"] = model.Developer.DeepClone(),
            ["created"] = model.Created,
            ["released_at"] = model.ReleasedAt,
            ["media_type"] = model.MediaType,
            ["capabilities"] = model.Capabilities.DeepClone(),
            ["engine"] = engine,
            ["request_schema"] = model.RequestSchema.DeepClone(),
        };
        return doc;
    }
}
