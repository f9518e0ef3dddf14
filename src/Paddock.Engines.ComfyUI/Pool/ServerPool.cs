using Microsoft.Extensions.Logging;
using Paddock.Core.Engines;
using Paddock.Engines.ComfyUI.Protocol;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI.Pool;

/// <summary>One ComfyUI server of a pool, as the pool last found it. Its state is guarded by the pool's lock.</summary>
internal sealed class PoolMember(ComfyClient client)
{
    public ComfyClient Client { get; } = client;

    public Uri BaseUri => Client.BaseUri;

    /// <summary>Answered its last check (or request).</summary>
    internal bool IsUp { get; set; }

    /// <summary>Why it is out of the pool (e.g. "does not answer (connection refused)").</summary>
    internal string Problem { get; set; } = "has not been checked yet";

    /// <summary>Model → what this server lacks to run it (null: it has everything).</summary>
    internal Dictionary<string, string?> Missing { get; } = new(StringComparer.Ordinal);

    /// <summary>Generations of this process on it now (one, except while a resumed one follows its prompt there).</summary>
    internal int Busy { get; set; }

    internal long LastAssigned { get; set; }

    internal DateTimeOffset? CheckedAt { get; set; }

    internal Task? Checking { get; set; }

    public bool CanRun(string model) => IsUp && Missing.TryGetValue(model, out var missing) && missing is null;

    public string Describe() => IsUp ? $"{BaseUri} answers" : $"{BaseUri} {Problem}";
}

/// <summary>A member held by one generation; disposing gives it back to the pool.</summary>
internal sealed class MemberLease(ServerPool pool, PoolMember member) : IDisposable
{
    private int _released;

    public PoolMember Member { get; } = member;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) pool.Release(Member);
    }
}

/// <summary>
/// The ComfyUI servers of one backend. Each takes one generation at a time (a GPU runs one prompt at a time; queueing
/// more on it only hides the wait). A server that stops answering is out until a check finds it answering again, with
/// what it can run read afresh from its <c>/object_info</c>.
/// </summary>
internal sealed partial class ServerPool
{
    private readonly Lock _gate = new();
    private readonly TemplateLibrary _templates;
    private readonly IReadOnlyCollection<string> _models;
    private readonly ComfyUIOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _backend;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _assignments;

    public ServerPool(string backend, IEnumerable<ComfyClient> members, TemplateLibrary templates, IReadOnlyCollection<string> models, ComfyUIOptions options,
        TimeProvider time, ILogger logger)
    {
        _backend = backend;
        Members = members.Select(c => new PoolMember(c)).ToList();
        _templates = templates;
        _models = models;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public IReadOnlyList<PoolMember> Members { get; }

    public PoolMember? Find(string? baseUri) =>
        baseUri is null ? null : Members.FirstOrDefault(m => string.Equals(m.BaseUri.AbsoluteUri, baseUri, StringComparison.OrdinalIgnoreCase));

    /// <summary>Checks every member now (at most one check per member at a time).</summary>
    public Task CheckAllAsync(CancellationToken ct) => Task.WhenAll(Members.Select(m => CheckAsync(m, ct)));

    /// <summary>
    /// Asks a member whether it answers (<c>/system_stats</c>) and what it can run (<c>/object_info</c> against every
    /// template of the backend's models); a check already under way is joined rather than repeated.
    /// </summary>
    public Task CheckAsync(PoolMember member, CancellationToken ct)
    {
        lock (_gate)
        {
            // The check is the pool's, bounded by HealthTimeout per request: a caller that stops waiting does not cancel it for the others.
            if (member.Checking is not { IsCompleted: false }) member.Checking = CheckCoreAsync(member, CancellationToken.None);
            return member.Checking.WaitAsync(ct);
        }
    }

    private async Task CheckCoreAsync(PoolMember member, CancellationToken ct)
    {
        try
        {
            await member.Client.SystemStatsAsync(ct, _options.HealthTimeout).ConfigureAwait(false);
            var objectInfo = await member.Client.ObjectInfoAsync(ct, _options.HealthTimeout).ConfigureAwait(false);
            var missing = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var model in _models)
            {
                if (_templates.Find(model) is { } template)
                    missing[model] = await Capabilities.MissingAsync(template, objectInfo, member.Client, _options.HealthTimeout, ct).ConfigureAwait(false);
            }
            SetUp(member, missing);
        }
        catch (MemberUnreachableException e)
        {
            MarkDown(member, e.Reason);
        }
        catch (ComfyRequestException e)
        {
            MarkDown(member, $"answered {e.Status} to {e.Route}; is it a ComfyUI server?");
        }
    }

    private void SetUp(PoolMember member, Dictionary<string, string?> missing)
    {
        bool cameBack;
        List<(string Model, string Problem)> news;
        lock (_gate)
        {
            cameBack = !member.IsUp;
            news = missing.Where(m => m.Value is not null && member.Missing.GetValueOrDefault(m.Key) != m.Value).Select(m => (m.Key, m.Value!)).ToList();
            member.IsUp = true;
            member.Missing.Clear();
            foreach (var (model, problem) in missing) member.Missing[model] = problem;
            member.CheckedAt = _time.GetUtcNow();
            Signal();
        }
        if (cameBack) LogMemberUp(_backend, member.BaseUri);
        foreach (var (model, problem) in news) LogMemberLacks(_backend, model, problem);
    }

