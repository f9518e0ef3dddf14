using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Paddock.Core.Configuration;

/// <summary>A settings class that knows its own rules beyond each value's type (ranges between settings, formats, files that must exist).</summary>
public interface IValidatedSettings
{
    /// <summary>Adds one line per problem, each naming the full setting key, e.g. <c>Paddock:Workers:LeaseDuration must be longer than …</c>.</summary>
    void Validate(string section, ICollection<string> problems);
}

/// <summary>The sections this process binds, so a key under <c>Paddock</c> that none of them reads is reported as a typo.</summary>
public sealed class KnownSettings
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _sectionKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _shared = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records that <paramref name="type"/>'s properties are read from <paramref name="section"/>, and the section's name in each of its ancestors.</summary>
    public void Add(string section, Type type)
    {
        lock (_gate)
        {
            foreach (var key in SettingsBinder.KeysOf(type)) Keys(section).Add(key);
            for (var path = section; path.Contains(':', StringComparison.Ordinal); path = path[..path.LastIndexOf(':')])
                Keys(path[..path.LastIndexOf(':')]).Add(path[(path.LastIndexOf(':') + 1)..]);
        }
    }

    /// <summary>The sections above <paramref name="section"/> (e.g. Paddock and Paddock:Engines for Paddock:Engines:Builtin), nearest last.</summary>
    public static IEnumerable<string> AncestorsOf(string section)
    {
        var parts = section.Split(':');
        for (var i = 1; i < parts.Length; i++) yield return string.Join(':', parts[..i]);
    }

    /// <summary>True the first time a shared section is seen (its whole-section check is registered once).</summary>
    public bool MarkShared(string section)
    {
        lock (_gate) return _shared.Add(section);
    }

    /// <summary>Keys read from <paramref name="section"/> by any settings class or as a subsection.</summary>
    public IReadOnlyCollection<string> KeysOf(string section)
    {
        lock (_gate) return Keys(section).ToList();
    }

    private HashSet<string> Keys(string section)
    {
        if (!_sectionKeys.TryGetValue(section, out var keys))
            _sectionKeys[section] = keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return keys;
    }
}

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from <paramref name="section"/> with <see cref="SettingsBinder"/> and checks it when
    /// the host starts, so a bad value stops the start with a message naming the setting, the value and what it takes.
    /// A section shared by several classes (the root <c>Paddock</c> section) has its unknown keys checked as a whole.
    /// </summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, string section, bool sharedSection = false) where T : class, new()
    {
        var known = KnownSettingsOf(services);
        known.Add(section, typeof(T));
        services.TryAddSingleton(known);
        services.AddSingleton<IConfigureOptions<T>>(sp => new SettingsSetup<T>(sp.GetRequiredService<IConfiguration>(), section, sharedSection));
        services.AddSingleton<IValidateOptions<T>>(sp => (SettingsSetup<T>)sp.GetServices<IConfigureOptions<T>>().First(c => c is SettingsSetup<T>));
        services.AddOptions<T>().ValidateOnStart();
        // Sections read by several classes, and the sections above each one, are checked for unknown keys as a whole.
        foreach (var shared in KnownSettings.AncestorsOf(section).Concat(sharedSection ? [section] : []))
        {
            if (!known.MarkShared(shared)) continue;
            services.AddOptions<SharedSectionCheck>(shared).ValidateOnStart();
            services.AddSingleton<IValidateOptions<SharedSectionCheck>>(sp => new SharedSectionValidator(sp.GetRequiredService<IConfiguration>(), known, shared));
        }
        return services;
    }

    /// <summary>
    /// Declares a section that is read in its own way (e.g. <c>Paddock:Backends</c>, whose keys are names the user
    /// chooses), so the section above it does not report it as unknown.
    /// </summary>
    public static IServiceCollection AddSettingsSection(this IServiceCollection services, string section)
    {
        var known = KnownSettingsOf(services);
        known.Add(section, typeof(object));
        services.TryAddSingleton(known);
        foreach (var shared in KnownSettings.AncestorsOf(section))
        {
            if (!known.MarkShared(shared)) continue;
            services.AddOptions<SharedSectionCheck>(shared).ValidateOnStart();
            services.AddSingleton<IValidateOptions<SharedSectionCheck>>(sp => new SharedSectionValidator(sp.GetRequiredService<IConfiguration>(), known, shared));
        }
        return services;
    }

    /// <summary>Runs every settings check now (for commands that use services without starting a host).</summary>
    public static void ValidateSettings(this IServiceProvider services) => services.GetService<IStartupValidator>()?.Validate();

    private static KnownSettings KnownSettingsOf(IServiceCollection services) =>
        services.FirstOrDefault(d => d.ServiceType == typeof(KnownSettings))?.ImplementationInstance as KnownSettings ?? new KnownSettings();

    private sealed class SettingsSetup<T>(IConfiguration configuration, string section, bool sharedSection) : IConfigureOptions<T>, IValidateOptions<T> where T : class
    {
        private readonly List<string> _problems = [];

        public void Configure(T options)
        {
            lock (_problems)
            {
                _problems.Clear();
                SettingsBinder.Bind(configuration.GetSection(section), options, _problems, reportUnknownKeys: !sharedSection);
                if (options is IValidatedSettings validated) validated.Validate(section, _problems);
            }
        }

        public ValidateOptionsResult Validate(string? name, T options)
        {
            lock (_problems) return _problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_problems.ToList());
        }
    }
}

/// <summary>A marker: the options "value" whose validation checks a shared section's keys against every class reading it.</summary>
public sealed class SharedSectionCheck;

internal sealed class SharedSectionValidator(IConfiguration configuration, KnownSettings known, string section) : IValidateOptions<SharedSectionCheck>
{
    public ValidateOptionsResult Validate(string? name, SharedSectionCheck options)
    {
        if (name != section) return ValidateOptionsResult.Skip;
        var keys = known.KeysOf(section);
        var problems = configuration.GetSection(section).GetChildren()
            .Where(child => !keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            .Select(child => SettingsBinder.UnknownKey(child.Path, section, keys))
            .ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
