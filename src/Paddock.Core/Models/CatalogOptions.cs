namespace Paddock.Core.Models;

/// <summary>Which models this deployment offers and which backend serves each (section <c>Paddock:Catalog</c>).</summary>
public sealed class CatalogOptions
{
    /// <summary>Model id → the backend that serves it, overriding the model document's <c>engine</c>.</summary>
    public Dictionary<string, string> Backends { get; set; } = new(StringComparer.Ordinal);
}
