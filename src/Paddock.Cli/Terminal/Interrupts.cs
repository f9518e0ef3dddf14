namespace Paddock.Cli.Terminal;

/// <summary>
/// Ctrl-C (SIGINT) for a command that must decide what an interrupt means: the first one cancels <see cref="Token"/>
/// and lets the command go on (to ask a question, or to say how to find what it leaves behind); a second one, while
/// the command is still deciding, runs <see cref="OnSecondInterrupt"/> and ends the process the ordinary way.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private int _count;

    public Interrupts() => Console.CancelKeyPress += OnCancelKeyPress;

    public CancellationToken Token => _source.Token;

    public bool Requested => _source.IsCancellationRequested;

    /// <summary>Runs on a second Ctrl-C, just before the process ends; say what was left behind.</summary>
    public Action? OnSecondInterrupt { get; set; }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            e.Cancel = true;
            // Off the signal thread: cancellation runs the callbacks of whatever is waiting.
            ThreadPool.QueueUserWorkItem(static s => ((CancellationTokenSource)s!).Cancel(), _source);
            return;
        }
        OnSecondInterrupt?.Invoke();
        e.Cancel = false;
    }
}
