using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Paddock.Core.Engines;

/// <summary>A backend's last known state, as the health route and the model detail show it.</summary>
/// <param name="UnavailableModels">Models this backend cannot run now although it answers, each with why.</param>
public sealed record BackendState(string Name, string Type, bool IsAvailable, string? Problem, DateTimeOffset? CheckedAt,
    IReadOnlyDictionary<string, string>? UnavailableModels = null);

/// <summary>
/// Checks every backend at start and then periodically (more often while one is down), so workers claim only work a
/// backend can take, the model detail says whether a model is available, and a waiting row says why it waits.
/// </summary>
public sealed partial class BackendMonitor(EngineRegistry engines, TimeProvider time, ILogger<BackendMonitor> logger) : BackgroundService
{
    /// <summary>How long one health check may take before the backend counts as unavailable.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, BackendState> _states = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstRound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every backend has been checked once (or the first round gave up waiting).</summary>
    public Task FirstRound => _firstRound.Task;

    public BackendState StateOf(string backend) =>
        _states.TryGetValue(backend, out var state) ? state
        : engines.Find(backend) is { } engine ? new BackendState(backend, engine.Type, true, null, null)
        : new BackendState(backend, "unknown", false, $"backend '{backend}' is not configured in this process", null);

    public bool IsAvailable(string backend) => StateOf(backend).IsAvailable;

    /// <summary>
    /// The backend's state as one of its models sees it: unavailable, with that model's own problem, when the backend
    /// answers but cannot run that model (a missing node or model file).
    /// </summary>
    public BackendState StateOf(string backend, string model)
    {
        var state = StateOf(backend);
        return state.IsAvailable && state.UnavailableModels?.GetValueOrDefault(model) is { } problem
            ? state with { IsAvailable = false, Problem = problem }
            : state;
    }

    public bool IsAvailable(string backend, string model) => StateOf(backend, model).IsAvailable;

    public IReadOnlyList<BackendState> All => engines.All.Select(e => StateOf(e.Name)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    /// <summary>Checks one backend now (a worker that saw it fail calls this rather than waiting for the next round).</summary>
    public async Task<BackendState> CheckAsync(IVideoEngine engine, CancellationToken cancellationToken)
    {
        BackendHealth health;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            health = await engine.CheckHealthAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            health = BackendHealth.Unavailable($"no answer within {CheckTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            health = BackendHealth.Unavailable(e.Message);
        }
        var models = health.UnavailableModels is { Count: > 0 } m ? m.ToDictionary(StringComparer.Ordinal) : null;
        var state = new BackendState(engine.Name, engine.Type, health.IsAvailable, health.Problem, time.GetUtcNow(), models);
        var previous = _states.TryGetValue(engine.Name, out var p) ? p : null;
        _states[engine.Name] = state;
        if (previous?.IsAvailable != state.IsAvailable || previous?.Problem != state.Problem)
        {
            if (state.IsAvailable) LogAvailable(engine.Name);
            else LogUnavailable(engine.Name, state.Problem ?? "unavailable");
        }
        foreach (var (model, problem) in models ?? [])
        {
            if (previous?.UnavailableModels?.GetValueOrDefault(model) != problem) LogModelUnavailable(engine.Name, model, problem);
        }
        return state;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            await Task.WhenAll(engines.All.Select(e => CheckAsync(e, stoppingToken))).ConfigureAwait(false);
        }
        finally
        {
            _firstRound.TrySetResult();
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            foreach (var engine in engines.All)
            {
                var state = StateOf(engine.Name);
                var interval = state.IsAvailable ? IntervalOf(engine) : RetryInterval;
                if (state.CheckedAt is { } at && now - at < interval) continue;
                if (running.TryGetValue(engine.Name, out var check) && !check.IsCompleted) continue;
                running[engine.Name] = CheckAsync(engine, stoppingToken);
            }
            try { await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static TimeSpan IntervalOf(IVideoEngine engine) => engine is IHealthInterval h ? h.HealthCheckInterval : DefaultInterval;

    [LoggerMessage(Level = LogLevel.Information, Message = "Backend {Backend} is available")]
    private partial void LogAvailable(string backend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend {Backend} is unavailable: {Problem}")]
    private partial void LogUnavailable(string backend, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend {Backend} cannot run model {Model}: {Problem}")]
    private partial void LogModelUnavailable(string backend, string model, string problem);
}

/// <summary>An engine that says how often its health is worth checking (its backend's <c>HealthCheckInterval</c>).</summary>
public interface IHealthInterval
{
    TimeSpan HealthCheckInterval { get; }
}
