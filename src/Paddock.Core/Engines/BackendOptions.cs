using System.ComponentModel.DataAnnotations;
using Paddock.Core.Configuration;

namespace Paddock.Core.Engines;

/// <summary>
/// What every configured backend has (section <c>Paddock:Backends:NAME</c>); each engine type's options derive from
/// it and add their own settings (base URL, key variable, pool members, timeouts).
/// </summary>
public class BackendOptions : IValidatedSettings
{
    /// <summary>The engine type: <c>happyhorse</c>, <c>comfyui</c>, <c>upstream</c> (or <c>builtin</c>).</summary>
    public string Type { get; set; } = "";

    /// <summary>Generations this backend works on at once in one worker process.</summary>
    [Range(1, 1000)]
    public int Concurrency { get; set; } = 4;

    /// <summary>How often the backend's health is checked (sooner while it is unavailable).</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    public virtual void Validate(string section, ICollection<string> problems)
    {
        if (HealthCheckInterval < TimeSpan.FromSeconds(1))
            problems.Add($"{section}:HealthCheckInterval is {HealthCheckInterval}; it must be at least 00:00:01");
    }

    /// <summary>Reads a secret from the environment variable a setting names; never from the settings themselves.</summary>
    protected static void RequireVariable(string? variable, string section, string key, ICollection<string> problems)
    {
        if (string.IsNullOrWhiteSpace(variable))
            problems.Add($"{section}:{key} is not set; name the environment variable that holds the key (e.g. DASHSCOPE_API_KEY)");
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            problems.Add($"{section}:{key} names the environment variable {variable}, which is not set in this process's environment");
    }
}

/// <summary>Makes the engine of one configured backend from its settings. Each engine project registers one per type.</summary>
public interface IEngineFactory
{
    /// <summary>The <c>Type</c> a backend's settings name to use this factory.</summary>
    string Type { get; }

    /// <summary>A fresh settings object to bind <c>Paddock:Backends:NAME</c> into.</summary>
    BackendOptions CreateOptions();

    IVideoEngine Create(string name, BackendOptions options, IServiceProvider services);
}

/// <summary>The usual shape of a factory: typed settings in, an engine out.</summary>
public abstract class EngineFactory<TOptions> : IEngineFactory where TOptions : BackendOptions, new()
{
    public abstract string Type { get; }

    public BackendOptions CreateOptions() => new TOptions();

    public IVideoEngine Create(string name, BackendOptions options, IServiceProvider services) => Create(name, (TOptions)options, services);

    protected abstract IVideoEngine Create(string name, TOptions options, IServiceProvider services);
}

/// <summary>
/// The name of a backend registered in code rather than configured (the built-in renderer's <c>builtin</c>), known to
/// the settings checks without making its engine (a check must not depend on the settings it checks).
/// </summary>
public sealed record BuiltInBackend(string Name);
