using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Blobs;
using Paddock.Core.Events;
using Paddock.Core.Files;
using Paddock.Core.Generations;
using Paddock.Core.Orchestration;
using Paddock.Core.Retention;

namespace Paddock.Storage.Postgres.Tests;

/// <summary>
/// Two processes sweeping one PostgreSQL database at once (each with its own store and connections, one blob folder
/// between them, as two servers on one shared disk): every expired output and file is handled by one of them, none
/// fails, and the disk is freed — but not of content a live file still holds.
/// </summary>
public sealed class RetentionSweepOnPostgresTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly PostgresTestDatabase _database = new();
    private readonly string _blobs = Path.Combine(Path.GetTempPath(), "paddock-retention-" + Guid.NewGuid().ToString("N"));
    private readonly List<PostgresStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        await _database.DisposeAsync();
        if (Directory.Exists(_blobs)) Directory.Delete(_blobs, recursive: true);
    }

    private async Task<(PostgresStore Store, RetentionSweeper Sweeper)> ProcessAsync(IBlobStore blobs)
    {
        var store = await _database.OpenPostgresAsync(_time);
        _stores.Add(store);
        var options = Options.Create(new RetentionOptions
        {
            Namespace = new RetentionSettings { Outputs = TimeSpan.FromDays(1), Files = TimeSpan.FromDays(1) },
            Namespaces = { ["keeper"] = new RetentionSettings { Files = TimeSpan.Zero } },
            BatchSize = 4,
        });
        var sweeper = new RetentionSweeper(store.Generations, store.Files, blobs, new RetentionPolicy(options, _time), _time, options, NullLogger<RetentionSweeper>.Instance);
        return (store, sweeper);
    }

    [Fact]
    public async Task Two_sweepers_on_one_database_delete_each_expired_blob_once_and_neither_fails()
    {
        var blobs = new LocalDiskBlobStore(_blobs);
        var (one, first) = await ProcessAsync(blobs);
        var (_, second) = await ProcessAsync(new LocalDiskBlobStore(_blobs));

        const int Outputs = 30;
        var outputKeys = new List<string>();
        for (var i = 0; i < Outputs; i++)
        {
            var generation = new NewGeneration(Guid.NewGuid(), "alice", "happyhorse-1.0-t2v", "video", """{"prompt":"a horse","seed":1}""");
            await one.Generations.EnqueueAsync([generation]);
            var claim = (await one.Generations.ClaimNextAsync("worker", TimeSpan.FromMinutes(1)))!;
            var key = OutputKeys.For("alice", generation.Id, claim.Lease.Attempt);
            await blobs.PutAsync(key, new MemoryStream(new byte[1000 + i]));
            Assert.True(await one.Generations.CompleteAsync(claim.Lease, key,
                new EventDraft("alice", EventTypes.Completed, $$"""{"generation_id":"{{generation.Id}}","status":"succeeded"}""")));
            outputKeys.Add(key);
        }
        // Files: 20 of alice's with contents of their own; one whose bytes keeper (who keeps files forever) holds too.
        var ownHashes = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var hash = $"{i:x2}{Guid.NewGuid():N}";
            await blobs.PutAsync(FilePaths.BlobKey(hash), new MemoryStream([(byte)i]));
            await one.Files.CommitAsync("alice", "refs", "main", "m", "alice", [new CommittedFile($"f{i}.png", hash, 1, "image/png")]);
            ownHashes.Add(hash);
        }
        var shared = "ff" + Guid.NewGuid().ToString("N");
        await blobs.PutAsync(FilePaths.BlobKey(shared), new MemoryStream([42]));
        await one.Files.CommitAsync("alice", "refs", "main", "m", "alice", [new CommittedFile("shared.png", shared, 1, "image/png")]);
        await one.Files.CommitAsync("keeper", "refs", "main", "m", "keeper", [new CommittedFile("shared.png", shared, 1, "image/png")]);

        _time.Advance(TimeSpan.FromDays(2));
        var sweeps = await Task.WhenAll(Task.Run(() => first.SweepAsync(CancellationToken.None)), Task.Run(() => second.SweepAsync(CancellationToken.None)));

        Assert.Equal(Outputs, sweeps.Sum(s => s.Outputs));
        Assert.Equal(21, sweeps.Sum(s => s.Files));
        Assert.All(outputKeys, key => Assert.False(File.Exists(Path.Combine(_blobs, key)), $"{key} is still on disk"));
        Assert.All(ownHashes, hash => Assert.False(File.Exists(Path.Combine(_blobs, FilePaths.BlobKey(hash))), $"{hash} is still on disk"));
        Assert.True(File.Exists(Path.Combine(_blobs, FilePaths.BlobKey(shared))), "content a live file holds was deleted");
        var again = await first.SweepAsync(CancellationToken.None);
        Assert.Equal((0, 0), (again.Outputs, again.Files));
    }
}
