using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paddock.Core.Auth;
using Paddock.Core.Blobs;
using Paddock.Core.Configuration;
using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Generations;
using Paddock.Core.Maintenance;
using Paddock.Core.Models;
using Paddock.Core.Orchestration;
using Paddock.Core.References;
using Paddock.Core.Security;

namespace Paddock.Core.Hosting;

/// <summary>
/// How Paddock's core registers itself. A process composes Core with one storage backend, one blob store and its
/// engines (each registered by its own project); the HTTP surface and the workers are added by the roles that run them.
/// </summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>The generation service, catalog, events, reference fetching and files: what every role needs.</summary>
    public static IServiceCollection AddPaddockCore(this IServiceCollection services)
    {
        services.AddSettings<DataDirectoryOptions>("Paddock", sharedSection: true);
        services.AddSettings<PublicUrlOptions>("Paddock", sharedSection: true);
        services.AddSettings<WorkerOptions>("Paddock:Workers");
        services.AddSettings<ReferenceFetchOptions>("Paddock:References");
        services.AddSettings<Files.FileOptions>("Paddock:Files");
        services.AddSettings<CatalogOptions>("Paddock:Catalog");
        services.AddSettings<SigningOptions>("Paddock", sharedSection: true);
        services.AddSettings<MaintenanceOptions>("Paddock:Maintenance");
        services.AddSettings<Webhooks.WebhookOptions>("Paddock:Webhooks");
        services.AddSettings<Telemetry.TelemetryOptions>("Paddock:Telemetry");
        services.AddSettings<Quotas.QuotaOptions>("Paddock:Quotas");
        services.AddSettings<Auth.AdminOptions>(Auth.AdminOptions.Section);
        services.AddSettings<Retention.RetentionOptions>("Paddock:Retention");

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new Telemetry.PaddockMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService<Telemetry.QueueDepthSampler>();
        services.AddSingleton(sp => ModelCatalog.Load(sp.GetRequiredService<IOptions<CatalogOptions>>().Value, problems: null));
        services.AddSingleton<IValidateOptions<CatalogOptions>, CatalogValidator>();
        services.AddSingleton(sp => new EngineRegistry(sp.GetServices<IVideoEngine>(), sp.GetServices<IEngineFactory>(), sp.GetRequiredService<IConfiguration>(), sp));
        services.AddOptions<BackendSettingsValidator.Check>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackendSettingsValidator.Check>, BackendSettingsValidator>();
        services.AddSettingsSection(EngineRegistry.BackendsSection);
        services.AddSingleton<BackendMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<BackendMonitor>());
        services.AddSingleton<RenderJobs>();
        services.AddSingleton<IReferenceLinks, ReferenceLinks>();
        services.AddSingleton<SigningKey>();
        services.AddSingleton(sp => new UrlSigner(sp.GetRequiredService<SigningKey>().Bytes, sp.GetRequiredService<TimeProvider>()));

        services.AddSingleton<FileService>();
        services.AddSingleton<SelfHosts>();
        services.AddSingleton<ILocalReferenceSource, LocalFileReferences>();
        services.AddSingleton<InlineImages>();
        services.AddSingleton(sp => new ReferenceFetcher(sp.GetRequiredService<IOptions<ReferenceFetchOptions>>().Value, sp.GetRequiredService<ILocalReferenceSource>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<InlineImages>(), sp.GetRequiredService<Telemetry.PaddockMetrics>()));

        services.AddSingleton<QueueSignal>();
        services.AddSingleton<CancellationHub>();
        services.TryAddSingleton<IFanOutPacer, NoFanOutPacing>(); // the HTTP host paces by its transport's buffers
        services.AddSingleton<EventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<EventHub>());
        services.AddHostedService<Storage.StoreSignalRelay>();
        services.AddSingleton<Quotas.QuotaService>();
        services.AddSingleton<GenerationService>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton(sp => new Webhooks.WebhookReceivers(sp.GetRequiredService<IOptions<Webhooks.WebhookOptions>>().Value));
        services.AddSingleton<Webhooks.WebhookService>();
        // Every role: workers hand back on a stop, event streams wait for that (at once where there are no workers).
        services.AddSingleton<WorkerShutdown>();

        // This process's work folder under the data directory, and the sweeps that reclaim what dead processes left
        // (every role may run them: each rule is safe with other processes on the same data directory and database).
        services.AddSingleton(sp => new WorkArea(sp.GetRequiredService<IOptions<DataDirectoryOptions>>().Value.WorkDirectory));
        services.AddSingleton<WorkAreaSweeper>();
        services.AddHostedService<LeftoverReclaimer>();
        services.AddHostedService<IdleMemoryTrimmer>();
        services.AddSingleton<Retention.RetentionPolicy>();
        services.AddSingleton<Retention.RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<Retention.RetentionSweeper>());
        return services;
    }

    /// <summary>
    /// This process sends webhook deliveries (unless <c>Paddock:Webhooks:Deliver</c> is false): the long-running roles,
    /// serve and worker. Any number of processes may, on one database.
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton<Webhooks.IWebhookOutputLinks, Webhooks.ConfiguredOutputLinks>();
        // One payload builder per face: an endpoint's events say which face's body its deliveries carry.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Webhooks.IWebhookPayloadBuilder, Webhooks.PaddockEventPayloads>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Webhooks.IWebhookPayloadBuilder, Webhooks.OpenAIVideoEvents>());
        services.AddSingleton(sp => new Webhooks.WebhookSender(sp.GetRequiredService<IOptions<Webhooks.WebhookOptions>>().Value,
            sp.GetRequiredService<Webhooks.WebhookReceivers>(), sp.GetServices<Webhooks.IWebhookPayloadBuilder>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<Webhooks.WebhookDispatcher>();
        return services;
    }

    /// <summary>This process renders: <see cref="WorkerOptions.Concurrency"/> workers claim generations from the shared queue.</summary>
    public static IServiceCollection AddPaddockWorkers(this IServiceCollection services)
    {
        services.AddSingleton<GenerationProcessor>();
        services.AddHostedService<WorkerPool>();
        return services;
    }

    /// <summary>Blobs (outputs, uploads) in a folder on the local disk: the embedded default (<c>Paddock:Blobs:Provider=local</c>).</summary>
    public static IServiceCollection AddLocalDiskBlobs(this IServiceCollection services)
    {
        services.AddSettings<LocalDiskBlobOptions>("Paddock:Blobs:Local");
        return services.AddBlobBackend(BlobProvider.Local, sp => new LocalDiskBlobStore(
            sp.GetRequiredService<IOptions<LocalDiskBlobOptions>>().Value.DirectoryUnder(sp.GetRequiredService<IOptions<DataDirectoryOptions>>().Value)));
    }

    /// <summary>
    /// Registers a blob store. Every store a process can use is registered (so each one's settings are checked wherever
    /// they are given); the one named by <c>Paddock:Blobs:Provider</c> is opened on first use.
    /// </summary>
    public static IServiceCollection AddBlobBackend(this IServiceCollection services, BlobProvider provider, Func<IServiceProvider, IBlobStore> open)
    {
        services.AddSingleton(new BlobBackend(provider, open));
        if (services.Any(d => d.ServiceType == typeof(IBlobStore))) return services;
        services.AddSettings<BlobOptions>("Paddock:Blobs", sharedSection: true);
        services.AddSingleton<IBlobStore>(sp =>
        {
            var chosen = sp.GetRequiredService<IOptions<BlobOptions>>().Value.Provider;
            var backend = sp.GetServices<BlobBackend>().LastOrDefault(b => b.Provider == chosen)
                ?? throw new StartupException($"Paddock:Blobs:Provider is {chosen.ToString().ToLowerInvariant()}, but this program was built without that blob store");
            return backend.Open(sp);
        });
        return services;
    }
}
