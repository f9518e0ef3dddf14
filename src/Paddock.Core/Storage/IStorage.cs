using Paddock.Core.Auth;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Queue;

namespace Paddock.Core.Storage;

/// <summary>
/// One storage backend, opened: every storage contract on one database, and the signals of its changes. A process uses
/// exactly one (<see cref="StorageOptions.Provider"/>); each backend's project registers itself with
/// <see cref="StorageServiceCollectionExtensions.AddStorageBackend"/>.
/// </summary>
public interface IStorage
{
    IGenerationStore Generations { get; }

    IEventLog Events { get; }

    IApiKeyStore ApiKeys { get; }

    IFileStore Files { get; }

    Webhooks.IWebhookStore Webhooks { get; }
    Quotas.IQuotaStore Quotas { get; }

    IStoreSignals Signals { get; }
}

/// <summary>The storage backends Paddock ships.</summary>
public enum StorageProvider
{
    /// <summary>One embedded SQLite file in the data directory (the default; processes on one machine may share it).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by any number of API and worker processes on any number of machines.</summary>
    Postgres,
}

/// <summary>Which database this process uses (section <c>Paddock:Storage</c>; each backend has its own subsection).</summary>
public sealed class StorageOptions
{
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;
}
