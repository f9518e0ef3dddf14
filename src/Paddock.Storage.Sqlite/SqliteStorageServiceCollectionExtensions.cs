using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;
using Paddock.Core.Hosting;
using Paddock.Core.Storage;

namespace Paddock.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>
    /// Every storage contract on one embedded SQLite file (<c>Paddock:Storage:Provider=sqlite</c>, the default; several
    /// processes on one machine may share it).
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.AddSettings<SqliteStorageOptions>("Paddock:Storage:Sqlite");
        services.AddSingleton(sp => new SqliteStore(
            sp.GetRequiredService<IOptions<SqliteStorageOptions>>().Value.FileUnder(sp.GetRequiredService<IOptions<DataDirectoryOptions>>().Value),
            sp.GetRequiredService<TimeProvider>()));
        services.AddStorageBackend(StorageProvider.Sqlite, sp => sp.GetRequiredService<SqliteStore>());
        return services;
    }
}
