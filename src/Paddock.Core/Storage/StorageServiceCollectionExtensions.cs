using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paddock.Core.Auth;
using Paddock.Core.Configuration;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Queue;

namespace Paddock.Core.Storage;

/// <summary>A backend's way to open itself, registered by its project.</summary>
public sealed record StorageBackend(StorageProvider Provider, Func<IServiceProvider, IStorage> Open);

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers a storage backend. Every backend a process can use is registered (so each one's settings are checked
    /// and known wherever they are given); the one named by <c>Paddock:Storage:Provider</c> is opened, on first use, and
    /// serves every storage contract.
    /// </summary>
    public static IServiceCollection AddStorageBackend(this IServiceCollection services, StorageProvider provider, Func<IServiceProvider, IStorage> open)
    {
        services.AddSingleton(new StorageBackend(provider, open));
        if (services.Any(d => d.ServiceType == typeof(IStorage))) return services;

        services.AddSettings<StorageOptions>("Paddock:Storage", sharedSection: true);
        services.AddSingleton<IStorage>(sp =>
        {
            var chosen = sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider;
            var backend = sp.GetServices<StorageBackend>().LastOrDefault(b => b.Provider == chosen)
                ?? throw new Hosting.StartupException($"Paddock:Storage:Provider is {chosen.ToString().ToLowerInvariant()}, but this program was built without that storage backend");
            return backend.Open(sp);
        });
        services.TryAddSingleton<IGenerationStore>(sp => sp.GetRequiredService<IStorage>().Generations);
        services.TryAddSingleton<IEventLog>(sp => sp.GetRequiredService<IStorage>().Events);
        services.TryAddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<IStorage>().ApiKeys);
        services.TryAddSingleton<IFileStore>(sp => sp.GetRequiredService<IStorage>().Files);
        services.TryAddSingleton<Webhooks.IWebhookStore>(sp => sp.GetRequiredService<IStorage>().Webhooks);
        services.TryAddSingleton<Quotas.IQuotaStore>(sp => sp.GetRequiredService<IStorage>().Quotas);
        services.TryAddSingleton<IStoreSignals>(sp => sp.GetRequiredService<IStorage>().Signals);
        return services;
    }
}
