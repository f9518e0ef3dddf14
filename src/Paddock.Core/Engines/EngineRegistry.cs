using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;

namespace Paddock.Core.Engines;

/// <summary>
/// The backends this process can run, by name: the engines registered in code (the built-in renderer as
/// <c>builtin</c>) and one engine per configured backend (<c>Paddock:Backends:NAME</c>, made by its type's factory).
/// </summary>
public sealed class EngineRegistry
{
    public const string BackendsSection = "Paddock:Backends";

    private readonly Dictionary<string, IVideoEngine> _engines;

    public EngineRegistry(IEnumerable<IVideoEngine> engines) => _engines = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public EngineRegistry(IEnumerable<IVideoEngine> engines, IEnumerable<IEngineFactory> factories, IConfiguration configuration, IServiceProvider services)
        : this(engines)
    {
        var byType = factories.ToDictionary(f => f.Type, StringComparer.OrdinalIgnoreCase);
        foreach (var backend in configuration.GetSection(BackendsSection).GetChildren())
        {
            var problems = new List<string>();
            var (factory, options) = Bind(backend, byType, problems);
            // Settings are checked at start (BackendSettingsValidator); a process that skipped that check still refuses here.
            if (problems.Count > 0 || factory is null || options is null) throw new OptionsValidationException(BackendsSection, typeof(BackendOptions), problems);
            _engines[backend.Key] = factory.Create(backend.Key, options, services);
        }
    }

    public IVideoEngine? Find(string name) => _engines.GetValueOrDefault(name);

    public IReadOnlyCollection<string> Names => _engines.Keys;

    public IReadOnlyCollection<IVideoEngine> All => _engines.Values;

    /// <summary>Binds one backend's section with its type's settings class, collecting every problem.</summary>
    internal static (IEngineFactory? Factory, BackendOptions? Options) Bind(IConfigurationSection backend, IReadOnlyDictionary<string, IEngineFactory> byType, ICollection<string> problems)
    {
        var type = backend["Type"];
        if (string.IsNullOrWhiteSpace(type))
        {
            problems.Add($"{backend.Path}:Type is not set; it must be one of {string.Join(", ", byType.Keys.Order())}");
            return (null, null);
        }
        if (!byType.TryGetValue(type, out var factory))
        {
            problems.Add($"{backend.Path}:Type is '{type}'; it must be one of {string.Join(", ", byType.Keys.Order())}");
            return (null, null);
        }
        var options = factory.CreateOptions();
        SettingsBinder.Bind(backend, options, problems);
        options.Validate(backend.Path, problems);
        return (factory, options);
    }
}

/// <summary>Checks every configured backend's settings at start, with every problem named, like any other setting.</summary>
public sealed class BackendSettingsValidator(IConfiguration configuration, IEnumerable<IEngineFactory> factories, IEnumerable<BuiltInBackend> builtIn) : IValidateOptions<BackendSettingsValidator.Check>
{
    /// <summary>The options "value" whose validation runs this check.</summary>
    public sealed class Check;

    public ValidateOptionsResult Validate(string? name, Check options)
    {
        var byType = factories.ToDictionary(f => f.Type, StringComparer.OrdinalIgnoreCase);
        var reserved = builtIn.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var backend in configuration.GetSection(EngineRegistry.BackendsSection).GetChildren())
        {
            if (reserved.Contains(backend.Key))
            {
                problems.Add($"{backend.Path}: '{backend.Key}' is the name of a backend built into Paddock; give yours another name");
                continue;
            }
            EngineRegistry.Bind(backend, byType, problems);
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
