using Paddock.Storage.Contract;
using Paddock.Testing;

namespace Paddock.Storage.Postgres.Tests;

/// <summary>A database of the test's own on the shared test server (<see cref="PostgresCluster"/>), dropped at the end of the test.</summary>
public sealed class PostgresTestDatabase : IStoreBackend
{
    private string? _connectionString;

    public async Task<string> ConnectionStringAsync()
    {
        if (_connectionString is null)
        {
            var cluster = await PostgresCluster.SharedAsync();
            _connectionString = await cluster.CreateDatabaseAsync();
        }
        return _connectionString;
    }

    public async Task<PostgresStore> OpenPostgresAsync(TimeProvider time) => new(await ConnectionStringAsync(), time);

    public async Task<StoreUnderTest> OpenAsync(TimeProvider time)
    {
        var store = await OpenPostgresAsync(time);
        return new StoreUnderTest(store.Generations, store.Events, store.ApiKeys, store.Files, store.Webhooks, store.Quotas, store);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connectionString is null) return;
        await (await PostgresCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }
}
