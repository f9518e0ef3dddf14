using Paddock.Client;
using Paddock.Core.Engines;

namespace Paddock.Engines.Upstream.Following;

/// <summary>
/// The upstream generation's progress as this server's phases: <c>queued</c> while it waits there, <c>generating</c>
/// (with its percent) while it renders. Rows and events tell the same moments in different detail and may arrive out of
/// order, so within a phase the fraction never goes back, and a phase never returns to an earlier one.
/// </summary>
internal sealed class UpstreamProgress(IProgress<RenderProgress> progress)
{
    public const string Queued = "queued";
    public const string Generating = "generating";

    private string? _phase;
    private double _fraction;

    public void Report(GenerationProgress upstream)
    {
        if (upstream.Status == GenerationStatus.Queued) Move(Queued, 0);
        else if (upstream.Status == GenerationStatus.Processing) Move(Generating, upstream.Percent is { } percent ? percent / 100 : 0);
        else if (upstream.Status == GenerationStatus.Succeeded) Move(Generating, 1);
    }

    private void Move(string phase, double fraction)
    {
        lock (progress)
        {
            if (_phase == Generating && phase == Queued) return; // a late row of the queued state
            fraction = Math.Clamp(fraction, 0, 1);
            if (_phase == phase && fraction <= _fraction) return;
            _phase = phase;
            _fraction = fraction;
            progress.Report(new RenderProgress(phase, fraction));
        }
    }
}
