using Paddock.Storage.Contract;
using Xunit.Abstractions;

namespace Paddock.Storage.Sqlite.Tests;

public sealed class SqliteGenerationStoreTests(ITestOutputHelper output) : GenerationStoreContract<SqliteTestDatabase>(output);

public sealed class SqliteEventLogTests : EventLogContract<SqliteTestDatabase>;

public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContract<SqliteTestDatabase>;

public sealed class SqliteFileStoreTests : FileStoreContract<SqliteTestDatabase>;

public sealed class SqliteWebhookStoreTests : WebhookStoreContract<SqliteTestDatabase>;
public sealed class SqliteQuotaStoreTests : QuotaStoreContract<SqliteTestDatabase>;
public sealed class SqliteRetentionStoreTests : RetentionStoreContract<SqliteTestDatabase>;
