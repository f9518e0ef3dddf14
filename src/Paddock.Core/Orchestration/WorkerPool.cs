using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Engines;
using Paddock.Core.Events;
using Paddock.Core.Generations;
using Paddock.Core.Models;
using Paddock.Core.Queue;

namespace Paddock.Core.Orchestration;

/// <summary>
/// This process's workers. Each backend gets its own loops — the built-in renderer <see cref="WorkerOptions.Concurrency"/>
/// of them, a remote backend as many as it takes at once — and each loop claims only the models its backend serves,
/// and only while the backend is available. One loop returns expired leases (crashed workers) to the queue; one
/// carries out the remote cancels of cancelled generations on this process's remote backends.
/// </summary>
public sealed partial class WorkerPool(
    IGenerationStore store,
    GenerationProcessor processor,
    EngineRegistry engines,
    BackendMonitor backends,
    ModelCatalog catalog,
    QueueSignal signal,
    EventHub eventHub,
    WorkerShutdown shutdown,
    IHostApplicationLifetime lifetime,
    IOptions<WorkerOptions> options,
    Quotas.QuotaService quotas,
    ILogger<WorkerPool> logger) : BackgroundService
{
    private const int MaxRemoteCancelTries = 5;
    private static readonly TimeSpan RemoteCancelInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RemoteCancelTimeout = TimeSpan.FromSeconds(30);

    private readonly WorkerOptions _options = options.Value;
    private readonly string _processId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Work stops as soon as the application begins to stop, not when the host gets round to this service (after
        // the web server has waited for its requests): renders are handed back while event streams are still open.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        shutdown.Started();
        var others = new List<Task> { Task.Run(() => RecoverAsync(stoppingToken), CancellationToken.None) };
        var remote = engines.All.OfType<IRemoteJobEngine>().ToList();
        if (remote.Count > 0) others.Add(Task.Run(() => CancelRemoteWorkAsync(remote, stoppingToken), CancellationToken.None));
        try
        {
            // Claim nothing before each backend's first health check: a backend that is down at start keeps its rows queued.
            await backends.FirstRound.WaitAsync(stopping.Token).ConfigureAwait(false);
            var loops = new List<Task>();
            foreach (var engine in engines.All)
            {
                var models = catalog.ModelsServedBy(engine.Name);
                var slots = engine.Concurrency ?? _options.Concurrency;
                if (models.Count == 0 || slots <= 0) continue;
                var waiters = signal.Register(models);
                for (var i = 0; i < slots; i++)
                {
                    var workerId = $"{_processId}:{engine.Name}:{i}";
                    loops.Add(Task.Run(() => WorkAsync(workerId, engine, models, waiters, stopping.Token), CancellationToken.None));
                }
            }
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped before the first health check ended: nothing was claimed.
        }
        finally
        {
            shutdown.Stopped();
        }
        await Task.WhenAll(others).ConfigureAwait(false);
    }

    private async Task WorkAsync(string workerId, IVideoEngine engine, IReadOnlyCollection<string> models, QueueSignal.Waiters waiters, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Only the models the backend can run now: one that lacks what a model needs still runs its others.
                var ready = backends.IsAvailable(engine.Name) ? models.Where(m => backends.IsAvailable(engine.Name, m)).ToList() : [];
                if (ready.Count == 0)
                {
                    await waiters.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                var claimed = await store.ClaimNextAsync(workerId, _options.LeaseDuration, ready, stoppingToken, quotas.Running).ConfigureAwait(false);
                if (claimed is null)
                {
                    await waiters.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
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
                    g => GenerationEvents.Failed(g, new GenerationFailure(g.ErrorType ?? FailureKind.EngineError, g.ErrorMessage ?? "the worker rendering it stopped responding")),
                    stoppingToken).ConfigureAwait(false);
                if (recovered > 0)
                {
                    LogRecovered(recovered);
                    signal.Notify(model: null, recovered);
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

    /// <summary>
    /// Cancels the remote work of cancelled generations (recorded as pending by the cancel, in whichever process it was
    /// made), and records on the row what the remote service did. A service that cannot be reached is tried again a
    /// few times before the row says so.
    /// </summary>
    private async Task CancelRemoteWorkAsync(IReadOnlyList<IRemoteJobEngine> remote, CancellationToken stoppingToken)
    {
        var byName = remote.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var failures = new Dictionary<Guid, int>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pending = await store.PendingRemoteCancelsAsync(byName.Keys, 20, stoppingToken).ConfigureAwait(false);
                foreach (var cancel in pending)
                {
                    var engine = byName[cancel.Job.Backend];
                    RemoteCancelOutcome outcome;
                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                        timeout.CancelAfter(RemoteCancelTimeout);
                        outcome = await engine.CancelRemoteAsync(cancel.Job, timeout.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        var tries = failures[cancel.GenerationId] = failures.GetValueOrDefault(cancel.GenerationId) + 1;
                        LogRemoteCancelError(cancel.GenerationId, engine.Name, e);
                        if (tries < MaxRemoteCancelTries) continue;
                        outcome = new RemoteCancelOutcome(RemoteCancelState.Refused,
                            $"cancelled here, but {engine.Name} could not be reached to cancel its job {cancel.Job.Id} ({e.Message}); it may still run and be billed");
                    }
                    failures.Remove(cancel.GenerationId);
                    await store.RecordRemoteCancelAsync(cancel.GenerationId, outcome, CancellationToken.None).ConfigureAwait(false);
                    LogRemoteCancel(cancel.GenerationId, engine.Name, outcome.State, outcome.Message);
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
            await Delay(RemoteCancelInterval, stoppingToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cancelling the remote job of generation {GenerationId} on {Backend} failed; trying again")]
    private partial void LogRemoteCancelError(Guid generationId, string backend, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Remote job of generation {GenerationId} on {Backend}: {State} ({Message})")]
    private partial void LogRemoteCancel(Guid generationId, string backend, RemoteCancelState state, string message);
}
