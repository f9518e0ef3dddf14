using Paddock.Core.Engines;
using Spectre.Console;

namespace Paddock.Cli.Terminal;

/// <summary>
/// Progress of a render in this process (<c>paddock render</c>) on stderr: a Spectre.Console bar on a terminal, a
/// plain "phase N%" line every 10% otherwise.
/// </summary>
internal static class RenderProgressDisplay
{
    public static async Task ShowAsync(bool live, bool enabled, Func<IProgress<RenderProgress>, Task> render)
    {
        if (!enabled)
        {
            await render(new Progress<RenderProgress>());
            return;
        }
        if (!live)
        {
            await render(new PlainLines());
            return;
        }
        await Consoles.Stderr.Progress()
            .AutoClear(true)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 },
                new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                await render(new Bar(task));
            });
    }

    private sealed class Bar(ProgressTask task) : IProgress<RenderProgress>
    {
        public void Report(RenderProgress value)
        {
            task.Description = Markup.Escape(value.Phase);
            task.Value = Math.Clamp(value.Fraction, 0, 1);
        }
    }

    private sealed class PlainLines : IProgress<RenderProgress>
    {
        private int _shown = -1;

        public void Report(RenderProgress value)
        {
            var percent = (int)(value.Fraction * 100);
            if (percent % 10 != 0 || Interlocked.Exchange(ref _shown, percent) == percent) return;
            Console.Error.WriteLine($"{value.Phase} {percent}%");
        }
    }
}
