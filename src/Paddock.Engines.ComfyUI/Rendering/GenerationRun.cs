using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Paddock.Core.Engines;
using Paddock.Engines.ComfyUI.Passes;
using Paddock.Engines.ComfyUI.Pool;
using Paddock.Engines.ComfyUI.Protocol;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI.Rendering;

/// <summary>What a run needs from its engine: the backend's name, settings, pool and video tools.</summary>
internal sealed record RunServices(string Backend, ComfyUIOptions Options, ServerPool Pool, PassMedia Media, TimeProvider Time, ILogger Logger);

/// <summary>
/// One attempt at one generation on a pool: its passes, each queued on one server under a prompt id of our own that is
/// checkpointed before it is sent, followed to its end, and fetched; then joined. A resumed attempt first looks for
/// the checkpointed prompt on its server and follows it rather than queueing it again.
/// </summary>
internal sealed partial class GenerationRun(RunServices services, WorkflowTemplate template, PassPlan plan, RenderJob job, RenderContext context)
{
    /// <summary>How often a prompt that vanished from its server (a restart) is queued again before the attempt gives up.</summary>
    private const int MaxResubmits = 3;

    /// <summary>How often one pass survives losing its server (it came back, or another took over) before the attempt gives up.</summary>
    private const int MaxRecoveries = 5;

    private readonly ComfyUIOptions _options = services.Options;
    private readonly ServerPool _pool = services.Pool;
    private readonly ILogger _logger = services.Logger;
    private readonly string[] _local = new string[plan.Passes];
    private readonly PassOutput?[] _remote = new PassOutput?[plan.Passes];
    private readonly Dictionary<PoolMember, IReadOnlyList<string>> _references = [];
    private MemberLease? _lease;
    private string _clientId = $"paddock-{job.GenerationId:N}";

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            var (start, follow) = await ResumeAsync(ct).ConfigureAwait(false);
            _lease ??= await AcquireAnyAsync(ct).ConfigureAwait(false);
            for (var pass = start; pass < plan.Passes; pass++)
                await RunPassAsync(pass, pass == start ? follow : null, ct).ConfigureAwait(false);

