using System.Diagnostics;
using System.Globalization;
using System.Text;
using Paddock.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Paddock.Cli.Terminal;

/// <summary>
/// Shows a generation's progress on stderr while it is followed. On a terminal: a Spectre.Console progress bar redrawn
/// in place — spinner, phase, bar, percent, queue position or the server's ETA, elapsed time — erased when following
/// ends. Otherwise (a log file, a CI job): a plain line when the phase or queue position changes, and at most every few
/// seconds while the percent moves.
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(3);

    /// <summary>Runs <paramref name="follow"/> with a progress display; the display is gone when it returns or throws.</summary>
    /// <param name="generationId">The generation shown.</param>
    /// <param name="live">Redraw in place (stderr is a terminal) rather than print plain lines.</param>
    /// <param name="enabled">False for <c>--quiet</c>: nothing is shown.</param>
    /// <param name="follow">Follows the generation, reporting its progress.</param>
    public static async Task<T> ShowAsync<T>(string generationId, bool live, bool enabled, Func<IProgress<GenerationProgress>, Task<T>> follow)
    {
        if (!enabled) return await follow(new Progress<GenerationProgress>());
        if (!live) return await follow(new PlainLines(generationId));

        var bar = new LiveBar();
        return await Consoles.Stderr.Progress()
            .AutoClear(true)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 },
                new PercentageColumn(), bar, new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                bar.Task = context.AddTask("waiting", maxValue: 100);
                bar.Task.IsIndeterminate = true;
                return await follow(bar);
            });
    }

    private static string QueueText(int position) => position <= 1 ? "next in queue" : $"queue position {position}";

    public static string Duration(double seconds)
    {
        var s = (int)Math.Ceiling(Math.Max(0, seconds));
        return s < 60 ? $"{s}s" : s < 3600 ? $"{s / 60}m{s % 60:00}s" : $"{s / 3600}h{s % 3600 / 60:00}m";
    }

    /// <summary>Feeds the bar (phase, percent) and draws the column Spectre has no kind of: queue position or the server's ETA.</summary>
    private sealed class LiveBar : ProgressColumn, IProgress<GenerationProgress>
    {
        private volatile GenerationProgress? _last;

        public ProgressTask? Task { get; set; }

        public void Report(GenerationProgress value)
        {
            _last = value;
            if (Task is not { } task) return;
            task.Description = Markup.Escape((value.Phase ?? value.Status.ToString()).Replace('_', ' '));
            task.IsIndeterminate = value.Percent is null;
            task.Value = Math.Clamp(value.Percent ?? 0, 0, 100);
        }

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var text = _last switch
            {
                { QueuePosition: { } position } => QueueText(position),
                { EtaSeconds: > 0 and var eta } => "ETA " + Duration(eta),
                _ => "",
            };
            return new Text(text, new Style(Color.Grey));
        }
    }

    private sealed class PlainLines(string generationId) : IProgress<GenerationProgress>
    {
        private readonly Lock _gate = new();
        private string? _lastKey;
        private long _lastAt;

        public void Report(GenerationProgress p)
        {
            lock (_gate)
            {
                // A new phase, status or queue position is always worth a line; a moving percent only now and then.
                var key = $"{p.Status}|{p.Phase}|{p.QueuePosition}";
                var now = Stopwatch.GetTimestamp();
                if (key == _lastKey && Stopwatch.GetElapsedTime(_lastAt, now) < PlainInterval) return;
                _lastKey = key;
                _lastAt = now;
                var text = new StringBuilder($"generation {generationId}: {(p.Phase ?? p.Status.ToString()).Replace('_', ' ')}");
                if (p.Percent is { } percent) text.Append(CultureInfo.InvariantCulture, $" {percent:0}%");
                if (p.QueuePosition is { } position) text.Append(", ").Append(QueueText(position));
                if (p.EtaSeconds is { } eta && eta > 0) text.Append(", ETA ").Append(Duration(eta));
                Console.Error.WriteLine(text.ToString());
            }
        }
    }
}