    /// <summary>Takes a member out of the pool: it did not answer (a check, or a request of a generation).</summary>
    public void MarkDown(PoolMember member, string reason)
    {
        bool wasUp;
        lock (_gate)
        {
            wasUp = member.IsUp;
            member.IsUp = false;
            member.Problem = reason;
            member.CheckedAt = _time.GetUtcNow();
            Signal();
        }
        if (wasUp) LogMemberDown(_backend, member.BaseUri, reason);
    }

    /// <summary>
    /// A member for one generation of <paramref name="model"/>: the free one that can run it and was given work least
    /// recently; or, with <paramref name="only"/>, that member as soon as it answers (a resumed generation follows its
    /// prompt where it was queued, busy or not). Members that are out are checked again while this waits. Null when
    /// <paramref name="limit"/> passes first.
    /// </summary>
    public async Task<MemberLease?> AcquireAsync(string model, PoolMember? only, TimeSpan? limit, CancellationToken ct)
    {
        var deadline = limit is { } l ? _time.GetUtcNow() + l : (DateTimeOffset?)null;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var member = only is not null
                    ? (only.IsUp ? only : null)
                    : Members.Where(m => m.Busy == 0 && m.CanRun(model)).OrderBy(m => m.LastAssigned).FirstOrDefault();
                if (member is not null)
                {
                    member.Busy++;
                    member.LastAssigned = ++_assignments;
                    return new MemberLease(this, member);
                }
                changed = _changed.Task;
            }
            var now = _time.GetUtcNow();
            if (deadline is { } d && now >= d) return null;
            foreach (var down in Members.Where(m => !m.IsUp && (only is null || m == only) && (m.CheckedAt is not { } at || now - at >= _options.PollInterval)))
                _ = CheckAsync(down, ct);
            var wait = deadline is { } end && end - now < _options.PollInterval ? end - now : _options.PollInterval;
            await Task.WhenAny(changed, Task.Delay(wait, _time, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Waits up to <paramref name="limit"/> for a member that is out to answer again, checking it every poll interval.</summary>
    public async Task<bool> WaitUntilUpAsync(PoolMember member, TimeSpan limit, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + limit;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (member.IsUp) return true;
                changed = _changed.Task;
            }
            var now = _time.GetUtcNow();
            if (now >= deadline) return false;
            if (member.CheckedAt is not { } at || now - at >= _options.PollInterval) _ = CheckAsync(member, ct);
            var wait = deadline - now < _options.PollInterval ? deadline - now : _options.PollInterval;
            await Task.WhenAny(changed, Task.Delay(wait, _time, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Whether some member that answers could run <paramref name="model"/> (busy or not).</summary>
    public bool AnyCanRun(string model)
    {
        lock (_gate) return Members.Any(m => m.CanRun(model));
    }

    internal void Release(PoolMember member)
    {
        lock (_gate)
        {
            member.Busy = Math.Max(0, member.Busy - 1);
            Signal();
        }
    }

    /// <summary>
    /// The backend's health: unavailable when no member answers; otherwise available, with each model that no
    /// answering member can run (and why, server by server) and the members that are out named.
    /// </summary>
    public BackendHealth Health(IReadOnlyDictionary<string, string> modelProblems)
    {
        lock (_gate)
        {
            var up = Members.Where(m => m.IsUp).ToList();
            if (up.Count == 0)
                return BackendHealth.Unavailable($"none of its ComfyUI servers answers: {string.Join("; ", Members.Select(m => m.Describe()))}");
            var unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var model in _models)
            {
                if (modelProblems.TryGetValue(model, out var problem)) unavailable[model] = problem;
                else if (!up.Any(m => m.CanRun(model)))
                    unavailable[model] = $"no ComfyUI server of backend '{_backend}' can run {model}: {string.Join("; ", Members.Select(m => m.IsUp ? m.Missing.GetValueOrDefault(model) ?? $"{m.BaseUri} can" : m.Describe()))}";
            }
            // Worth knowing even while every model runs somewhere: servers out of the pool, and what some servers lack.
            var notes = new List<string>();
            var down = Members.Where(m => !m.IsUp).ToList();
            if (down.Count > 0) notes.Add($"{up.Count} of {Members.Count} ComfyUI servers answer; out of the pool: {string.Join("; ", down.Select(m => m.Describe()))}");
            foreach (var model in _models.Where(m => !unavailable.ContainsKey(m)))
            {
                var lacking = up.Where(m => m.Missing.GetValueOrDefault(model) is not null).Select(m => m.Missing[model]!).ToList();
                if (lacking.Count > 0) notes.Add($"{model} runs only on the other servers: {string.Join("; ", lacking)}");
            }
            return new BackendHealth(true, notes.Count == 0 ? null : string.Join(". ", notes)) { UnavailableModels = unavailable };
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backend {Backend}: ComfyUI server {Member} answers; it is in the pool")]
    private partial void LogMemberUp(string backend, Uri member);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend {Backend}: ComfyUI server {Member} is out of the pool: {Reason}")]
    private partial void LogMemberDown(string backend, Uri member, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend {Backend} cannot run {Model} on one of its servers: {Problem}")]
    private partial void LogMemberLacks(string backend, string model, string problem);
}
