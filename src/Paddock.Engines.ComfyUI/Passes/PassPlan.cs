using Paddock.Core.Engines;
using Paddock.Engines.ComfyUI.Templates;

namespace Paddock.Engines.ComfyUI.Passes;

/// <summary>
/// How one generation is cut into passes of a template: the native frames it needs (its seconds at the model's frame
/// rate), each pass's length, and how many frames each later pass carries over from the one before.
/// </summary>
/// <param name="Lengths">Each pass's <c>length</c> input (4n+1 for Wan).</param>
/// <param name="Overlap">Frames of the previous pass that lead each later pass (dropped from it when joining).</param>
internal sealed record PassPlan(int NativeFrames, IReadOnlyList<int> Lengths, int Overlap, int Width, int Height)
{
    public int Passes => Lengths.Count;

    /// <summary>
    /// The plan for <paramref name="job"/>: one pass when it fits, otherwise the fewest passes that make enough frames,
    /// each later one continuing from as many of the previous pass's last frames as the spare length allows (up to the
    /// manifest's recommendation, at least one). A model that cannot continue refuses a longer duration, naming it.
    /// </summary>
    public static PassPlan For(WorkflowTemplate template, RenderJob job)
    {
        if (!template.Sizes.TryGetValue(job.AspectRatio, out var size))
            throw new EngineFailureException(FailureKind.InvalidInput,
                $"aspect_ratio: {template.Model} has no size for {job.AspectRatio} in its template ({string.Join(", ", template.Sizes.Keys)})");
        var needed = (int)Math.Ceiling(job.FrameCount * (double)template.NativeFps / job.FramesPerSecond);
        var max = template.FourNPlusOne ? (template.MaxFramesPerPass - 1) / 4 * 4 + 1 : template.MaxFramesPerPass;
        if (needed <= max) return new PassPlan(needed, [template.LengthFor(needed)], 0, size.Width, size.Height);

        if (template.Continuation is null || max < 2)
        {
            var seconds = Math.Floor(max / (double)template.NativeFps);
            throw new EngineFailureException(FailureKind.InvalidInput,
                $"duration: {template.Model} makes one pass of at most {max} frames at {template.NativeFps} fps ({seconds:0} s) and cannot continue from a previous pass; ask for at most {seconds:0} seconds");
        }
        // With one carried frame each later pass adds max - 1 frames: that gives the fewest passes; the spare frames of
        // those passes then carry more of the previous pass, for smoother joins.
        var passes = 1 + (int)Math.Ceiling((needed - max) / (double)(max - 1));
        var overlap = Math.Clamp((passes * max - needed) / (passes - 1), 1, Math.Min(template.Continuation.RecommendedFrames, max - 1));
        var lengths = new List<int> { max };
        var made = max;
        for (var k = 1; k < passes; k++)
        {
            var length = k < passes - 1 ? max : Math.Min(max, template.LengthFor(needed - made + overlap));
            lengths.Add(length);
            made += length - overlap;
        }
        return new PassPlan(needed, lengths, overlap, size.Width, size.Height);
    }
}
