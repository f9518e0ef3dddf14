using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Paddock.Core.Engines;

namespace Paddock.Core.Models;

/// <summary>At start: the catalog's documents load, and every model is served by a backend this deployment has.</summary>
public sealed class CatalogValidator(IConfiguration configuration, IEnumerable<BuiltInBackend> builtIn) : IValidateOptions<CatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogOptions options)
    {
        var problems = new List<string>();
        var catalog = ModelCatalog.Load(options, problems);
        var backends = builtIn.Select(b => b.Name)
            .Concat(configuration.GetSection(EngineRegistry.BackendsSection).GetChildren().Select(c => c.Key))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var model in catalog.All.Where(m => !backends.Contains(m.Engine)))
        {
            problems.Add(options.Backends.ContainsKey(model.Id)
                ? $"Paddock:Catalog:Backends:{model.Id} is '{model.Engine}', which is not a backend here; configure {EngineRegistry.BackendsSection}:{model.Engine}, or use one of {string.Join(", ", backends.Order(StringComparer.Ordinal))}"
                : $"model {model.Id} is served by backend '{model.Engine}' (its document's engine), which is not configured; configure {EngineRegistry.BackendsSection}:{model.Engine}, or map the model with Paddock:Catalog:Backends:{model.Id}");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
