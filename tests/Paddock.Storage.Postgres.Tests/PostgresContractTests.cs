using Paddock.Storage.Contract;
using Xunit.Abstractions;

namespace Paddock.Storage.Postgres.Tests;

public sealed class PostgresGenerationStoreTests(ITestOutputHelper output) : GenerationStoreContract<PostgresTestDatabase>(output);

public sealed class PostgresEventLogTests : EventLogContract<PostgresTestDatabase>;

public sealed class PostgresApiKeyStoreTests : ApiKeyStoreContract<PostgresTestDatabase>;

public sealed class PostgresFileStoreTests : FileStoreContract<PostgresTestDatabase>;

public sealed class PostgresWebhookStoreTests : WebhookStoreContract<PostgresTestDatabase>;
public sealed class PostgresQuotaStoreTests : QuotaStoreContract<PostgresTestDatabase>;
public sealed class PostgresRetentionStoreTests : RetentionStoreContract<PostgresTestDatabase>;
