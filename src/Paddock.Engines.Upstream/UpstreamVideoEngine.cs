using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Client;
using Paddock.Core.Engines;
using Paddock.Core.Files;
using Paddock.Engines.Upstream.Following;
using Paddock.Engines.Upstream.References;
using Paddock.Engines.Upstream.Remote;

namespace Paddock.Engines.Upstream;

/// <summary>
/// A backend that is another server with this API — the hosted one of the original page, or another Paddock. A
/// generation is submitted there once (references the upstream cannot fetch itself are uploaded to its file routes
/// first), recorded on the row, followed through the upstream's event stream with polling as the fallback, and its video
/// downloaded here; the orchestrator checks it and stores it. A resumed attempt follows the recorded upstream
/// generation instead of submitting again.
/// </summary>
/// <remarks>
/// Exactly-once submission rests on two things: the submission's <c>Idempotency-Key</c> is recorded on the row before
/// the upstream sees it, and the upstream honours the key (Paddock does, for 24 hours: a repeat returns the first
/// answer's generation). Against an upstream that ignores the key, a process that dies between sending the submission
/// and recording its answer — a window of one round trip — makes the next attempt submit a second generation there.
/// </remarks>
public sealed class UpstreamVideoEngine : IRemoteJobEngine, IHealthInterval
{
    private static readonly TimeSpan CancelSettleInterval = TimeSpan.FromMilliseconds(500);
    private const int CancelSettleTries = 6;

