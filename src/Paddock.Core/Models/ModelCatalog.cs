using System.Text.Json.Nodes;
using Json.Schema;
using Paddock.Core.Validation;

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

    /// <summary>The models a backend serves.</summary>
    public IReadOnlyList<string> ModelsServedBy(string backend) =>
        _models.Values.Where(m => m.Engine == backend).Select(m => m.Id).Order(StringComparer.Ordinal).ToList();

    /// <summary>The catalog built into Paddock, with each model's engine overridden from configuration where given.</summary>
    public static ModelCatalog LoadBuiltIn(IReadOnlyDictionary<string, string>? engineOverrides = null) =>
        Load(new CatalogOptions { Backends = engineOverrides?.ToDictionary(StringComparer.Ordinal) ?? [] }, problems: null);

    /// <summary>
    /// The built-in models, then the documents of <see cref="CatalogOptions.Directory"/> (a document with a built-in id
    /// replaces it), then the backend overrides. With <paramref name="problems"/>, a bad document or an override of an
    /// unknown model is reported there (the start fails, naming it) instead of thrown.
    /// </summary>
    public static ModelCatalog Load(CatalogOptions options, ICollection<string>? problems)
    {
        var models = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        var assembly = typeof(ModelCatalog).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Paddock.Catalog.", StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var model = Parse(JsonNode.Parse(stream)!.AsObject());
            models[model.Id] = model;
        }
        if (options.Directory is { Length: > 0 } folder && Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                try
                {
                    var model = Parse(JsonNode.Parse(File.ReadAllText(file))?.AsObject() ?? throw new InvalidDataException("it is not a JSON object"));
                    models[model.Id] = model;
                }
                catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or InvalidOperationException or ArgumentException or Json.Schema.JsonSchemaException)
                {
                    var message = $"Paddock:Catalog:Directory: {file} is not a usable model document: {e.Message}";
                    if (problems is null) throw new InvalidDataException(message, e);
                    problems.Add(message);
                }
            }
        }
        foreach (var (id, backend) in options.Backends)
        {
            if (models.TryGetValue(id, out var model)) models[id] = Parse(WithEngine(model, backend));
            else if (problems is not null) problems.Add($"Paddock:Catalog:Backends:{id} names a model this server does not have (models: {string.Join(", ", models.Keys.Order(StringComparer.Ordinal))})");
        }
        return new ModelCatalog(models.Values);
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
            CompiledSchema = CompiledRequestSchema.TryCompile(schema),
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
