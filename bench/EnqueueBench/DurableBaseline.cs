using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Paddock.Bench;

namespace EnqueueBench;

/// <summary>
/// The baseline's endpoint made durable, the least an acknowledged enqueue can cost here: after the same parse, one row
/// (id, model, prompt, time) goes into a SQLite table with no index but its key through a minimal group commit (one
/// thread, everything pending in one transaction, WAL, <c>synchronous=FULL</c>), and the answer waits for the commit.
/// No validation, queue, counters or telemetry: what separates it from the raw baseline is the durable write and the
/// wait for it, which Paddock's answer cannot skip.
/// </summary>
public sealed class DurableBaselineTarget : IBenchTarget
{
    private readonly WebApplication _app;
    private readonly GroupCommit _commit;
    private readonly string _folder;

    private DurableBaselineTarget(WebApplication app, Uri baseAddress, GroupCommit commit, string folder)
    {
        _app = app;
        BaseAddress = baseAddress;
        _commit = commit;
        _folder = folder;
    }

    public string Name => "durable";
    public Uri BaseAddress { get; }
    public string? ApiKey => null;

    public static async Task<DurableBaselineTarget> StartAsync(string dataRoot)
    {
        var folder = Path.Combine(dataRoot, "paddock-enqueue-durable-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var commit = new GroupCommit(Path.Combine(folder, "queue.db"));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/api/ai/queue", async (HttpContext context) =>
        {
            if (await BaselineTarget.ReadSeedBodyAsync(context) is not { } body)
                return Results.BadRequest();
            var id = Guid.CreateVersion7().ToString();
            await commit.InsertAsync(id, body.Model, body.Prompt);
            return BaselineTarget.Queued(id);
        });
        await app.StartAsync();
        return new DurableBaselineTarget(app, Kestrel.ListeningAddress(app), commit, folder);
    }

    public Task<(bool Ok, string Line)?> VerifyAsync(HttpClient client, long okAnswers)
    {
        var rows = _commit.Count();
        return Task.FromResult<(bool, string)?>((rows == okAnswers, $"durable rows check: {rows} rows {(rows == okAnswers ? "=" : "<>")} {okAnswers} answers 200"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _commit.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One writer thread: each round takes everything pending, inserts it in one transaction, commits, then answers.</summary>
    private sealed class GroupCommit : IDisposable
    {
        private readonly Channel<(string Id, string Model, string Prompt, TaskCompletionSource Done)> _pending =
            Channel.CreateUnbounded<(string, string, string, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
        private readonly SqliteConnection _connection;
        private readonly Thread _thread;

        public GroupCommit(string path)
        {
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            using (var setup = _connection.CreateCommand())
            {
                setup.CommandText = """
                    PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;
                    CREATE TABLE queue (id TEXT NOT NULL PRIMARY KEY, model TEXT NOT NULL, prompt TEXT NOT NULL, enqueued_at INTEGER NOT NULL);
                    """;
                setup.ExecuteNonQuery();
            }
            _thread = new Thread(Run) { IsBackground = true, Name = "durable baseline writer" };
            _thread.Start();
        }

        public Task InsertAsync(string id, string model, string prompt)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_pending.Writer.TryWrite((id, model, prompt, done))) done.SetException(new ObjectDisposedException(nameof(GroupCommit)));
            return done.Task;
        }

        public long Count()
        {
            lock (_connection)
            {
                using var count = _connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM queue";
                return (long)count.ExecuteScalar()!;
            }
        }

        private void Run()
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO queue (id, model, prompt, enqueued_at) VALUES ($id, $model, $prompt, $at)";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var model = insert.Parameters.Add("$model", SqliteType.Text);
            var prompt = insert.Parameters.Add("$prompt", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            var round = new List<TaskCompletionSource>();
            var reader = _pending.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                Exception? failure = null;
                lock (_connection)
                {
                    using var transaction = _connection.BeginTransaction(deferred: false);
                    insert.Transaction = transaction;
                    while (round.Count < 1000 && reader.TryRead(out var item))
                    {
                        round.Add(item.Done);
                        if (failure is not null) continue;
                        id.Value = item.Id;
                        model.Value = item.Model;
                        prompt.Value = item.Prompt;
                        at.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        try
                        {
                            insert.ExecuteNonQuery();
                        }
                        catch (SqliteException e)
                        {
                            failure = e;
                        }
                    }
                    try
                    {
                        if (failure is null) transaction.Commit();
                        else transaction.Rollback();
                    }
                    catch (SqliteException e)
                    {
                        failure ??= e;
                    }
                }
                // A failed round fails its callers (their requests answer 500 and count as errors) rather than leaving them waiting.
                foreach (var done in round)
                {
                    if (failure is null) done.SetResult();
                    else done.SetException(failure);
                }
                round.Clear();
            }
        }

        public void Dispose()
        {
            _pending.Writer.TryComplete();
            _thread.Join();
            _connection.Dispose();
        }
    }
}