    private readonly UpstreamOptions _options;
    private readonly UpstreamApi _api;
    private readonly ReferencePlacement _references;
    private readonly GenerationFollower _follower;
    private readonly Func<IReadOnlyList<string>> _modelsServed;
    private readonly Func<string, JsonObject?> _schemaOf;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="name">The backend's name in configuration.</param>
    /// <param name="options">Its settings, already validated.</param>
    /// <param name="apiKey">The upstream's key, read from the environment variable the settings name.</param>
    /// <param name="selfHosts">This server's own hosts: references there are uploaded (the upstream cannot read them).</param>
    /// <param name="modelsServed">The local models this backend serves (read at each health check).</param>
    /// <param name="schemaOf">A local model's request schema, for jobs that carry no stored fields.</param>
    public UpstreamVideoEngine(string name, UpstreamOptions options, string apiKey, SelfHosts? selfHosts, Func<IReadOnlyList<string>> modelsServed,
        Func<string, JsonObject?> schemaOf, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        var problems = new List<string>();
        var section = $"{EngineRegistry.BackendsSection}:{name}";
        options.Validate(section, problems);
        // The variable is checked when settings are bound; here the key itself is given.
        problems.RemoveAll(p => p.StartsWith($"{section}:ApiKeyVariable", StringComparison.Ordinal));
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));

        Name = name;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _modelsServed = modelsServed;
        _schemaOf = schemaOf;
        _api = new UpstreamApi(options.BaseUrl!, apiKey, options, section);
        _references = new ReferencePlacement(_api, options, selfHosts);
        _follower = new GenerationFollower(_api, options, _time, _logger);
    }

    public string Name { get; }

    public string Type => "upstream";

    public string Description =>
        $"Rendered by another server with this API at {_api.Host} (the hosted HappyHorse API or another Paddock): the request is forwarded there, " +
        "followed through its event stream, and the video stored here.";

    public string Version => "upstream-1";

    public int? Concurrency => _options.Concurrency;

    public TimeSpan HealthCheckInterval => _options.HealthCheckInterval;

    public async Task RenderAsync(RenderJob job, RenderContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        var now = _time.GetUtcNow();
        var submission = context.Resume is { } resume ? UpstreamSubmission.FromRemoteJob(resume, job.GenerationId, now) : null;

        if (submission is { UpstreamId: { } recorded })
        {
            if (await WhyNotResumableAsync(recorded, cancellationToken).ConfigureAwait(false) is { } reason)
            {
                Log.Resubmitting(_logger, job.GenerationId, _api.Host, reason);
                submission = submission.Next(job.GenerationId, now);
            }
            else
            {
                Log.Resuming(_logger, job.GenerationId, _api.Host, recorded);
            }
        }
        if (submission is null or { UpstreamId: null })
        {
            if (submission is not null) Log.RepeatingSubmission(_logger, job.GenerationId, _api.Host, submission.Number);
            submission = await SubmitAsync(job, context, submission ?? UpstreamSubmission.First(job.GenerationId, now), cancellationToken).ConfigureAwait(false);
        }

        var upstreamId = submission.UpstreamId!;
        Generation ended;
        try
        {
            ended = await _follower.FollowAsync(job.GenerationId, upstreamId, submission.SubmittedAt + _options.GenerationTimeout,
                new UpstreamProgress(context.Progress), cancellationToken).ConfigureAwait(false);
        }
        catch (EngineFailureException e) when (e.Kind == FailureKind.Timeout)
        {
            await CancelAfterTimeoutAsync(job.GenerationId, upstreamId).ConfigureAwait(false);
            throw;
        }
        Log.Ended(_logger, job.GenerationId, upstreamId, ended.Status.ToString());
        if (ended.Status != GenerationStatus.Succeeded) throw FailureOf(ended, upstreamId);
        await DownloadAsync(ended, upstreamId, context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Null when a recorded upstream generation can be followed; else why it must be submitted again: the upstream no
    /// longer knows it, or it failed for a reason worth another try (the orchestrator's retry lands here).
    /// </summary>
    private async Task<string?> WhyNotResumableAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var row = await _api.FindAsync(upstreamId, cancellationToken).ConfigureAwait(false);
        if (row is null) return $"it no longer knows generation {upstreamId}";
        if (row.Status == GenerationStatus.Failed && FailureOf(row, upstreamId).Kind.IsRetryable())
            return $"its generation {upstreamId} failed ({_api.Redact(row.ErrorMessage ?? "no message")}), which is worth another try";
        return null;
    }

    /// <summary>Places the references, records the submission, submits it, and records the upstream's id.</summary>
    private async Task<UpstreamSubmission> SubmitAsync(RenderJob job, RenderContext context, UpstreamSubmission submission, CancellationToken cancellationToken)
    {
        var urls = new List<string>(job.References.Count);
        foreach (var image in job.References)
        {
            context.Progress.Report(new RenderProgress("uploading_references", urls.Count / (double)job.References.Count));
            var url = await _references.UrlForAsync(image, cancellationToken).ConfigureAwait(false);
            Log.ReferencePlaced(_logger, job.GenerationId, image.Index, WithoutQuery(url));
            urls.Add(url);
        }
        var fields = UpstreamRequest.Fields(job, urls, _schemaOf(job.Model));

        // The key is on the row before the upstream can act on it: whatever dies next, a later attempt repeats this very
        // submission (same key, same body) and gets the same upstream generation back.
        await context.CheckpointAsync(submission.ToRemoteJob(Name), cancellationToken).ConfigureAwait(false);
        context.Progress.Report(new RenderProgress("submitting", 0));
        var upstreamId = await _api.EnqueueAsync(job.Model, _options.UpstreamModelOf(job.Model), fields, submission.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        submission = submission with { UpstreamId = upstreamId };
        await context.CheckpointAsync(submission.ToRemoteJob(Name), cancellationToken).ConfigureAwait(false);
        Log.Submitted(_logger, job.GenerationId, _api.Host, upstreamId, submission.Number);
        return submission;
    }

    private async Task DownloadAsync(Generation row, string upstreamId, RenderContext context, CancellationToken cancellationToken)
    {
        context.Progress.Report(new RenderProgress("downloading", 0));
        var url = row.ResultUrl ?? throw NoResult(upstreamId);
        try
        {
            try
            {
                await _api.DownloadAsync(url, context.OutputPath, cancellationToken).ConfigureAwait(false);
            }
            catch (PaddockException e) when (e.Status is 401 or 403 or 404 or 410 && !cancellationToken.IsCancellationRequested)
            {
                // A signed result URL that expired meanwhile: reading the row again signs a fresh one.
                var fresh = await _api.FindAsync(upstreamId, cancellationToken).ConfigureAwait(false);
                url = fresh?.ResultUrl ?? throw NoResult(upstreamId);
                await _api.DownloadAsync(url, context.OutputPath, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PaddockException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw _api.Failure(e, $"downloading the video of generation {upstreamId}");
        }
        context.Progress.Report(new RenderProgress("downloading", 1));
    }

    /// <summary>A URL for the log: a signed URL's query is a credential of its own.</summary>
    private static string WithoutQuery(string url) => url.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? url[..q] + "?…" : url;

    private EngineFailureException NoResult(string upstreamId) =>
        new(FailureKind.EngineError, $"{_api.Host} says generation {upstreamId} succeeded but gives no result_url to download it from");

    /// <summary>
    /// The upstream's failure as this server's: its message, and its kind where it says one (a Paddock's
    /// <c>error_type</c>); the hosted API gives only a message, which is an engine error here.
    /// </summary>
    private EngineFailureException FailureOf(Generation row, string upstreamId)
    {
        if (row.Status == GenerationStatus.Cancelled)
            return new EngineFailureException(FailureKind.EngineError, $"generation {upstreamId} was cancelled on {_api.Host} (not by this server)");
        var kind = FailureKinds.FromWire(Text(row.Json, "error_type")) ?? FailureKind.EngineError;
        var message = row.ErrorMessage is { Length: > 0 } said ? _api.Redact(said) : $"{_api.Host} reports generation {upstreamId} failed without saying why";
        return new EngineFailureException(kind, message, Text(row.Json, "error_code"));
    }

    private static string? Text(JsonElement row, string name) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A generation given up on here should not run on (and be billed) there: a best-effort cancel.</summary>
    private async Task CancelAfterTimeoutAsync(Guid generationId, string upstreamId)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            await _api.CancelAsync(upstreamId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EngineFailureException or OperationCanceledException)
        {
            Log.CancelAfterTimeoutFailed(_logger, generationId, upstreamId, e.Message);
        }
    }

    public async Task<RemoteCancelOutcome> CancelRemoteAsync(RemoteJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Id is not { } upstreamId)
        {
            return new RemoteCancelOutcome(RemoteCancelState.Refused,
                $"cancelled here while its submission to {_api.Host} was unanswered; if the submission arrived, the generation may still run there");
        }
        try
        {
            if (!await _api.CancelAsync(upstreamId, cancellationToken).ConfigureAwait(false))
                return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"{_api.Host} no longer has generation {upstreamId}: nothing runs there");
        }
        catch (EngineFailureException e) when (!e.Kind.IsRetryable())
        {
            return new RemoteCancelOutcome(RemoteCancelState.Refused, $"{e.Message}; generation {upstreamId} may still run there");
        }
        // Unreachable or throttled: thrown, so the cancel is tried again.

        for (var i = 0; ; i++)
        {
            var row = await _api.FindAsync(upstreamId, cancellationToken).ConfigureAwait(false);
            if (row is null) return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"{_api.Host} no longer has generation {upstreamId}: nothing runs there");
            if (row.Status == GenerationStatus.Cancelled) return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"cancelled on {_api.Host} too (generation {upstreamId})");
            if (row.Status.IsTerminal)
                return new RemoteCancelOutcome(RemoteCancelState.Refused, $"{_api.Host} had already finished generation {upstreamId} ({row.Status}) when the cancel reached it");
            if (i + 1 >= CancelSettleTries)
                return new RemoteCancelOutcome(RemoteCancelState.Refused, $"{_api.Host} took the cancel of generation {upstreamId} but still shows it {row.Status}; it may still run");
            await Task.Delay(CancelSettleInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Available when the upstream answers with this key and offers every model mapped here (<c>GET /api/ai/models/{id}</c>);
    /// otherwise the problem names the model, the key's setting, or the failed connection.
    /// </summary>
    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var models = _modelsServed();
        if (models.Count == 0)
            return await _api.ProblemWithServerAsync(cancellationToken).ConfigureAwait(false) is { } down ? BackendHealth.Unavailable(down) : BackendHealth.Available;

        var checks = models.Select(async local =>
        {
            var upstream = _options.UpstreamModelOf(local);
            var (missing, problem) = await _api.ProblemWithModelAsync(upstream, cancellationToken).ConfigureAwait(false);
            if (problem is null || !missing) return (Missing: missing, Problem: problem);
            return (Missing: missing, Problem: upstream == local
                ? $"{problem} (if it calls '{local}' otherwise, set {_api.Setting("Models")}:{local} to its id)"
                : $"{problem} ({_api.Setting("Models")}:{local} names it)");
        }).ToList();
        var results = await Task.WhenAll(checks).ConfigureAwait(false);
        // A refused key or a server that cannot be reached is one problem for every model: say it once.
        if (results.FirstOrDefault(r => r.Problem is not null && !r.Missing) is { Problem: { } general }) return BackendHealth.Unavailable(general);
        var problems = results.Where(r => r.Problem is not null).Select(r => r.Problem!).ToList();
        return problems.Count == 0 ? BackendHealth.Available : BackendHealth.Unavailable(string.Join("; ", problems));
    }
}
