using Paddock.Core.Configuration;

namespace Paddock.Core.Models;

/// <summary>Which models this deployment offers and which backend serves each (section <c>Paddock:Catalog</c>).</summary>
public sealed class CatalogOptions : IValidatedSettings
{
    /// <summary>
    /// A folder of model documents (<c>*.json</c>, the shape of the built-in ones) that a deployment adds, e.g. a
    /// <c>wan2.1-vace-r2v</c> served by ComfyUI. A document with a built-in model's id replaces it.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Model id → the backend that serves it, overriding the model document's <c>engine</c>.</summary>
    public Dictionary<string, string> Backends { get; set; } = new(StringComparer.Ordinal);

    public void Validate(string section, ICollection<string> problems)
    {
        if (Directory is { Length: > 0 } folder && !System.IO.Directory.Exists(folder))
            problems.Add($"{section}:Directory is '{folder}', which is not a folder here");
    }
}
