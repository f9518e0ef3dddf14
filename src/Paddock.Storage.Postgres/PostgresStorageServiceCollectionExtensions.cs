using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Configuration;
using Paddock.Core.Storage;

namespace Paddock.Storage.Postgres;

public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>
    /// Every storage contract on a PostgreSQL database (<c>Paddock:Storage:Provider=postgres</c> with
    /// <c>Paddock:Storage:Postgres:ConnectionString</c>), shared by any number of API and worker processes.
    /// </summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services)
    {
        services.AddSettings<PostgresStorageOptions>("Paddock:Storage:Postgres");
        services.AddSingleton<IValidateOptions<StorageOptions>, ConnectionStringGiven>();
        services.AddSingleton(sp => new PostgresStore(
            sp.GetRequiredService<IOptions<PostgresStorageOptions>>().Value.ConnectionString!,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<PostgresStore>>()));
        services.AddStorageBackend(StorageProvider.Postgres, sp => sp.GetRequiredService<PostgresStore>());
        return services;
    }

    /// <summary>The connection string is needed only when PostgreSQL is the chosen storage; then it is checked at start.</summary>
    private sealed class ConnectionStringGiven(IOptions<PostgresStorageOptions> postgres) : IValidateOptions<StorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
            options.Provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(postgres.Value.ConnectionString)
                ? ValidateOptionsResult.Fail("Paddock:Storage:Provider is postgres, but Paddock:Storage:Postgres:ConnectionString is not set; give it, e.g. PADDOCK__STORAGE__POSTGRES__CONNECTIONSTRING='Host=db;Database=paddock;Username=paddock;Password=…'")
                : ValidateOptionsResult.Success;
    }
}
