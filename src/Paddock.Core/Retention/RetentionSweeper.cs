using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Blobs;
using Paddock.Core.Files;
using Paddock.Core.Queue;

namespace Paddock.Core.Retention;

/// <summary>
/// Deletes what expired under <see cref="RetentionOptions"/>, at start and every <see cref="RetentionOptions.SweepInterval"/>:
/// outputs of generations completed longer ago than their namespace keeps them, and uploaded files written longer ago.
/// Rows are marked first (the store hands each one to one sweeper only, so any number of processes may sweep one
/// database), then the blobs go: a reader is never sent to bytes that are about to be deleted, and a crash in between
/// leaves at most blobs no row owns, which <see cref="Maintenance.LeftoverReclaimer"/> reclaims (outputs) or the next
/// expiry of the same content does (files). A file's bytes are stored once per content, so they are deleted only when
/// no file that has not expired, of any namespace, holds the same content.
/// </summary>
public sealed partial class RetentionSweeper(
    IGenerationStore generations,
    IFileStore files,
    IBlobStore blobs,
    RetentionPolicy policy,
    TimeProvider time,
    IOptions<RetentionOptions> options,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                var swept = await SweepAsync(stoppingToken).ConfigureAwait(false);
                if (swept.Outputs + swept.Files > 0) LogSwept(swept.Outputs, swept.Files, swept.FileBlobs);
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

    /// <summary>Expires everything due now; returns how many outputs and files expired, and how many file blobs were deleted.</summary>
    public async Task<RetentionSweep> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var batch = options.Value.BatchSize;
        var outputs = 0;
        foreach (var scope in policy.ScopesAt(now, RetainedKind.Outputs))
        {
            IReadOnlyList<ExpiredOutput> expired;
            do
            {
                expired = await generations.ExpireOutputsAsync(scope, batch, cancellationToken).ConfigureAwait(false);
                foreach (var output in expired)
                {
                    await blobs.DeleteAsync(output.OutputKey, cancellationToken).ConfigureAwait(false);
                    LogOutputExpired(output.Id, output.Namespace);
                }
                outputs += expired.Count;
            }
            while (expired.Count == batch);
        }

        var filesExpired = 0;
        var fileBlobs = 0;
        foreach (var scope in policy.ScopesAt(now, RetainedKind.Files))
        {
            IReadOnlyList<RepoFile> expired;
            do
            {
                expired = await files.ExpireAsync(scope, batch, cancellationToken).ConfigureAwait(false);
                foreach (var hash in expired.Select(f => f.ContentHash).Distinct(StringComparer.Ordinal))
                {
                    if (await files.IsContentInUseAsync(hash, cancellationToken).ConfigureAwait(false)) continue;
                    await blobs.DeleteAsync(FilePaths.BlobKey(hash), cancellationToken).ConfigureAwait(false);
                    fileBlobs++;
                }
                filesExpired += expired.Count;
            }
            while (expired.Count == batch);
        }
        return new RetentionSweep(outputs, filesExpired, fileBlobs);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: the output of generation {GenerationId} (namespace {Namespace}) expired and was deleted")]
    private partial void LogOutputExpired(Guid generationId, string @namespace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep: {Outputs} outputs and {Files} files expired; {FileBlobs} file contents deleted")]
    private partial void LogSwept(int outputs, int files, int fileBlobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed; it runs again at the next interval")]
    private partial void LogSweepFailed(Exception e);
}

/// <summary>What one sweep did: outputs and files that expired, and file contents deleted (content still held by a live file stays).</summary>
public sealed record RetentionSweep(int Outputs, int Files, int FileBlobs);
