using Paddock.Storage.Contract;
using Xunit.Abstractions;

namespace Paddock.Storage.Sqlite.Tests;

public sealed class SqliteGenerationStoreTests(ITestOutputHelper output) : GenerationStoreContract(output)
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<StoreUnderTest> OpenStoreAsync(TimeProvider time) => Task.FromResult(_database.Open(time));

    protected override Task DropDatabaseAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteEventLogTests : EventLogContract
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<StoreUnderTest> OpenStoreAsync(TimeProvider time) => Task.FromResult(_database.Open(time));

    protected override Task DropDatabaseAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContract
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<StoreUnderTest> OpenStoreAsync(TimeProvider time) => Task.FromResult(_database.Open(time));

    protected override Task DropDatabaseAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteFileStoreTests : FileStoreContract
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<StoreUnderTest> OpenStoreAsync(TimeProvider time) => Task.FromResult(_database.Open(time));

    protected override Task DropDatabaseAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }
}
