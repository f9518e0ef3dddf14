using Npgsql;
using NpgsqlTypes;
using Paddock.Core.Events;
using Paddock.Core.Webhooks;
using Paddock.Storage.Postgres.Internal;
using Paddock.Storage.Postgres.Writing;

namespace Paddock.Storage.Postgres;

/// <summary>Webhook endpoints and deliveries in the <c>webhook_*</c> tables; obtained from <see cref="PostgresStore.Webhooks"/>.</summary>
public sealed class PostgresWebhookStore : IWebhookStore
{
    private const string EndpointColumns = "namespace, id, url, events, secret, previous_secret, previous_expires_at, description, created_at";
    private const string DeliveryColumns = """
        id, namespace, endpoint_id, url, generation_id, event_seq, event_type, data, event_at, status, attempts, next_attempt_at,
        retry_until, last_attempt_at, response_code, last_error, delivered_at, lease_owner, lease_expires_at
        """;

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;

    internal PostgresWebhookStore(PostgresDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public Task CreateEndpointAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return _database.WriteAsync(context =>
        {
            using var command = context.Command($"INSERT INTO webhook_endpoints ({EndpointColumns}) VALUES (@ns, @id, @url, @events, @secret, @previous, @previous_expires_at, @description, @created_at)");
            command.Parameters.Bind("ns", endpoint.Namespace);
            command.Parameters.Bind("id", endpoint.Id);
            command.Parameters.Add(Nullable("url", endpoint.Url, NpgsqlDbType.Text));
            command.Parameters.Bind("events", endpoint.Events.ToArray());
            command.Parameters.Bind("secret", endpoint.Secret);
            command.Parameters.Add(Nullable("previous", endpoint.PreviousSecret, NpgsqlDbType.Text));
            command.Parameters.Add(Nullable("previous_expires_at", endpoint.PreviousSecretExpiresAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Nullable("description", endpoint.Description, NpgsqlDbType.Text));
            command.Parameters.Bind("created_at", endpoint.CreatedAt);
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(string ns, CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<WebhookEndpoint>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = @ns AND url IS NOT NULL ORDER BY created_at, id", connection);
            command.Parameters.Bind("ns", ns);
            return await ReadEndpointsAsync(command, ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<WebhookEndpoint?> GetEndpointAsync(string ns, string id, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = @ns AND id = @id", connection);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Bind("id", id);
            return (await ReadEndpointsAsync(command, ct).ConfigureAwait(false)).FirstOrDefault();
        }, cancellationToken);

    public Task<bool> DeleteEndpointAsync(string ns, string id, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            using var delete = context.Command("DELETE FROM webhook_endpoints WHERE namespace = @ns AND id = @id AND url IS NOT NULL");
            delete.Parameters.Bind("ns", ns);
            delete.Parameters.Bind("id", id);
            if (delete.ExecuteNonQuery() == 0) return false;
            using var deliveries = context.Command("DELETE FROM webhook_deliveries WHERE namespace = @ns AND endpoint_id = @id");
            deliveries.Parameters.Bind("ns", ns);
            deliveries.Parameters.Bind("id", id);
            deliveries.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    public Task<WebhookEndpoint?> RotateSecretAsync(string ns, string id, string newSecret, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            using var command = context.Command($"""
                UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = @until, secret = @secret
                WHERE namespace = @ns AND id = @id
                RETURNING {EndpointColumns}
                """);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Bind("id", id);
            command.Parameters.Bind("secret", newSecret);
            command.Parameters.Bind("until", previousExpiresAt);
            return ReadEndpoints(command).FirstOrDefault();
        }, cancellationToken);

    public Task<WebhookEndpoint> RequestSignerAsync(string ns, string secretIfNew, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            using (var insert = context.Command($"""
                INSERT INTO webhook_endpoints ({EndpointColumns}) VALUES (@ns, @id, NULL, '{"{}"}', @secret, NULL, NULL, NULL, @now)
                ON CONFLICT (namespace, id) DO NOTHING
                """))
            {
                insert.Parameters.Bind("ns", ns);
                insert.Parameters.Bind("id", WebhookEndpoint.RequestSigner);
                insert.Parameters.Bind("secret", secretIfNew);
                insert.Parameters.Bind("now", Now());
                insert.ExecuteNonQuery();
            }
            using var read = context.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = @ns AND id = @id");
            read.Parameters.Bind("ns", ns);
            read.Parameters.Bind("id", WebhookEndpoint.RequestSigner);
            return ReadEndpoints(read)[0];
        }, cancellationToken);

    public Task AttachGenerationUrlAsync(string ns, IReadOnlyList<Guid> generationIds, string url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generationIds);
        return _database.WriteAsync(context =>
        {
            using var command = context.Command("""
                INSERT INTO generation_webhooks (generation_id, namespace, url) SELECT g, @ns, @url FROM unnest(@ids) AS g
                ON CONFLICT (generation_id) DO NOTHING
                """);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Bind("url", url);
            command.Parameters.Bind("ids", generationIds.ToArray());
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public async Task<int> DeriveDeliveriesAsync(int maxEvents, TimeSpan retryFor, CancellationToken cancellationToken = default)
    {
        // A look on a read connection first: an idle process does not lock the cursor every poll.
        if (!await HasAsync("SELECT EXISTS (SELECT 1 FROM events WHERE seq > (SELECT last_seq FROM webhook_cursor WHERE id = 1))", null, cancellationToken).ConfigureAwait(false))
            return 0;
        return await _database.WriteAsync(context =>
        {
            long cursor;
            // Processes deriving at once take turns here; the second finds the first one's cursor.
            using (var lockCursor = context.Command("SELECT last_seq FROM webhook_cursor WHERE id = 1 FOR UPDATE"))
                cursor = (long)lockCursor.ExecuteScalar()!;
            var events = new List<StoredEvent>();
            using (var read = context.Command("SELECT seq, namespace, type, data, created_at FROM events WHERE seq > @after ORDER BY seq LIMIT @limit"))
            {
                read.Parameters.Bind("after", cursor);
                read.Parameters.Bind("limit", maxEvents);
                using var reader = read.ExecuteReader();
                while (reader.Read())
                    events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), GenerationRows.Time(reader, 4)));
            }
            if (events.Count == 0) return 0;

            var endpoints = new Dictionary<string, List<WebhookEndpoint>>(StringComparer.Ordinal);
            foreach (var e in events.Where(e => WebhookEvents.IsTerminal(e.Type)))
            {
                if (!endpoints.TryGetValue(e.Namespace, out var ofNamespace))
                {
                    using var list = context.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = @ns AND url IS NOT NULL");
                    list.Parameters.Bind("ns", e.Namespace);
                    endpoints[e.Namespace] = ofNamespace = ReadEndpoints(list);
                }
                string? generationUrl = null;
                if (GenerationEvents.GenerationIdOf(e) is { } generation)
                {
                    using var url = context.Command("SELECT url FROM generation_webhooks WHERE generation_id = @id AND namespace = @ns");
                    url.Parameters.Bind("id", generation);
                    url.Parameters.Bind("ns", e.Namespace);
                    generationUrl = url.ExecuteScalar() as string;
                }
                foreach (var delivery in WebhookEvents.DeliveriesFor(e, ofNamespace, generationUrl, retryFor))
                    InsertDelivery(context, delivery);
            }
            using var advance = context.Command("UPDATE webhook_cursor SET last_seq = GREATEST(last_seq, @seq) WHERE id = 1");
            advance.Parameters.Bind("seq", events[^1].Sequence);
            advance.ExecuteNonQuery();
            return events.Count;
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool> HasAsync(string sql, DateTimeOffset? now, CancellationToken cancellationToken) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (now is { } n) command.Parameters.Bind("now", n);
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    private const string DueSql = """
        SELECT EXISTS (SELECT 1 FROM webhook_deliveries
                       WHERE status = 'pending' AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now))
        """;

    private static void InsertDelivery(PostgresWriteContext context, WebhookDelivery d)
    {
        using var command = context.Command($"""
            INSERT INTO webhook_deliveries ({DeliveryColumns})
            VALUES (@id, @ns, @endpoint, @url, @generation, @seq, @type, @data, @event_at, 'pending', 0, @next, @until, NULL, NULL, NULL, NULL, NULL, NULL)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.Bind("id", d.Id);
        command.Parameters.Bind("ns", d.Namespace);
        command.Parameters.Bind("endpoint", d.EndpointId);
        command.Parameters.Bind("url", d.Url);
        command.Parameters.Bind("generation", d.GenerationId);
        command.Parameters.Bind("seq", d.EventSequence);
        command.Parameters.Bind("type", d.EventType);
        command.Parameters.Bind("data", d.Data);
        command.Parameters.Bind("event_at", d.EventAt);
        command.Parameters.Bind("next", d.NextAttemptAt);
        command.Parameters.Bind("until", d.RetryUntil);
        command.ExecuteNonQuery();
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(string owner, TimeSpan leaseDuration, int limit, CancellationToken cancellationToken = default)
    {
        if (!await HasAsync(DueSql, Now(), cancellationToken).ConfigureAwait(false)) return [];
        return await _database.WriteAsync<IReadOnlyList<WebhookDelivery>>(context =>
        {
            var now = Now();
            using var command = context.Command($"""
                UPDATE webhook_deliveries SET lease_owner = @owner, lease_expires_at = @until
                WHERE id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now)
                    ORDER BY next_attempt_at, event_seq
                    LIMIT @limit
                    FOR UPDATE SKIP LOCKED)
                RETURNING {DeliveryColumns}
                """);
            command.Parameters.Bind("owner", owner);
            command.Parameters.Bind("until", now + leaseDuration);
            command.Parameters.Bind("now", now);
            command.Parameters.Bind("limit", limit);
            return ReadDeliveries(command).OrderBy(d => d.NextAttemptAt).ThenBy(d => d.EventSequence).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> RecordAttemptAsync(string deliveryId, string owner, WebhookAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return _database.WriteAsync(context =>
        {
            using var command = context.Command("""
                UPDATE webhook_deliveries SET
                    status = @status, attempts = attempts + 1, last_attempt_at = @at, response_code = @code, last_error = @error,
                    delivered_at = CASE WHEN @delivered THEN @at ELSE delivered_at END,
                    next_attempt_at = COALESCE(@next, next_attempt_at), lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id AND lease_owner = @owner AND status = 'pending'
                """);
            command.Parameters.Bind("id", deliveryId);
            command.Parameters.Bind("owner", owner);
            command.Parameters.Bind("status", attempt.Delivered ? "delivered" : attempt.NextAttemptAt is null ? "failed" : "pending");
            command.Parameters.Bind("at", attempt.At);
            command.Parameters.Add(Nullable("code", attempt.ResponseCode, NpgsqlDbType.Integer));
            command.Parameters.Add(Nullable("error", attempt.Error, NpgsqlDbType.Text));
            command.Parameters.Bind("delivered", attempt.Delivered);
            command.Parameters.Add(Nullable("next", attempt.NextAttemptAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz));
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(string ns, string? endpointId, Guid? generationId, int limit, CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<WebhookDelivery>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"""
                SELECT {DeliveryColumns} FROM webhook_deliveries
                WHERE namespace = @ns AND (@endpoint::text IS NULL OR endpoint_id = @endpoint) AND (@generation::uuid IS NULL OR generation_id = @generation)
                ORDER BY event_seq DESC, endpoint_id
                LIMIT @limit
                """, connection);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Add(Nullable("endpoint", endpointId, NpgsqlDbType.Text));
            command.Parameters.Add(Nullable("generation", generationId, NpgsqlDbType.Uuid));
            command.Parameters.Bind("limit", limit);
            return await ReadDeliveriesAsync(command, ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<WebhookDelivery?> GetDeliveryAsync(string ns, string deliveryId, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE namespace = @ns AND id = @id", connection);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Bind("id", deliveryId);
            return (await ReadDeliveriesAsync(command, ct).ConfigureAwait(false)).FirstOrDefault();
        }, cancellationToken);

    public Task<WebhookDelivery?> RedeliverAsync(string ns, string deliveryId, DateTimeOffset retryUntil, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            using var command = context.Command($"""
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now, retry_until = @until, lease_owner = NULL, lease_expires_at = NULL
                WHERE namespace = @ns AND id = @id
                RETURNING {DeliveryColumns}
                """);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Bind("id", deliveryId);
            command.Parameters.Bind("now", Now());
            command.Parameters.Bind("until", retryUntil);
            return ReadDeliveries(command).FirstOrDefault();
        }, cancellationToken);

    /// <summary>Now, to the microsecond timestamptz keeps.</summary>
    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
    }

    private static NpgsqlParameter Nullable(string name, object? value, NpgsqlDbType type) => new(name, type) { Value = value ?? DBNull.Value };

    private static WebhookEndpoint Endpoint(NpgsqlDataReader reader) => new(
        reader.GetString(1), reader.GetString(0), GenerationRows.NullableString(reader, 2), reader.GetFieldValue<string[]>(3),
        reader.GetString(4), GenerationRows.NullableString(reader, 5), GenerationRows.NullableTime(reader, 6), GenerationRows.NullableString(reader, 7), GenerationRows.Time(reader, 8));

    private static List<WebhookEndpoint> ReadEndpoints(NpgsqlCommand command)
    {
        using var reader = command.ExecuteReader();
        var endpoints = new List<WebhookEndpoint>();
        while (reader.Read()) endpoints.Add(Endpoint(reader));
        return endpoints;
    }

    private static async Task<List<WebhookEndpoint>> ReadEndpointsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var endpoints = new List<WebhookEndpoint>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) endpoints.Add(Endpoint(reader));
        return endpoints;
    }

    private static WebhookDelivery Delivery(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetGuid(4), reader.GetInt64(5),
        reader.GetString(6), reader.GetString(7), GenerationRows.Time(reader, 8), reader.GetString(9) switch
        {
            "pending" => WebhookDeliveryStatus.Pending,
            "delivered" => WebhookDeliveryStatus.Delivered,
            _ => WebhookDeliveryStatus.Failed,
        }, reader.GetInt32(10), GenerationRows.Time(reader, 11), GenerationRows.Time(reader, 12), GenerationRows.NullableTime(reader, 13),
        reader.IsDBNull(14) ? null : reader.GetInt32(14), GenerationRows.NullableString(reader, 15), GenerationRows.NullableTime(reader, 16),
        GenerationRows.NullableString(reader, 17), GenerationRows.NullableTime(reader, 18));

    private static List<WebhookDelivery> ReadDeliveries(NpgsqlCommand command)
    {
        using var reader = command.ExecuteReader();
        var deliveries = new List<WebhookDelivery>();
        while (reader.Read()) deliveries.Add(Delivery(reader));
        return deliveries;
    }

    private static async Task<List<WebhookDelivery>> ReadDeliveriesAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var deliveries = new List<WebhookDelivery>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) deliveries.Add(Delivery(reader));
        return deliveries;
    }
}
