using System.Text.Json.Nodes;

namespace Paddock.Core.Engines;

/// <summary>
/// A remote job an engine is waiting on, recorded on the generation's row before it waits (fenced like progress), so
/// an attempt that takes over after a crash, a restart or a hand-back resumes that same job instead of paying for a
/// second one. <see cref="Id"/> is null when an engine recorded that it is about to submit but has no id yet.
/// </summary>
/// <param name="Backend">The backend (configuration name) the job runs on; a resume only happens on the same backend.</param>
/// <param name="Id">The remote id: a task id, a prompt id, an upstream generation id.</param>
/// <param name="Data">What else the engine needs to find the job again (which pool member, which region); small JSON.</param>
public sealed record RemoteJob(string Backend, string? Id, JsonObject? Data = null)
{
    public string ToJson() => new JsonObject { ["backend"] = Backend, ["id"] = Id, ["data"] = Data?.DeepClone() }.ToJsonString();

    public static RemoteJob? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json) || JsonNode.Parse(json) is not JsonObject o || o["backend"]?.GetValue<string>() is not { } backend) return null;
        return new RemoteJob(backend, o["id"]?.GetValue<string>(), o["data"] as JsonObject is { } data ? (JsonObject)data.DeepClone() : null);
    }

    public string? DataString(string key) => Data?[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}

/// <summary>Where remote work stands after its generation was cancelled.</summary>
public enum RemoteCancelState
{
    /// <summary>The generation was cancelled; the remote work is still to be cancelled by a worker with that backend.</summary>
    Pending,

    /// <summary>The remote service cancelled it (or had no such job left to run).</summary>
    Cancelled,

    /// <summary>The remote service refused (e.g. a provider task already running); it may still finish and be billed.</summary>
    Refused,
}

/// <summary>Signed, expiring URLs at which a remote service can fetch a generation's checked reference images.</summary>
public interface IReferenceLinks
{
    /// <summary>True when this deployment has a public base URL, so a remote service can reach its links.</summary>
    bool IsConfigured { get; }

    /// <summary>
    /// A URL serving exactly <paramref name="image"/>'s checked bytes without a key until it expires. Throws an
    /// <see cref="EngineFailureException"/> naming the setting when no public base URL is configured.
    /// </summary>
    Task<Uri> PublicUrlAsync(ReferenceImage image, CancellationToken cancellationToken);
}

/// <summary>What the orchestrator gives an engine for one attempt of one generation.</summary>
public sealed class RenderContext(
    string outputPath,
    string workDirectory,
    IProgress<RenderProgress> progress,
    int attempt,
    RemoteJob? resume,
    Func<RemoteJob, CancellationToken, Task>? checkpoint,
    IReferenceLinks? links,
    Func<RemoteJob, CancellationToken, Task<bool>>? recordedElsewhere = null)
{
    /// <summary>Where the video goes (the orchestrator stores it when the engine returns).</summary>
    public string OutputPath { get; } = outputPath;

    /// <summary>A folder of this attempt's own for downloads and intermediate files; the orchestrator removes it.</summary>
    public string WorkDirectory { get; } = workDirectory;

    public IProgress<RenderProgress> Progress { get; } = progress;

    /// <summary>The attempt number (the lease's fencing token); 1 for the first claim.</summary>
    public int Attempt { get; } = attempt;

    /// <summary>The checkpoint an earlier attempt recorded on this backend, if any: resume that job rather than submit again.</summary>
    public RemoteJob? Resume { get; } = resume;

    public IReferenceLinks Links { get; } = links ?? NoLinks.Instance;

    /// <summary>
    /// Records <paramref name="job"/> on the row before the engine waits on it. Throws <see cref="OperationCanceledException"/>
    /// when the attempt no longer holds the generation (it was cancelled — the job is then recorded for cancelling — or
    /// its lease passed to another worker).
    /// </summary>
    public Task CheckpointAsync(RemoteJob job, CancellationToken cancellationToken) =>
        checkpoint is null ? Task.CompletedTask : checkpoint(job, cancellationToken);

    /// <summary>
    /// Whether another generation's row records <paramref name="job"/> (same backend and id). An engine that lost the id
    /// of the job it submitted (the process died between the answer and the checkpoint) and must find it among the
    /// provider's recent jobs uses it to rule out jobs other generations own. False outside the queue.
    /// </summary>
    public Task<bool> IsRecordedElsewhereAsync(RemoteJob job, CancellationToken cancellationToken) =>
        recordedElsewhere is null ? Task.FromResult(false) : recordedElsewhere(job, cancellationToken);

    /// <summary>A context for a render outside the queue (<c>paddock render</c>, tests): no checkpoints, no public links.</summary>
    public static RenderContext Standalone(string outputPath, IProgress<RenderProgress> progress) =>
        new(outputPath, Path.GetDirectoryName(Path.GetFullPath(outputPath))!, progress, 1, null, null, null);

    private sealed class NoLinks : IReferenceLinks
    {
        public static readonly NoLinks Instance = new();

        public bool IsConfigured => false;

        public Task<Uri> PublicUrlAsync(ReferenceImage image, CancellationToken cancellationToken) =>
            throw new EngineFailureException(FailureKind.EngineError,
                "this render has no public URL for its references (it runs outside a server with Paddock:PublicBaseUrl set)");
    }
}