            Report("downloading", 1);
            if (plan.Passes == 1) File.Move(_local[0], context.OutputPath, overwrite: true);
            else await services.Media.JoinAsync(_local, plan.Overlap, context.OutputPath, ct).ConfigureAwait(false);
        }
        finally
        {
            _lease?.Dispose();
        }
    }

    /// <summary>
    /// Where an earlier attempt left off: its server (if it answers within the grace period), the passes it finished
    /// (fetched again from the servers that wrote them) and the prompt it had queued. Anything that cannot be found
    /// again is made again: the pool is the user's own GPUs, so a second run costs time, not money.
    /// </summary>
    private async Task<(int Start, string? Follow)> ResumeAsync(CancellationToken ct)
    {
        if (PassCheckpoint.From(context.Resume) is not { } checkpoint) return (0, null);
        if (checkpoint.Passes != plan.Passes || checkpoint.Pass >= plan.Passes)
        {
            LogStartingOver(job.GenerationId, "its passes were planned differently");
            return (0, null);
        }
        if (_pool.Find(checkpoint.Member) is not { } member)
        {
            LogStartingOver(job.GenerationId, $"{checkpoint.Member} is no longer a member of the pool");
            return (0, null);
        }
        _lease = await _pool.AcquireAsync(job.Model, member, TimeSpan.Zero, ct).ConfigureAwait(false);
        if (_lease is null)
        {
            Report("waiting_for_server", 0);
            _lease = await _pool.AcquireAsync(job.Model, member, _options.MemberGracePeriod, ct).ConfigureAwait(false);
        }
        if (_lease is null)
        {
            LogStartingOver(job.GenerationId, $"{member.BaseUri} did not answer within {_options.MemberGracePeriod}");
            return (0, null);
        }
        _clientId = checkpoint.ClientId;
        for (var pass = 0; pass < checkpoint.Pass; pass++)
        {
            var output = checkpoint.Outputs[pass];
            try
            {
                await FetchAsync(pass, output, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MemberUnreachableException or ComfyRequestException)
            {
                LogStartingOver(job.GenerationId, $"pass {pass + 1}'s video could not be fetched again ({e.Message})");
                return (0, null);
            }
        }
        LogResuming(job.GenerationId, context.Resume!.Id!, member.BaseUri, checkpoint.Pass + 1, plan.Passes);
        return (checkpoint.Pass, context.Resume!.Id);
    }

    /// <summary>
    /// One pass on the held server. A server that stops answering is waited for (the grace period); if it comes back
    /// the prompt is looked for there again, otherwise the pass is made on another member from what this attempt has.
    /// </summary>
    private async Task RunPassAsync(int pass, string? follow, CancellationToken ct)
    {
        var promptId = follow;
        var deadline = services.Time.GetUtcNow() + _options.PassTimeout;
        var resubmits = 0;
        var recoveries = 0;
        while (true)
        {
            var member = _lease!.Member;
            try
            {
                var located = promptId is not null ? await LocateAsync(member, promptId, pass, ct).ConfigureAwait(false) : null;
                if (located is PromptEnd end and not Waiting)
                {
                    await FinishPassAsync(pass, member, promptId!, end, ct).ConfigureAwait(false);
                    return;
                }
                // Connected before the prompt is queued: messages for a client without a socket are lost. Without one (a
                // proxy that does not pass WebSockets) the prompt is followed through /history and /queue alone.
                var socket = await TryConnectAsync(member, ct).ConfigureAwait(false);
                try
                {
                    if (located is null)
                    {
                        if (promptId is not null && ++resubmits > MaxResubmits)
                            throw new EngineFailureException(FailureKind.ProviderUnavailable, $"ComfyUI at {member.BaseUri} lost pass {pass + 1}'s prompt {MaxResubmits} times (is it restarting over and over?)");
                        promptId ??= Guid.NewGuid().ToString("D");  // lowercase canonical: what current servers require
                        await SubmitAsync(member, pass, promptId, ct).ConfigureAwait(false);
                    }
                    var follower = new PromptFollower(member, _clientId, promptId!, template.OutputNode, template.OutputKey, _options, services.Time)
                    {
                        Progress = (running, fraction) => Report(running || pass > 0 ? "generating" : "queued", (pass + fraction) / plan.Passes),
                        SocketLost = () => LogSocketLost(job.GenerationId, member.BaseUri, promptId!),
                    };
                    var owned = socket;
                    socket = null;  // the follower closes it, however it ends
                    var outcome = await follower.FollowAsync(owned, deadline, ct).ConfigureAwait(false);
                    if (outcome is PromptEnd.Lost)
                    {
                        LogLost(job.GenerationId, promptId!, member.BaseUri);
                        continue;
                    }
                    await FinishPassAsync(pass, member, promptId!, outcome, ct).ConfigureAwait(false);
                    return;
                }
                finally
                {
                    if (socket is not null) await socket.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (MemberUnreachableException e)
            {
                // A server that answers its health check but fails this pass's requests every time must not hold it forever.
                if (++recoveries > MaxRecoveries)
                    throw new EngineFailureException(FailureKind.ProviderUnavailable, $"pass {pass + 1} failed {MaxRecoveries} times on ComfyUI servers of backend '{services.Backend}'; the last: {e.Message}");
                _pool.MarkDown(member, e.Reason);
                LogMemberLost(job.GenerationId, member.BaseUri, e.Reason, _options.MemberGracePeriod);
                Report("waiting_for_server", (double)pass / plan.Passes);
                if (await _pool.WaitUntilUpAsync(member, _options.MemberGracePeriod, ct).ConfigureAwait(false))
                {
                    _references.Remove(member);  // a server that came back may not have kept its input folder: upload again (same bytes, same name)
                    continue;
                }

                // Gone: this pass is made again on another member (the prompt there, if it ever runs, is wasted GPU time only).
                _lease.Dispose();
                _lease = null;
                _lease = await AcquireAnyAsync(ct).ConfigureAwait(false);
                LogMoved(job.GenerationId, member.BaseUri, _lease.Member.BaseUri, pass + 1);
                promptId = null;
                deadline = services.Time.GetUtcNow() + _options.PassTimeout;
            }
        }
    }

    /// <summary>Where a checkpointed prompt is: its history entry if it ended, an empty result if queued or running, null if absent.</summary>
    private async Task<PromptEnd?> LocateAsync(PoolMember member, string promptId, int pass, CancellationToken ct)
    {
        var follower = new PromptFollower(member, _clientId, promptId, template.OutputNode, template.OutputKey, _options, services.Time);
        if (await member.Client.HistoryAsync(promptId, ct).ConfigureAwait(false) is { } entry) return follower.EndOf(entry);
        if (await member.Client.FindInQueueAsync(promptId, ct).ConfigureAwait(false) is not QueuePlace.Absent)
        {
            LogFollowing(job.GenerationId, promptId, member.BaseUri);
            return new Waiting();
        }
        if (await member.Client.HistoryAsync(promptId, ct).ConfigureAwait(false) is { } late) return follower.EndOf(late);
        LogNotThere(job.GenerationId, promptId, member.BaseUri, pass + 1);
        return null;
    }

    /// <summary>Marks "queued or running there: follow it" (not an end).</summary>
    private sealed record Waiting : PromptEnd;

    /// <summary>Uploads what the pass needs, fills the template, records the prompt id, then queues it.</summary>
    private async Task SubmitAsync(PoolMember member, int pass, string promptId, CancellationToken ct)
    {
        Report(pass == 0 ? "uploading" : "generating", (double)pass / plan.Passes);
        var references = await UploadReferencesAsync(member, ct).ConfigureAwait(false);
        string? tail = null;
        if (pass > 0)
        {
            var clip = Path.Combine(context.WorkDirectory, $"tail-{pass}.mp4");
            await services.Media.TailAsync(_local[pass - 1], plan.Overlap, clip, ct).ConfigureAwait(false);
            var bytes = await File.ReadAllBytesAsync(clip, ct).ConfigureAwait(false);
            tail = await member.Client.UploadAsync(bytes, $"paddock-tail-{Hash(bytes)}.mp4", "video/mp4", ct).ConfigureAwait(false);
        }
        var graph = template.Fill(new PassRequest(job.Prompt, job.Seed + pass, plan.Width, plan.Height, plan.Lengths[pass], references, tail, plan.Overlap));

        // Recorded before it is sent: an attempt that takes over after a crash at any moment looks for this id there.
        var checkpoint = new PassCheckpoint(member.BaseUri.AbsoluteUri, _clientId, pass, plan.Passes, _remote.Take(pass).Select(o => o!).ToList());
        await context.CheckpointAsync(new RemoteJob(services.Backend, promptId, checkpoint.ToData()), ct).ConfigureAwait(false);
        try
        {
            await member.Client.SubmitAsync(graph, _clientId, promptId, ct).ConfigureAwait(false);
        }
        catch (ComfyRequestException e) when (e.Route.EndsWith("/prompt", StringComparison.Ordinal))
        {
            // The server no longer has what the health check found (a node or model file removed since): check it again now.
            _ = _pool.CheckAsync(member, CancellationToken.None);
            throw new EngineFailureException(FailureKind.EngineError, PromptRefusal.Describe(member.BaseUri, template.Model, e.Body), code: PromptRefusal.TypeOf(e.Body));
        }
        LogQueued(job.GenerationId, promptId, member.BaseUri, pass + 1, plan.Passes);
        Report(pass == 0 ? "queued" : "generating", (double)pass / plan.Passes);
    }

    private async Task FinishPassAsync(int pass, PoolMember member, string promptId, PromptEnd end, CancellationToken ct)
    {
        switch (end)
        {
            case PromptEnd.Succeeded done:
                var output = new PassOutput(member.BaseUri.AbsoluteUri, done.Output);
                if (pass == plan.Passes - 1) Report("downloading", 1);
                await FetchAsync(pass, output, ct).ConfigureAwait(false);
                LogPassDone(job.GenerationId, pass + 1, plan.Passes, promptId);
                return;
            case PromptEnd.Failed failed:
                throw new EngineFailureException(FailureKind.EngineError, failed.Message);
            case PromptEnd.TimedOut:
                await TryCancelAsync(member, promptId).ConfigureAwait(false);
                throw new EngineFailureException(FailureKind.Timeout,
                    $"pass {pass + 1} of {plan.Passes} did not finish on ComfyUI at {member.BaseUri} within {_options.PassTimeout} (Paddock:Backends:{services.Backend}:PassTimeout); it was cancelled there");
            default:
                throw new InvalidOperationException($"unexpected end {end}");
        }
    }

    /// <summary>Downloads a finished pass's video with /view from the server that wrote it.</summary>
    private async Task FetchAsync(int pass, PassOutput output, CancellationToken ct)
    {
        var member = _pool.Find(output.Member) ?? throw new ComfyRequestException(new Uri(output.Member), "/view", 404, "that server is no longer a member of the pool");
        var path = Path.Combine(context.WorkDirectory, $"pass-{pass + 1}{Path.GetExtension(output.File.Filename)}");
        await member.Client.DownloadAsync(output.File, path, ct).ConfigureAwait(false);
        _local[pass] = path;
        _remote[pass] = output;
    }

    /// <summary>The references on <paramref name="member"/>, named by their content so an upload of the same bytes is a no-op there.</summary>
    private async Task<IReadOnlyList<string>> UploadReferencesAsync(PoolMember member, CancellationToken ct)
    {
        if (_references.TryGetValue(member, out var known)) return known;
        var names = new List<string>();
        foreach (var image in job.References)
        {
            var extension = image.MediaType == "image/jpeg" ? ".jpg" : ".png";
            names.Add(await member.Client.UploadAsync(image.Bytes, $"paddock-{Hash(image.Bytes)}{extension}", image.MediaType, ct).ConfigureAwait(false));
        }
        return _references[member] = names;
    }

    /// <summary>A free member that can run the model; while none is free but one could, it waits; with none able for the grace period, the attempt is retried later.</summary>
    private async Task<MemberLease> AcquireAnyAsync(CancellationToken ct)
    {
        while (true)
        {
            if (await _pool.AcquireAsync(job.Model, null, TimeSpan.FromSeconds(1), ct).ConfigureAwait(false) is { } quick) return quick;
            Report("waiting_for_server", 0);
            if (await _pool.AcquireAsync(job.Model, null, _options.MemberGracePeriod, ct).ConfigureAwait(false) is { } lease) return lease;
            if (!_pool.AnyCanRun(job.Model))
                throw new EngineFailureException(FailureKind.ProviderUnavailable,
                    $"no ComfyUI server of backend '{services.Backend}' that can run {job.Model} answered within {_options.MemberGracePeriod}: {string.Join("; ", _pool.Members.Select(m => m.Describe()))}");
        }
    }

    private async Task<ComfySocket?> TryConnectAsync(PoolMember member, CancellationToken ct)
    {
        try
        {
            return await ComfySocket.ConnectAsync(member.BaseUri, _clientId, _options.ConnectTimeout, ct).ConfigureAwait(false);
        }
        catch (MemberUnreachableException e)
        {
            LogNoSocket(job.GenerationId, member.BaseUri, e.Reason);
            return null;
        }
    }

    private async Task TryCancelAsync(PoolMember member, string promptId)
    {
        using var limit = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            await RemoteCancel.CancelAsync(member.Client, promptId, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MemberUnreachableException or ComfyRequestException or OperationCanceledException)
        {
            // Best effort: the pass has failed either way.
        }
    }

    private void Report(string phase, double fraction) => context.Progress.Report(new RenderProgress(phase, fraction));

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: queued pass {Pass} of {Passes} as prompt {PromptId} on {Member}")]
    private partial void LogQueued(Guid generationId, string promptId, Uri member, int pass, int passes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: pass {Pass} of {Passes} done (prompt {PromptId})")]
    private partial void LogPassDone(Guid generationId, int pass, int passes, string promptId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: resuming prompt {PromptId} on {Member} at pass {Pass} of {Passes}")]
    private partial void LogResuming(Guid generationId, string promptId, Uri member, int pass, int passes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: prompt {PromptId} is queued or running on {Member}; following it")]
    private partial void LogFollowing(Guid generationId, string promptId, Uri member);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {GenerationId}: prompt {PromptId} of pass {Pass} is not on {Member} (never sent, or the server restarted); queueing it")]
    private partial void LogNotThere(Guid generationId, string promptId, Uri member, int pass);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: starting over: {Reason}")]
    private partial void LogStartingOver(Guid generationId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: the WebSocket of {Member} dropped while prompt {PromptId} ran; following it through /history")]
    private partial void LogSocketLost(Guid generationId, Uri member, string promptId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: no WebSocket from {Member} ({Reason}); following the prompt through /history")]
    private partial void LogNoSocket(Guid generationId, Uri member, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: prompt {PromptId} vanished from {Member} (it restarted?); queueing it again")]
    private partial void LogLost(Guid generationId, string promptId, Uri member);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: {Member} {Reason}; waiting up to {Grace} for it")]
    private partial void LogMemberLost(Guid generationId, Uri member, string reason, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation {GenerationId}: {From} did not come back; pass {Pass} goes to {To}")]
    private partial void LogMoved(Guid generationId, Uri from, Uri to, int pass);
}
