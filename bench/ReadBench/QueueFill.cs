using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Paddock.Bench;
using Paddock.Server.Hosting;

namespace ReadBench;

/// <summary>What a filled data directory holds: the newest queued row (last in its lane) and a row halfway down the list.</summary>
public sealed record FilledQueue(string DataDirectory, int Rows, string NewestId, string MiddleCursor, string RowAfterMiddleId, TimeSpan FillTime);

/// <summary>
/// A data directory with <c>rows</c> queued generations, filled fast. Paddock starts once on it (schema, API key), and one
/// generation is enqueued through the API: the template. With the server stopped, one SQL statement in one transaction
/// copies the template <c>rows − 1</c> times, each copy a new id, a millisecond newer and the next number in the
/// template's lane (what the store's own enqueue writes: <c>lane</c>, <c>lane_seq</c>, and the lane's <c>last_seq</c>;
/// the schema's triggers keep the per-status counters). Every row is then a queued row the server would have written.
/// </summary>
public static class QueueFill
{
    private const string Body = """{"model":"happyhorse-1.0-r2v","prompt":"Image 1 walks through a beautiful garden, cinematic lighting."}""";

    public static async Task<FilledQueue> CreateAsync(string dataRoot, int rows)
    {
        var clock = Stopwatch.StartNew();
        var dataDirectory = Path.Combine(dataRoot, "paddock-read-bench-" + Guid.NewGuid().ToString("N")[..12]);
        string templateId;
        var app = PaddockApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--Paddock:DataDirectory={dataDirectory}",
            "--Paddock:Workers:Concurrency=0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        var stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            await app.StartAsync();
        }
        finally
        {
            Console.SetOut(stdout);
        }
        try
        {
            var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "first-api-key.txt"))).Trim();
            using var http = new HttpClient { BaseAddress = Kestrel.ListeningAddress(app) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var answer = await http.PostAsync("api/ai/queue", new StringContent(Body, Encoding.UTF8, "application/json"));
            var text = await answer.Content.ReadAsStringAsync();
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"the template enqueue answered {(int)answer.StatusCode}: {Report.Shorten(text)}");
            templateId = JsonDocument.Parse(text).RootElement.GetProperty("generations")[0].GetProperty("generation_id").GetString()!;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "paddock.db")};Pooling=False");
        await connection.OpenAsync();
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await using var fill = connection.CreateCommand();
            fill.Transaction = transaction;
            // Ids: a fixed prefix and the copy's number, a valid GUID text in the store's format ("D", lower case).
            fill.CommandText = """
                INSERT INTO generations (id, namespace, model, media_type, status, parameters, enqueued_at, attempt, lane, lane_seq,
                                         priority, api_key_id, resolution, video_seconds)
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $copies)
                SELECT printf('0000be0c-0000-4000-8000-%012x', i), t.namespace, t.model, t.media_type, 'queued', t.parameters,
                       t.enqueued_at + i, 0, t.lane, t.lane_seq + i, t.priority, t.api_key_id, t.resolution, t.video_seconds
                FROM n, (SELECT * FROM generations WHERE id = $template) AS t;
                -- The sub-lane's sequence moves on past the copies (its queued count is kept by the schema's triggers).
                UPDATE queue_lanes SET last_seq = last_seq + $copies
                WHERE (lane, priority, namespace) = (SELECT lane, priority, namespace FROM generations WHERE id = $template);
                """;
            fill.Parameters.AddWithValue("$copies", rows - 1);
            fill.Parameters.AddWithValue("$template", templateId);
            await fill.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
        await using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }

        string Id(long i) => i == 0 ? templateId : $"0000be0c-0000-4000-8000-{i:x12}";
        var middle = rows / 2;
        var newest = Id(rows - 1);
        // A cursor halfway down the newest-first list, in the store's own cursor format (v1:enqueued_at:rowid, base64url):
        // paging there by next_cursor would take rows / 2 / page_size requests. The page it answers is checked to start
        // at the row after it, so a cursor the server did not understand fails the run.
        await using var place = connection.CreateCommand();
        place.CommandText = "SELECT enqueued_at, rowid FROM generations WHERE id = $id";
        place.Parameters.AddWithValue("$id", Id(middle));
        await using var reader = await place.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) throw new InvalidOperationException("the middle row is missing after the fill");
        var cursor = Convert.ToBase64String(Encoding.ASCII.GetBytes(
                string.Create(CultureInfo.InvariantCulture, $"v1:{reader.GetInt64(0)}:{reader.GetInt64(1)}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new FilledQueue(dataDirectory, rows, newest, cursor, Id(middle - 1), clock.Elapsed);
    }
}
