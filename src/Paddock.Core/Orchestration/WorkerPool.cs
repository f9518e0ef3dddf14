using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Events;
using Paddock.Core.Queue;

namespace Paddock.Core.Orchestration;

/// <summary>
/// This process's workers: <see cref="WorkerOptions.Concurrency"/> loops that claim and render
/// generations, and one loop that returns expired leases (crashed workers) to the queue.
/// </summary>
public sealed partial class WorkerPool(
    IGenerationStore store,
    GenerationProcessor processor,
    QueueSignal signal,
    EventHub eventHub,
    WorkerShutdown shutdown,
    IHostApplicationLifetime lifetime,
    IOptions<WorkerOptions> options,
    ILogger<WorkerPool> logger) : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;
    private readonly string _processId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Work stops as soon as the application begins to stop, not when the host gets round to this service (after
        // the web server has waited for its requests): renders are handed back while event streams are still open.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        shutdown.Started();
        var work = Enumerable.Range(0, _options.Concurrency)
            .Select(i => Task.Run(() => WorkAsync($"{_processId}:{i}", stopping.Token), CancellationToken.None))
            .ToList();
        var recovery = Task.Run(() => RecoverAsync(stoppingToken), CancellationToken.None);
        try
        {
            await Task.WhenAll(work).ConfigureAwait(false);
        }
        finally
        {
            shutdown.Stopped();
        }
        await recovery.ConfigureAwait(false);
    }

    private async Task WorkAsync(string workerId, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await store.ClaimNextAsync(workerId, _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
                if (claimed is null)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                await processor.ProcessAsync(claimed, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWorkerError(workerId, e);
                await Delay(_options.PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var recovered = await store.RecoverExpiredLeasesAsync(
                    _options.MaxAttempts,
                    g => GenerationEvents.Failed(g, g.ErrorMessage ?? "the worker rendering it stopped responding"),
                    stoppingToken).ConfigureAwait(false);
                if (recovered > 0)
                {
                    LogRecovered(recovered);
                    signal.Notify(recovered);
                    eventHub.Notify();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRecoveryError(e);
            }
            await Delay(_options.RecoveryInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken ct)
    {
        try { await Task.Delay(delay, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} failed; retrying")]
    private partial void LogWorkerError(string workerId, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Returned {Count} generations with expired leases to the queue")]
    private partial void LogRecovered(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lease recovery failed; retrying")]
    private partial void LogRecoveryError(Exception e);
}
