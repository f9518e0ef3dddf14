using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Paddock.Core.Blobs;
using Paddock.Core.Engines;
using Paddock.Core.Hosting;
using Paddock.Core.Storage;
using Paddock.Engines.Builtin;
using Paddock.Media;

namespace Paddock.Server.Observability;

/// <summary>Ready is false while the process is stopping, so a load balancer drains it before the listener closes.</summary>
public sealed class StoppingHealthCheck(Draining draining) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining.IsStopping
            ? HealthCheckResult.Unhealthy("the process is stopping: it finishes or hands back its work and takes no new requests")
            : HealthCheckResult.Healthy("running"));
}

/// <summary>The database answers a read (the same one the queue-depth gauge makes: the kept counts, not the table).</summary>
public sealed class DatabaseHealthCheck(IStorage storage, IOptions<StorageOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var provider = options.Value.Provider;
        try
        {
            await storage.Generations.CountQueuedByModelAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{provider} answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the {provider} database does not answer: {e.Message}");
        }
    }
}

/// <summary>The blob store answers a lookup (local disk: its folder is there; S3: the bucket answers).</summary>
public sealed class BlobStoreHealthCheck(IBlobStore blobs, IOptions<BlobOptions> options) : IHealthCheck
{
    private const string ProbeKey = "health/ready-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var provider = options.Value.Provider;
        try
        {
            await blobs.ExistsAsync(ProbeKey, cancellationToken);
            return HealthCheckResult.Healthy($"{provider} answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the {provider} blob store does not answer: {e.Message}");
        }
    }
}

/// <summary>
/// The programs renders need can be found: the built-in renderer's ffmpeg, and the ffmpeg and ffprobe that check and
/// conform the videos of other backends (when one is configured). Checked on every probe (a file lookup), so a removed
/// program shows at once.
/// </summary>
public sealed class FfmpegHealthCheck(EngineRegistry engines, IOptions<BuiltinEngineOptions> builtin, IOptions<MediaOptions> media) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var missing = new List<string>();
        if (engines.All.Any(e => e is BuiltinVideoEngine) && Executables.Find(builtin.Value.FfmpegPath) is null)
            missing.Add($"ffmpeg ('{builtin.Value.FfmpegPath}', Paddock:Engines:Builtin:FfmpegPath)");
        if (engines.All.Any(e => !e.WritesExactOutput))
        {
            if (Executables.Find(media.Value.FfmpegPath) is null) missing.Add($"ffmpeg ('{media.Value.FfmpegPath}', Paddock:Media:FfmpegPath)");
            if (Executables.Find(media.Value.FfprobePath) is null) missing.Add($"ffprobe ('{media.Value.FfprobePath}', Paddock:Media:FfprobePath)");
        }
        return Task.FromResult(missing.Count == 0
            ? HealthCheckResult.Healthy("found")
            : HealthCheckResult.Unhealthy($"not found: {string.Join(", ", missing)}; install it (apt-get install ffmpeg) or set the path"));
    }
}

/// <summary>
/// The engine backends as the <see cref="BackendMonitor"/> last saw them. A backend that is down makes ready
/// <c>degraded</c>, not unhealthy: the API still accepts and queues work for it (its workers wait), so a load balancer
/// keeps the process in rotation; the body names the backend and its problem.
/// </summary>
public sealed class BackendsHealthCheck(BackendMonitor backends) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = backends.All;
        var down = states.Where(s => !s.IsAvailable).ToList();
        var data = states.ToDictionary(s => s.Name, s => (object)(s.IsAvailable ? "available" : $"unavailable: {s.Problem ?? "no answer"}"));
        return Task.FromResult(down.Count == 0
            ? HealthCheckResult.Healthy($"{states.Count} available", data)
            : HealthCheckResult.Degraded(string.Join("; ", down.Select(s => $"backend '{s.Name}' is unavailable: {s.Problem ?? "no answer"}")), data: data));
    }
}
