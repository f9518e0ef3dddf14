using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paddock.Core.Auth;
using Paddock.Core.Configuration;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Hosting;
using Paddock.Core.Queue;

namespace Paddock.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>Every storage contract on one embedded SQLite file (the default; several processes on one machine may share it).</summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.AddSettings<SqliteStorageOptions>("Paddock:Storage:Sqlite");
        services.AddSingleton(sp => new SqliteStore(
            sp.GetRequiredService<IOptions<SqliteStorageOptions>>().Value.FileUnder(sp.GetRequiredService<IOptions<DataDirectoryOptions>>().Value),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IGenerationStore>(sp => sp.GetRequiredService<SqliteStore>().Generations);
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<SqliteStore>().Events);
        services.AddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<SqliteStore>().ApiKeys);
        services.AddSingleton<IFileStore>(sp => sp.GetRequiredService<SqliteStore>().Files);
        return services;
    }
}
