using System.Text.Json.Nodes;
using Paddock.Core.Generations;

namespace Paddock.Core.Engines;

/// <summary>A reference image already fetched and checked by the orchestrator. <see cref="Index"/> is 1-based (Image 1).</summary>
public sealed record ReferenceImage(int Index, string Source, byte[] Bytes, string MediaType, int Width, int Height);

/// <summary>One validated generation, ready to render to exact output settings.</summary>
public sealed record RenderJob(
    Guid GenerationId,
    string Model,
    string Prompt,
    IReadOnlyList<ReferenceImage> References,
    int Width,
    int Height,
    int FramesPerSecond,
    int FrameCount,
    long Seed)
{
    /// <summary>The request's resolution (720P, 1080P) and aspect ratio, as a provider's parameters name them.</summary>
    public string Resolution => Math.Min(Width, Height) >= 1080 ? "1080P" : "720P";

    /// <summary>The aspect ratio of the exact output size (16:9, 9:16, 1:1, 4:3, 3:4).</summary>
    public string AspectRatio => Video.VideoFormat.NearestAspect(Width, Height);

    /// <summary>Whole seconds of video.</summary>
    public int DurationSeconds => FrameCount / FramesPerSecond;

    /// <summary>
    /// The request's fields as the queue stored them (validated, defaulted, with the seed the server picked), for an
    /// engine that forwards the request as a whole — an upstream server with the same API, which must also get fields
    /// this record does not model (a deployment's own catalog entries may add some). Null for a render outside the
    /// queue. Shared: copy it before changing it.
    /// </summary>
    public JsonObject? Parameters { get; init; }

    /// <summary>
    /// The job for validated parameters and their fetched images, sized as the API promises. Image-to-video has no
    /// aspect_ratio: the output follows its input image (the first reference).
    /// </summary>
    public static RenderJob For(Guid generationId, string model, VideoParameters parameters, IReadOnlyList<ReferenceImage> references, long seed)
    {
        var aspect = parameters.AspectRatio ?? (references.Count > 0 ? Video.VideoFormat.NearestAspect(references[0].Width, references[0].Height) : "16:9");
        var (width, height) = Video.VideoFormat.SizeOf(aspect, parameters.Resolution);
        return new RenderJob(generationId, model, parameters.Prompt, references, width, height,
            Video.VideoFormat.FramesPerSecond, parameters.FrameCount, seed);
    }
}

/// <summary>What an engine reports while it works: a phase name and how far it is (0..1).</summary>
public readonly record struct RenderProgress(string Phase, double Fraction);

/// <summary>
/// Turns a <see cref="RenderJob"/> into an MP4 file. An engine never touches the database: the orchestrator fetches
/// references, stores outputs, records progress, checkpoints and events, retries and fails the generation.
/// </summary>
/// <remarks>
/// An engine instance is one configured backend (<see cref="Name"/>); several backends may share a <see cref="Type"/>
/// (two DashScope regions, two ComfyUI pools).
/// </remarks>
public interface IVideoEngine
{
    /// <summary>The backend's name in configuration and in the model detail (e.g. <c>builtin</c>, <c>dashscope</c>).</summary>
    string Name { get; }

    /// <summary>The engine family: <c>builtin</c>, <c>happyhorse</c>, <c>comfyui</c> or <c>upstream</c>.</summary>
    string Type { get; }

    /// <summary>One sentence for the model detail: what this engine is (the built-in renderer says it is not a model).</summary>
    string Description { get; }

    /// <summary>A version string: same request + seed + engine version → same bytes (for deterministic engines).</summary>
    string Version { get; }

    /// <summary>
    /// How many generations this backend takes at once in one process, or null to use
    /// <c>Paddock:Workers:Concurrency</c> (the built-in renderer, which shares this machine's CPU).
    /// </summary>
    int? Concurrency => null;

    /// <summary>
    /// True when the file written is already exactly what the API promises (size, 24 fps, frame count, H.264 yuv420p,
    /// fast start). Otherwise the orchestrator checks it with ffprobe and conforms it to the promise.
    /// </summary>
    bool WritesExactOutput => false;

    /// <summary>
    /// Renders to <see cref="RenderContext.OutputPath"/>. Must stop within a second of <paramref name="cancellationToken"/>
    /// being cancelled (throwing <see cref="OperationCanceledException"/>). A stop is not a cancel of remote work: the
    /// generation may have been handed to another worker, which resumes from the checkpoint; the orchestrator cancels
    /// remote work (<see cref="IRemoteJobEngine.CancelRemoteAsync"/>) when the generation itself was cancelled.
    /// Failures the user should see are thrown as <see cref="EngineFailureException"/>.
    /// </summary>
    Task RenderAsync(RenderJob job, RenderContext context, CancellationToken cancellationToken);

    /// <summary>Whether the backend can take work now, and if not, why (checked at start and then periodically).</summary>
    Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(BackendHealth.Available);
}

/// <summary>An engine whose work runs elsewhere (a provider's task, a ComfyUI prompt, an upstream generation).</summary>
public interface IRemoteJobEngine : IVideoEngine
{
    /// <summary>
    /// Cancels the remote work a checkpoint names, after the generation was cancelled. Never throws for an answer of
    /// the remote service; says what happened instead (the provider may refuse once a task has started).
    /// </summary>
    Task<RemoteCancelOutcome> CancelRemoteAsync(RemoteJob job, CancellationToken cancellationToken);
}

/// <summary>A backend's state as its last check found it.</summary>
public sealed record BackendHealth(bool IsAvailable, string? Problem = null)
{
    public static readonly BackendHealth Available = new(true);

    /// <summary>
    /// Models of an available backend that cannot run there now, each with why (a ComfyUI pool lacking a template's node
    /// class or model file): those models wait and say so, the backend's other models run. Null or empty: all can run.
    /// </summary>
    public IReadOnlyDictionary<string, string>? UnavailableModels { get; init; }

    public static BackendHealth Unavailable(string problem) => new(false, problem);
}

/// <summary>What became of a remote cancel, with the message kept on the row.</summary>
public sealed record RemoteCancelOutcome(RemoteCancelState State, string Message);
