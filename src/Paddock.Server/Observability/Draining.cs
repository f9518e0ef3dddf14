using Microsoft.Extensions.Options;

namespace Paddock.Server.Observability;

/// <summary>
/// Turns readiness off as soon as the process is asked to stop (SIGTERM, Ctrl-C, a host stop), then holds the stop for
/// <see cref="HealthOptions.DrainDelay"/> while the listener still answers, so a load balancer polling
/// <c>/health/ready</c> drains this process before its connections are refused. The host runs every
/// <see cref="IHostedLifecycleService.StoppingAsync"/> before any service's stop, the web server's included.
/// </summary>
public sealed partial class Draining(IHostApplicationLifetime lifetime, IOptions<HealthOptions> options, TimeProvider time, ILogger<Draining> logger)
    : IHostedLifecycleService
{
    private volatile bool _stopping;

    /// <summary>True from the moment a stop was asked for.</summary>
    public bool IsStopping => _stopping || lifetime.ApplicationStopping.IsCancellationRequested;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => _stopping = true);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var delay = options.Value.DrainDelay;
        if (delay <= TimeSpan.Zero) return;
        LogDraining(delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now.
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: /health/ready answers 503; the listener closes in {Seconds} s")]
    private partial void LogDraining(double seconds);
}
