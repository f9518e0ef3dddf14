namespace Paddock.Core.Engines;

/// <summary>The engines this process can run, by name; a model's configuration names one.</summary>
public sealed class EngineRegistry(IEnumerable<IVideoEngine> engines)
{
    private readonly Dictionary<string, IVideoEngine> _engines = engines.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    public IVideoEngine? Find(string name) => _engines.GetValueOrDefault(name);

    public IReadOnlyCollection<string> Names => _engines.Keys;
}
