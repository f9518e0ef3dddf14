using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Blobs;
using Paddock.Core.Generations;
using Paddock.Core.Orchestration;
using Paddock.Core.Queue;

namespace Paddock.Core.Maintenance;

/// <summary>
/// Reclaims what a process that died left behind, at start and every <see cref="MaintenanceOptions.SweepInterval"/>:
/// work folders of dead processes (<see cref="WorkAreaSweeper"/>), output blobs that no row owns and no live attempt
/// can still commit, and blob writes abandoned halfway. Every rule is safe with other processes on the same data
/// directory and database, so each of them may run it.
/// </summary>
public sealed partial class LeftoverReclaimer(
    WorkAreaSweeper workAreas,
    IBlobStore blobs,
    IGenerationStore store,
    TimeProvider time,
    IOptions<WorkerOptions> workers,
    IOptions<MaintenanceOptions> options,
    ILogger<LeftoverReclaimer> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before this process renders anything: a start leaves no dead process's files behind.
        SweepWorkAreas();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                SweepWorkAreas();
                var outputs = await ReclaimOrphanOutputsAsync(stoppingToken).ConfigureAwait(false);
                var writes = await blobs.ReclaimAbandonedWritesAsync(time.GetUtcNow() - options.Value.AbandonedWriteAge, stoppingToken).ConfigureAwait(false);
                if (outputs + writes > 0) LogReclaimedBlobs(outputs, writes);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSweepFailed(e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Deletes each output blob that its row does not hold and that no attempt can still commit. A key names the one
    /// claim that may commit it (the lease's fencing token, <see cref="OutputKeys"/>), and claims only grow: once the
    /// row is anything but processing, the blob can never become its output. The row shows only the attempts that count
    /// (<see cref="Generation.Attempt"/>, at most the claims), so while it is processing, a blob of a claim at or past
    /// that number is kept (it may be the live one's) until the row ends. Blobs younger than a lease are left for the
    /// next sweep, so a listing that raced a claim cannot matter.
    /// </summary>
    public async Task<int> ReclaimOrphanOutputsAsync(CancellationToken cancellationToken)
    {
        var settled = time.GetUtcNow() - workers.Value.LeaseDuration;
        var reclaimed = 0;
        await foreach (var blob in blobs.ListAsync(OutputKeys.Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (blob.LastModified > settled || OutputKeys.Parse(blob.Key) is not { } owner) continue;
            var row = await store.GetAsync(owner.Namespace, owner.GenerationId, cancellationToken).ConfigureAwait(false);
            if (row is not null && (row.OutputKey == blob.Key || (row.Status == GenerationStatus.Processing && owner.Attempt >= row.Attempt))) continue;
            await blobs.DeleteAsync(blob.Key, cancellationToken).ConfigureAwait(false);
            LogReclaimedOutput(owner.GenerationId, owner.Attempt);
            reclaimed++;
        }
        return reclaimed;
    }

    private void SweepWorkAreas()
    {
        try
        {
            workAreas.Sweep();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSweepFailed(e);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { return false; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed the output of generation {GenerationId}, attempt {Attempt}: no row holds it and no attempt can commit it")]
    private partial void LogReclaimedOutput(Guid generationId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed {Outputs} orphan outputs and {Writes} abandoned blob writes")]
    private partial void LogReclaimedBlobs(int outputs, int writes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reclaiming leftovers failed; trying again at the next sweep")]
    private partial void LogSweepFailed(Exception e);
}
