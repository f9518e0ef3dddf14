using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.Models;
using Paddock.Core.Queue;

namespace Paddock.Core.Telemetry;

/// <summary>
/// Reads the queue depth per model from the database every <see cref="TelemetryOptions.QueueDepthInterval"/> for the
/// <c>paddock.queue.depth</c> gauge. A scrape then reads memory, never the database (a scrape must not wait on a
/// database that is slow, and a thousand scrapes must not become a thousand queries); the kept counts make each read
/// cheap whatever the length of the queue.
/// </summary>
public sealed partial class QueueDepthSampler(
    IGenerationStore store, ModelCatalog catalog, PaddockMetrics metrics, IOptions<TelemetryOptions> options, TimeProvider time,
    ILogger<QueueDepthSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // With telemetry off nobody reads the gauge: no reason to ask the database.
        if (!options.Value.Enabled) return;
        var models = catalog.All.Select(m => m.Id).ToList();
        using var timer = new PeriodicTimer(options.Value.QueueDepthInterval, time);
        try
        {
            do
            {
                try
                {
                    metrics.SetQueueDepth(await store.CountQueuedByModelAsync(stoppingToken).ConfigureAwait(false), models);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database is away: the gauge keeps its last values, and the readiness check says why.
                    LogSampleFailed(e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue depth not sampled: {Problem}")]
    private partial void LogSampleFailed(string problem);
}
