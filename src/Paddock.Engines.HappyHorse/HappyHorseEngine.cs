using Microsoft.Extensions.Logging;
using Paddock.Core.Engines;
using Paddock.Engines.HappyHorse.Protocol;
using Paddock.Engines.HappyHorse.Requests;
using Paddock.Engines.HappyHorse.Tasks;
using TaskStatus = Paddock.Engines.HappyHorse.Protocol.TaskStatus;

namespace Paddock.Engines.HappyHorse;

/// <summary>
/// The HappyHorse models on Alibaba Model Studio's (DashScope) asynchronous video-synthesis API
/// (docs/providers/dashscope.md): references sent as the settings say, one task created per generation — recorded on
/// the row before and right after the create call, so no crash, restart or retry ever pays for a second one — then
/// polled until it ends, and its video downloaded at once (the link expires). The orchestrator conforms the video to
/// the exact size and frame count (the provider's sizes differ) and keeps its audio.
/// </summary>
public sealed class HappyHorseEngine : IRemoteJobEngine, IHealthInterval, IDisposable
{
    /// <summary>
    /// How long a create call goes on after the generation was cancelled or the server began to stop: its answer holds the
    /// id of a task that may already cost money, and only a recorded id can be cancelled or resumed. Past this, the
    /// answer is abandoned and the next attempt looks the task up instead.
    /// </summary>
    private static readonly TimeSpan CreateGrace = TimeSpan.FromSeconds(5);

    private readonly HappyHorseOptions _options;
    private readonly DashScopeClient _client;
    private readonly ProviderFailures _failures;
    private readonly ReferenceSender _references;
    private readonly LostTaskFinder _finder;
    private readonly PollSchedule _polls;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public HappyHorseEngine(string name, HappyHorseOptions options, string apiKey, TimeProvider time, ILogger<HappyHorseEngine> logger, HttpMessageHandler? handler = null)
    {
        Name = name;
        _options = options;
        _time = time;
        _logger = logger;
        _client = new DashScopeClient(options.ApiBase, apiKey, options.Workspace, options.RequestTimeout, options.MaxQueriesPerSecond, time, handler);
        _failures = new ProviderFailures(name, options.ApiKeyVariable);
        _references = new ReferenceSender(options.ReferenceDelivery, Section, _client);
        _finder = new LostTaskFinder(_client, name, options.RequestTimeout + CreateGrace);
        _polls = new PollSchedule(options.PollInterval, options.MaxPollInterval);
    }

    public string Name { get; }

    public string Type => "happyhorse";

    public string Description => $"HappyHorse on Alibaba Model Studio (DashScope) at {_options.ApiBase.Authority}: the hosted model, billed per second of video by the provider";

    public string Version => "dashscope-video-synthesis-v1";

    public int? Concurrency => _options.Concurrency;

    public TimeSpan HealthCheckInterval => _options.HealthCheckInterval;

    private string Section => $"Paddock:Backends:{Name}";

