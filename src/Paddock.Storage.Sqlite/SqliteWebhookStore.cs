using System.Text.Json;
using Microsoft.Data.Sqlite;
using Paddock.Core.Events;
using Paddock.Core.Webhooks;
using Paddock.Storage.Sqlite.Internal;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite;

/// <summary>Webhook endpoints and deliveries in the <c>webhook_*</c> tables; obtained from <see cref="SqliteStore.Webhooks"/>.</summary>
public sealed class SqliteWebhookStore : IWebhookStore
{
    private const string EndpointColumns = "namespace, id, url, events, secret, previous_secret, previous_expires_at, description, created_at";
    private const string DeliveryColumns = """
        id, namespace, endpoint_id, url, generation_id, event_seq, event_type, data, event_at, status, attempts, next_attempt_at,
        retry_until, last_attempt_at, response_code, last_error, delivered_at, lease_owner, lease_expires_at
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    internal SqliteWebhookStore(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    private long Now => SqliteValues.ToUnixMilliseconds(_time.GetUtcNow());

    public Task CreateEndpointAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return _database.WriteAsync(context => InsertEndpoint(context, endpoint), cancellationToken);
    }

    private static int InsertEndpoint(SqliteWriteContext context, WebhookEndpoint endpoint)
    {
        var command = context.Command($"INSERT INTO webhook_endpoints ({EndpointColumns}) VALUES ($ns, $id, $url, $events, $secret, $previous, $previous_expires_at, $description, $created_at)");
        command.Parameters.Add("$ns", endpoint.Namespace);
        command.Parameters.Add("$id", endpoint.Id);
        command.Parameters.Add("$url", endpoint.Url);
        command.Parameters.Add("$events", JsonSerializer.Serialize(endpoint.Events));
        command.Parameters.Add("$secret", endpoint.Secret);
        command.Parameters.Add("$previous", endpoint.PreviousSecret);
        command.Parameters.Add("$previous_expires_at", endpoint.PreviousSecretExpiresAt is { } p ? SqliteValues.ToUnixMilliseconds(p) : null);
        command.Parameters.Add("$description", endpoint.Description);
        command.Parameters.Add("$created_at", SqliteValues.ToUnixMilliseconds(endpoint.CreatedAt));
        return command.ExecuteNonQuery();
    }

    public Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(string ns, CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<WebhookEndpoint>>(connection =>
        {
            var command = connection.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = $ns AND url IS NOT NULL ORDER BY created_at, id");
            command.Parameters.Add("$ns", ns);
            return ReadEndpoints(command);
        }, cancellationToken);

    public Task<WebhookEndpoint?> GetEndpointAsync(string ns, string id, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(connection =>
        {
            var command = connection.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = $ns AND id = $id");
            command.Parameters.Add("$ns", ns);
            command.Parameters.Add("$id", id);
            return ReadEndpoints(command).FirstOrDefault();
        }, cancellationToken);

    public Task<bool> DeleteEndpointAsync(string ns, string id, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            var delete = context.Command("DELETE FROM webhook_endpoints WHERE namespace = $ns AND id = $id AND url IS NOT NULL");
            delete.Parameters.Add("$ns", ns);
            delete.Parameters.Add("$id", id);
            if (delete.ExecuteNonQuery() == 0) return false;
            var deliveries = context.Command("DELETE FROM webhook_deliveries WHERE namespace = $ns AND endpoint_id = $id");
            deliveries.Parameters.Add("$ns", ns);
            deliveries.Parameters.Add("$id", id);
            deliveries.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    public Task<WebhookEndpoint?> RotateSecretAsync(string ns, string id, string newSecret, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            var command = context.Command($"""
                UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = $until, secret = $secret
                WHERE namespace = $ns AND id = $id
                RETURNING {EndpointColumns}
                """);
            command.Parameters.Add("$ns", ns);
            command.Parameters.Add("$id", id);
            command.Parameters.Add("$secret", newSecret);
            command.Parameters.Add("$until", SqliteValues.ToUnixMilliseconds(previousExpiresAt));
            return ReadEndpoints(command).FirstOrDefault();
        }, cancellationToken);

    public Task<WebhookEndpoint> RequestSignerAsync(string ns, string secretIfNew, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            var insert = context.Command($"""
                INSERT INTO webhook_endpoints ({EndpointColumns}) VALUES ($ns, $id, NULL, '[]', $secret, NULL, NULL, NULL, $now)
                ON CONFLICT (namespace, id) DO NOTHING
                """);
            insert.Parameters.Add("$ns", ns);
            insert.Parameters.Add("$id", WebhookEndpoint.RequestSigner);
            insert.Parameters.Add("$secret", secretIfNew);
            insert.Parameters.Add("$now", Now);
            insert.ExecuteNonQuery();
            var read = context.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = $ns AND id = $id");
            read.Parameters.Add("$ns", ns);
            read.Parameters.Add("$id", WebhookEndpoint.RequestSigner);
            return ReadEndpoints(read)[0];
        }, cancellationToken);

    public Task AttachGenerationUrlAsync(string ns, IReadOnlyList<Guid> generationIds, string url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generationIds);
        return _database.WriteAsync(context =>
        {
            foreach (var id in generationIds)
            {
                var command = context.Command("INSERT INTO generation_webhooks (generation_id, namespace, url) VALUES ($id, $ns, $url) ON CONFLICT (generation_id) DO NOTHING");
                command.Parameters.Add("$id", SqliteValues.IdText(id));
                command.Parameters.Add("$ns", ns);
                command.Parameters.Add("$url", url);
                command.ExecuteNonQuery();
            }
            return generationIds.Count;
        }, cancellationToken);
    }

    public async Task<int> DeriveDeliveriesAsync(int maxEvents, TimeSpan retryFor, CancellationToken cancellationToken = default)
    {
        // A look on a read connection first: an idle server does not take the writer every poll.
        if (!await HasAsync("SELECT EXISTS (SELECT 1 FROM events WHERE seq > (SELECT last_seq FROM webhook_cursor WHERE id = 1))", cancellationToken).ConfigureAwait(false))
            return 0;
        return await _database.WriteAsync(context =>
        {
            var cursor = (long)context.Command("SELECT last_seq FROM webhook_cursor WHERE id = 1").ExecuteScalar()!;
            var read = context.Command("SELECT seq, namespace, type, data, created_at FROM events WHERE seq > $after ORDER BY seq LIMIT $limit");
            read.Parameters.Add("$after", cursor);
            read.Parameters.Add("$limit", maxEvents);
            var events = new List<StoredEvent>();
            using (var reader = read.ExecuteReader())
            {
                while (reader.Read())
                    events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), SqliteValues.FromUnixMilliseconds(reader.GetInt64(4))));
            }
            if (events.Count == 0) return 0;

            var endpoints = new Dictionary<string, List<WebhookEndpoint>>(StringComparer.Ordinal);
            foreach (var e in events.Where(e => WebhookEvents.IsTerminal(e.Type)))
            {
                if (!endpoints.TryGetValue(e.Namespace, out var ofNamespace))
                {
                    var list = context.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE namespace = $ns AND url IS NOT NULL");
                    list.Parameters.Add("$ns", e.Namespace);
                    endpoints[e.Namespace] = ofNamespace = ReadEndpoints(list);
                }
                string? generationUrl = null;
                if (GenerationEvents.GenerationIdOf(e) is { } generation)
                {
                    var url = context.Command("SELECT url FROM generation_webhooks WHERE generation_id = $id AND namespace = $ns");
                    url.Parameters.Add("$id", SqliteValues.IdText(generation));
                    url.Parameters.Add("$ns", e.Namespace);
                    generationUrl = url.ExecuteScalar() as string;
                }
                foreach (var delivery in WebhookEvents.DeliveriesFor(e, ofNamespace, generationUrl, retryFor))
                    InsertDelivery(context, delivery);
            }
            var advance = context.Command("UPDATE webhook_cursor SET last_seq = MAX(last_seq, $seq) WHERE id = 1");
            advance.Parameters.Add("$seq", events[^1].Sequence);
            advance.ExecuteNonQuery();
            return events.Count;
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool> HasAsync(string sql, CancellationToken cancellationToken, long? now = null) =>
        _database.ReadAsync(connection =>
        {
            var command = connection.Command(sql);
            if (now is { } n) command.Parameters.Add("$now", n);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }, cancellationToken);

    private static void InsertDelivery(SqliteWriteContext context, WebhookDelivery d)
    {
        var command = context.Command($"""
            INSERT INTO webhook_deliveries ({DeliveryColumns})
            VALUES ($id, $ns, $endpoint, $url, $generation, $seq, $type, $data, $event_at, 'pending', 0, $next, $until, NULL, NULL, NULL, NULL, NULL, NULL)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add("$id", d.Id);
        command.Parameters.Add("$ns", d.Namespace);
        command.Parameters.Add("$endpoint", d.EndpointId);
        command.Parameters.Add("$url", d.Url);
        command.Parameters.Add("$generation", SqliteValues.IdText(d.GenerationId));
        command.Parameters.Add("$seq", d.EventSequence);
        command.Parameters.Add("$type", d.EventType);
        command.Parameters.Add("$data", d.Data);
        command.Parameters.Add("$event_at", SqliteValues.ToUnixMilliseconds(d.EventAt));
        command.Parameters.Add("$next", SqliteValues.ToUnixMilliseconds(d.NextAttemptAt));
        command.Parameters.Add("$until", SqliteValues.ToUnixMilliseconds(d.RetryUntil));
        command.ExecuteNonQuery();
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(string owner, TimeSpan leaseDuration, int limit, CancellationToken cancellationToken = default)
    {
        if (!await HasAsync(DueSql, cancellationToken, Now).ConfigureAwait(false)) return [];
        return await _database.WriteAsync<IReadOnlyList<WebhookDelivery>>(context =>
        {
            var now = Now;
            var command = context.Command($"""
                UPDATE webhook_deliveries SET lease_owner = $owner, lease_expires_at = $until
                WHERE id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= $now AND (lease_expires_at IS NULL OR lease_expires_at <= $now)
                    ORDER BY next_attempt_at, event_seq
                    LIMIT $limit)
                RETURNING {DeliveryColumns}
                """);
            command.Parameters.Add("$owner", owner);
            command.Parameters.Add("$until", now + (long)leaseDuration.TotalMilliseconds);
            command.Parameters.Add("$now", now);
            command.Parameters.Add("$limit", limit);
            return ReadDeliveries(command).OrderBy(d => d.NextAttemptAt).ThenBy(d => d.EventSequence).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    private const string DueSql = """
        SELECT EXISTS (SELECT 1 FROM webhook_deliveries
                       WHERE status = 'pending' AND next_attempt_at <= $now AND (lease_expires_at IS NULL OR lease_expires_at <= $now))
        """;

    public Task<bool> RecordAttemptAsync(string deliveryId, string owner, WebhookAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return _database.WriteAsync(context =>
        {
            var command = context.Command("""
                UPDATE webhook_deliveries SET
                    status = $status, attempts = attempts + 1, last_attempt_at = $at, response_code = $code, last_error = $error,
                    delivered_at = CASE WHEN $delivered THEN $at ELSE delivered_at END,
                    next_attempt_at = COALESCE($next, next_attempt_at), lease_owner = NULL, lease_expires_at = NULL
                WHERE id = $id AND lease_owner = $owner AND status = 'pending'
                """);
            command.Parameters.Add("$id", deliveryId);
            command.Parameters.Add("$owner", owner);
            command.Parameters.Add("$status", attempt.Delivered ? "delivered" : attempt.NextAttemptAt is null ? "failed" : "pending");
            command.Parameters.Add("$at", SqliteValues.ToUnixMilliseconds(attempt.At));
            command.Parameters.Add("$code", attempt.ResponseCode);
            command.Parameters.Add("$error", attempt.Error);
            command.Parameters.Add("$delivered", attempt.Delivered);
            command.Parameters.Add("$next", attempt.NextAttemptAt is { } n ? SqliteValues.ToUnixMilliseconds(n) : null);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(string ns, string? endpointId, Guid? generationId, int limit, CancellationToken cancellationToken = default) =>
        _database.ReadAsync<IReadOnlyList<WebhookDelivery>>(connection =>
        {
            var command = connection.Command($"""
                SELECT {DeliveryColumns} FROM webhook_deliveries
                WHERE namespace = $ns AND ($endpoint IS NULL OR endpoint_id = $endpoint) AND ($generation IS NULL OR generation_id = $generation)
                ORDER BY event_seq DESC, endpoint_id
                LIMIT $limit
                """);
            command.Parameters.Add("$ns", ns);
            command.Parameters.Add("$endpoint", endpointId);
            command.Parameters.Add("$generation", generationId is { } g ? SqliteValues.IdText(g) : null);
            command.Parameters.Add("$limit", limit);
            return ReadDeliveries(command);
        }, cancellationToken);

    public Task<WebhookDelivery?> GetDeliveryAsync(string ns, string deliveryId, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(connection =>
        {
            var command = connection.Command($"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE namespace = $ns AND id = $id");
            command.Parameters.Add("$ns", ns);
            command.Parameters.Add("$id", deliveryId);
            return ReadDeliveries(command).FirstOrDefault();
        }, cancellationToken);

    public Task<WebhookDelivery?> RedeliverAsync(string ns, string deliveryId, DateTimeOffset retryUntil, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            var command = context.Command($"""
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $now, retry_until = $until, lease_owner = NULL, lease_expires_at = NULL
                WHERE namespace = $ns AND id = $id
                RETURNING {DeliveryColumns}
                """);
            command.Parameters.Add("$ns", ns);
            command.Parameters.Add("$id", deliveryId);
            command.Parameters.Add("$now", Now);
            command.Parameters.Add("$until", SqliteValues.ToUnixMilliseconds(retryUntil));
            return ReadDeliveries(command).FirstOrDefault();
        }, cancellationToken);

    private static List<WebhookEndpoint> ReadEndpoints(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var endpoints = new List<WebhookEndpoint>();
        while (reader.Read())
        {
            endpoints.Add(new WebhookEndpoint(
                reader.GetString(1), reader.GetString(0), reader.GetNullableString(2), JsonSerializer.Deserialize<List<string>>(reader.GetString(3)) ?? [],
                reader.GetString(4), reader.GetNullableString(5), reader.GetNullableTime(6), reader.GetNullableString(7), SqliteValues.FromUnixMilliseconds(reader.GetInt64(8))));
        }
        return endpoints;
    }

    private static List<WebhookDelivery> ReadDeliveries(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var deliveries = new List<WebhookDelivery>();
        while (reader.Read())
        {
            deliveries.Add(new WebhookDelivery(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Guid.Parse(reader.GetString(4)), reader.GetInt64(5),
                reader.GetString(6), reader.GetString(7), SqliteValues.FromUnixMilliseconds(reader.GetInt64(8)), ParseStatus(reader.GetString(9)), reader.GetInt32(10),
                SqliteValues.FromUnixMilliseconds(reader.GetInt64(11)), SqliteValues.FromUnixMilliseconds(reader.GetInt64(12)), reader.GetNullableTime(13),
                reader.IsDBNull(14) ? null : reader.GetInt32(14), reader.GetNullableString(15), reader.GetNullableTime(16), reader.GetNullableString(17), reader.GetNullableTime(18)));
        }
        return deliveries;
    }

    private static WebhookDeliveryStatus ParseStatus(string status) => status switch
    {
        "pending" => WebhookDeliveryStatus.Pending,
        "delivered" => WebhookDeliveryStatus.Delivered,
        _ => WebhookDeliveryStatus.Failed,
    };
}
