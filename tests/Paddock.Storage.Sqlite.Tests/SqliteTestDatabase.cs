using Paddock.Storage.Contract;

namespace Paddock.Storage.Sqlite.Tests;

/// <summary>A database file in a folder of its own under the temp folder, removed at the end of the test.</summary>
public sealed class SqliteTestDatabase : IStoreBackend, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "paddock-sqlite-tests", Guid.NewGuid().ToString("N"));

    public SqliteTestDatabase() => FilePath = Path.Combine(_folder, "paddock.db");

    public string FilePath { get; }

    public SqliteStore OpenSqlite(TimeProvider time) => new(FilePath, time);

    public Task<StoreUnderTest> OpenAsync(TimeProvider time)
    {
        var store = OpenSqlite(time);
        return Task.FromResult(new StoreUnderTest(store.Generations, store.Events, store.ApiKeys, store.Files, store.Webhooks, store.Quotas, store));
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
