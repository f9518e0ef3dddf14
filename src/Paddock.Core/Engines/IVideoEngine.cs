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
    /// <summary>
    /// The job for validated parameters and their fetched images, sized as the API promises. Image-to-video has no
    /// aspect_ratio: the output follows its input image (the first reference).
    /// </summary>
    public static RenderJob For(Guid generationId, string model, Generations.VideoParameters parameters, IReadOnlyList<ReferenceImage> references, long seed)
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
/// Turns a <see cref="RenderJob"/> into an MP4 file. An engine never touches the database: the
/// orchestrator fetches references, stores outputs, and records progress and events.
/// </summary>
public interface IVideoEngine
{
    /// <summary>The engine's name in configuration and in the model detail (e.g. <c>builtin</c>).</summary>
    string Name { get; }

    /// <summary>One sentence for the model detail: what this engine is (the built-in renderer says it is not a model).</summary>
    string Description { get; }

    /// <summary>A version string: same request + seed + engine version → same bytes.</summary>
    string Version { get; }

    /// <summary>
    /// Renders to <paramref name="outputPath"/>. Must stop within a second of <paramref name="cancellationToken"/>
    /// being cancelled (throwing <see cref="OperationCanceledException"/>).
    /// </summary>
    Task RenderAsync(RenderJob job, string outputPath, IProgress<RenderProgress> progress, CancellationToken cancellationToken);
}