    public async Task RenderAsync(RenderJob job, RenderContext context, CancellationToken cancellationToken)
    {
        var model = _options.ProviderModelFor(job.Model) ?? throw new EngineFailureException(FailureKind.EngineError,
            $"backend '{Name}' has no provider model for {job.Model}: map it with {Section}:Models:{job.Model} (a HappyHorse model name such as happyhorse-1.0-r2v)");
        TaskBody.Check(model, job);
        var prompt = TaskBody.Prompt(model, job, _options.PromptReferenceStyle);
        var media = new MediaFields(model.Mode, job.References.Count, null);

        string taskId;
        DateTimeOffset submittedAt;
        try
        {
            switch (context.Resume)
            {
                case { Id: { } recorded } resume:
                    // The task an earlier attempt created: wait for it, never create another.
                    (taskId, submittedAt) = (recorded, TaskCheckpoint.SubmittedAt(resume) ?? _time.GetUtcNow());
                    Log.Resuming(_logger, job.GenerationId, taskId, Name);
                    break;
                case { } resume when TaskCheckpoint.IsUnansweredCreate(resume):
                    (taskId, submittedAt) = await AdoptAsync(job, resume, TaskCheckpoint.Model(resume) ?? model.Name, prompt, context, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    (taskId, submittedAt, media) = await CreateAsync(job, model, context, cancellationToken).ConfigureAwait(false);
                    break;
            }
            var videoUrl = await WaitAsync(job, taskId, submittedAt, media, context, cancellationToken).ConfigureAwait(false);
            await DownloadAsync(job, taskId, videoUrl, context, cancellationToken).ConfigureAwait(false);
        }
        catch (DashScopeException e)
        {
            throw _failures.FromCall(e, media);
        }
    }

    /// <summary>
    /// Sends the references, notes on the row that a create is about to be sent, creates the task, and records its id.
    /// A create answered with an error made no task: that is noted too, so a retry creates one. A create with no
    /// answer may have made one: the note stays, and the next attempt looks for it (<see cref="AdoptAsync"/>).
    /// </summary>
    private async Task<(string TaskId, DateTimeOffset SubmittedAt, MediaFields Media)> CreateAsync(RenderJob job, ProviderModel model, RenderContext context, CancellationToken cancellationToken)
    {
        context.Progress.Report(new RenderProgress("submitting", 0));
        var prepared = await _references.PrepareAsync(job.References, model, context.Links, cancellationToken).ConfigureAwait(false);
        var media = new MediaFields(model.Mode, job.References.Count, prepared.Delivery);
        var body = TaskBody.Build(model, job, _options.PromptReferenceStyle, prepared);

        var submittedAt = _time.GetUtcNow();
        await context.CheckpointAsync(TaskCheckpoint.Intent(Name, model.Name, submittedAt), cancellationToken).ConfigureAwait(false);
        string taskId;
        using (var giveUp = new CancellationTokenSource())
        using (cancellationToken.Register(() => giveUp.CancelAfter(CreateGrace)))
        {
            try
            {
                taskId = await _client.CreateAsync(body, prepared.ResolveOss, giveUp.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw;
            }
            catch (DashScopeException e)
            {
                if (e.Outcome == CallOutcome.NoAnswer) Log.CreateUnanswered(_logger, job.GenerationId, Name, e.Message);
                var failure = _failures.FromCall(e, media);
                if (e.Outcome != CallOutcome.NoAnswer && failure.Kind.IsRetryable())
                    await context.CheckpointAsync(TaskCheckpoint.NoTask(Name, model.Name, submittedAt), CancellationToken.None).ConfigureAwait(false);
                throw failure;
            }
        }
        // Recorded whatever happened meanwhile: after a cancel the store keeps the id and marks the task for cancelling.
        await context.CheckpointAsync(TaskCheckpoint.Task(Name, taskId, model.Name, submittedAt), CancellationToken.None).ConfigureAwait(false);
        Log.TaskCreated(_logger, job.GenerationId, Name, taskId, model.Name);
        cancellationToken.ThrowIfCancellationRequested();
        return (taskId, submittedAt, media);
    }

    /// <summary>The task an interrupted create may have made, adopted only when it is unambiguously this generation's.</summary>
    private async Task<(string TaskId, DateTimeOffset SubmittedAt)> AdoptAsync(RenderJob job, RemoteJob intent, string model, string prompt, RenderContext context, CancellationToken cancellationToken)
    {
        context.Progress.Report(new RenderProgress("submitting", 0));
        var taskId = await _finder.FindAsync(intent, model, prompt, context, cancellationToken).ConfigureAwait(false);
        var submittedAt = TaskCheckpoint.SubmittedAt(intent) ?? _time.GetUtcNow();
        var adopted = TaskCheckpoint.Task(Name, taskId, model, submittedAt);
        await context.CheckpointAsync(adopted, cancellationToken).ConfigureAwait(false);
        if (await context.IsRecordedElsewhereAsync(adopted, cancellationToken).ConfigureAwait(false)) throw _finder.Contested(taskId, submittedAt);
        Log.Adopted(_logger, job.GenerationId, Name, taskId);
        return (taskId, submittedAt);
    }

    /// <summary>
    /// Polls until the task ends (see <see cref="PollSchedule"/>). Queries that fail for a while (network, 5xx, 429) are
    /// retried here — the task exists and goes on — and past <see cref="HappyHorseOptions.PollErrorTolerance"/> the attempt
    /// ends as provider_unavailable, to resume this same task later. Returns the video URL.
    /// </summary>
    private async Task<string> WaitAsync(RenderJob job, string taskId, DateTimeOffset submittedAt, MediaFields media, RenderContext context, CancellationToken cancellationToken)
    {
        var deadline = submittedAt + _options.TaskTimeout;
        DateTimeOffset? failingSince = null;
        DateTimeOffset? runningSince = null;
        string? lastStatus = null;
        while (true)
        {
            var now = _time.GetUtcNow();
            var wait = _polls.After(now - submittedAt);
            TaskSnapshot? task = null;
            try
            {
                task = await _client.QueryAsync(taskId, cancellationToken).ConfigureAwait(false);
                failingSince = null;
            }
            catch (DashScopeException e) when (e.IsTransient)
            {
                failingSince ??= now;
                if (now - failingSince.Value >= _options.PollErrorTolerance)
                    throw new EngineFailureException(FailureKind.ProviderUnavailable,
                        $"the provider's task {taskId} could not be queried for {_options.PollErrorTolerance:c} ({e.Message}); the generation is tried again later and goes on waiting for the same task",
                        e.Code, e.RetryAfter, e);
                Log.PollFailed(_logger, job.GenerationId, taskId, e.Message);
                if (e.RetryAfter is { } asked && asked > wait) wait = asked;
            }

            if (task is not null)
            {
                if (task.Status != lastStatus) Log.TaskStatus(_logger, job.GenerationId, taskId, task.Status);
                lastStatus = task.Status;
                switch (task.Status)
                {
                    case TaskStatus.Pending:
                        context.Progress.Report(new RenderProgress("queued", 0));
                        break;
                    case TaskStatus.Running:
                        runningSince ??= now;
                        // The provider reports no fraction: an estimate from the time a task usually takes, never reaching the end.
                        context.Progress.Report(new RenderProgress("generating", Math.Min(0.95, (now - runningSince.Value) / _options.TypicalTaskTime)));
                        break;
                    case TaskStatus.Succeeded:
                        return task.VideoUrl is { Length: > 0 } url ? url
                            : throw new EngineFailureException(FailureKind.EngineError, $"the provider's task {taskId} succeeded without a video_url");
                    case TaskStatus.Failed:
                        throw _failures.FromTask(task, media);
                    case TaskStatus.Canceled:
                        throw new EngineFailureException(FailureKind.EngineError,
                            $"the provider's task {taskId} was cancelled there before it started (not by this generation: someone with the account's key, e.g. in its console)", task.Code);
                    case TaskStatus.Unknown:
                        // UNKNOWN: an id the provider does not know — its records last 24 hours, and a task exists only in the
                        // region (and account) that created it. Creating a new task could pay twice if the old one is only
                        // out of sight (a changed BaseUrl or key), so the generation fails and says why; submitting it again is the user's call.
                        throw new EngineFailureException(FailureKind.EngineError,
                            $"the provider no longer knows task {taskId} (UNKNOWN: task records are kept 24 hours, and only in the region and account " +
                            $"that created it; check {Section}:BaseUrl/Region and the key). It was not created again, to avoid paying twice: submit the generation again if it is still wanted");
                    default:
                        break; // a status the docs do not list: keep waiting, the deadline still holds
                }
            }

            if (_time.GetUtcNow() >= deadline) throw await TimedOutAsync(taskId, cancellationToken).ConfigureAwait(false);
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The task outlived TaskTimeout: a task still pending is cancelled (so it is not billed later); a running one cannot be.</summary>
    private async Task<EngineFailureException> TimedOutAsync(string taskId, CancellationToken cancellationToken)
    {
        string said;
        try
        {
            said = (await CancelRemoteAsync(new RemoteJob(Name, taskId), cancellationToken).ConfigureAwait(false)).Message;
        }
        catch (EngineFailureException e)
        {
            said = $"it could not be cancelled ({e.Message}); it may still finish and be billed";
        }
        return new EngineFailureException(FailureKind.Timeout, $"the provider's task {taskId} did not finish within {_options.TaskTimeout:c} ({Section}:TaskTimeout); {said}");
    }

    private async Task DownloadAsync(RenderJob job, string taskId, string videoUrl, RenderContext context, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(videoUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new EngineFailureException(FailureKind.EngineError, $"the provider's task {taskId} gave a video_url that is not an http(s) URL");
        context.Progress.Report(new RenderProgress("downloading", 0));
        try
        {
            await _client.DownloadAsync(url, context.OutputPath, _options.DownloadTimeout, f => context.Progress.Report(new RenderProgress("downloading", f)), cancellationToken).ConfigureAwait(false);
        }
        catch (DashScopeException e)
        {
            // The task has its video: a later attempt queries it again for a fresh link (valid 24 hours) and downloads that.
            throw new EngineFailureException(FailureKind.ProviderUnavailable, $"the video of the provider's task {taskId} could not be downloaded ({e.Message}); it is tried again", e.Code, inner: e);
        }
        Log.Downloaded(_logger, job.GenerationId, taskId, new FileInfo(context.OutputPath).Length);
    }

    public async Task<RemoteCancelOutcome> CancelRemoteAsync(RemoteJob job, CancellationToken cancellationToken)
    {
        if (job.Id is not { } taskId)
            return new RemoteCancelOutcome(RemoteCancelState.Refused,
                "no task id was recorded (the generation was cancelled while its task was being created); if the provider made one, it may run and be billed");
        try
        {
            await _client.CancelAsync(taskId, cancellationToken).ConfigureAwait(false);
            return new RemoteCancelOutcome(RemoteCancelState.Cancelled, $"the provider cancelled task {taskId} before it started");
        }
        catch (DashScopeException e) when (DashScopeCodes.Is(e.Code, DashScopeCodes.UnsupportedOperation))
        {
            // [lifecycle]: only a PENDING task can be cancelled; past that the provider answers 400 UnsupportedOperation [errors].
            return new RemoteCancelOutcome(RemoteCancelState.Refused,
                $"the provider refuses to cancel task {taskId}: it cancels only tasks that have not started ({e.Code}: {e.Message}); it may finish and be billed");
        }
        catch (DashScopeException e)
        {
            throw _failures.FromCall(e, new MediaFields(GenerationMode.TextToVideo, 0, null));
        }
    }

    /// <summary>
    /// A query of a task id no one was given: the provider answers 200 UNKNOWN [probe], so an answer means the API is
    /// reachable and the key accepted, at the cost of one query, with nothing created or billed. 401/403 names the key's
    /// setting (never its value); throttling (429) still proves both.
    /// </summary>
    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.QueryAsync(Guid.NewGuid().ToString("D"), cancellationToken, paced: false).ConfigureAwait(false);
            return BackendHealth.Available;
        }
        catch (DashScopeException e) when (e.Outcome == CallOutcome.Answered && (e.Status == 429 || DashScopeCodes.Is(e.Code, DashScopeCodes.Throttling)))
        {
            return BackendHealth.Available;
        }
        catch (DashScopeException e) when (e.Outcome == CallOutcome.Answered && (e.Status is 401 or 403 || DashScopeCodes.Is(e.Code, DashScopeCodes.InvalidApiKey)))
        {
            return BackendHealth.Unavailable(_failures.KeyRefused(e.Code is null ? e.Message : $"{e.Code}: {e.Message}"));
        }
        catch (DashScopeException e)
        {
            return BackendHealth.Unavailable($"{_options.ApiBase.Authority}: {e.Message}");
        }
    }

    public void Dispose() => _client.Dispose();
}
